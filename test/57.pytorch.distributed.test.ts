// examples/distributed end to end, when a python3 with torch is present: the fastmlp network
// exported with its initial weights, trained by 2 PyTorch DDP processes (gloo), imported back and
// served by fastmlp on every engine: it classifies the held-out rows well and its outputs are
// PyTorch's within 1e-5.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { files, options } from '../examples/distributed/model.js';
import { prepare } from '../examples/distributed/prepare.js';
import { serve } from '../examples/distributed/serve.js';
import { Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';
import { noTorchReason, PYTHON_ENV, torchPython } from './helpers/torch.js';

describe.skipIf(!torchPython)(
  `PyTorch DDP training of a fastmlp network (${torchPython ?? noTorchReason})`,
  () => {
    const folder = mkdtempSync(join(tmpdir(), 'fastmlp-ddp-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    let summary: { processes: number; rows_per_process: number; same_weights: boolean };

    beforeAll(async () => {
      await prepare(folder);
      const run = spawnSync(
        torchPython as string,
        [join(import.meta.dirname, '../examples/distributed/train_ddp.py'), folder, '--processes', '2'],
        { env: PYTHON_ENV, encoding: 'utf8', timeout: 300_000 },
      );
      if (run.status !== 0)
        throw new Error(`train_ddp.py failed (${run.status ?? run.signal}):\n${run.stderr}`);
      summary = JSON.parse(run.stdout.trim().split('\n').pop() as string);
    }, 320_000);

    it('trained on 2 processes, each on half the rows, ending with the same weights', async () => {
      expect(summary).toMatchObject({ processes: 2, rows_per_process: 240, same_weights: true });
      const initial = await Network.importPyTorch(join(folder, files.initial), options);
      const trained = await Network.importPyTorch(join(folder, files.trained), options);
      expect(trained.getParameters()).not.toEqual(initial.getParameters());
      expect(trained.inputScaling).toEqual(initial.inputScaling); // carried through PyTorch
    });

    it.each(engineNames)(
      'serves the imported network on the %s engine: accurate, and PyTorch’s outputs',
      async (engine) => {
        const { accuracy, maxDifference } = await serve(folder, engine, () => {});
        expect(accuracy).toBeGreaterThanOrEqual(0.9);
        expect(JSON.parse(readFileSync(join(folder, files.pytorchPredictions), 'utf8'))).toHaveLength(120);
        expect(maxDifference).not.toBeNull();
        expect(maxDifference as number).toBeLessThanOrEqual(1e-5);
      },
    );
  },
);
