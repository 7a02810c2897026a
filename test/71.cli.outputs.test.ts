// What the `fastmlp` command writes, under conditions a server or a shell pipeline creates: CSV
// cells a spreadsheet would evaluate, outputs that are the same file as each other or as an
// input, a reader that closes stdout early, and a full disk. Child processes, TS engine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../lib/network.js';
import { CLI_ENV, cli, MAIN, ROOT } from './helpers/cli.js';

// Each test spawns tsx children, which a loaded 2-core machine runs slowly: a hang guard, not a speed check.
const SLOW = { timeout: 240_000 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-cli-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('predictions CSV: no cell a spreadsheet evaluates as a formula', SLOW, () => {
  // OWASP's CSV injection advice: a text cell starting with = + - @ tab or CR gets a leading '.
  const names = [
    "=cmd|' /C calc'!A0",
    '+HYPERLINK("http://example.com","x")',
    '@SUM(1+1)',
    '-2+3+cmd|x',
    '\tTAB',
    '\rCR',
    '-1', // a plain number is no formula: kept as it is
    'setosa',
  ];
  const expected = names.map((n, i) => (i < 6 ? `'${n}` : n));

  it('class names from a model file are neutralized, plain numbers and names kept', async () => {
    const k = names.length;
    const net = new Network({ inputs: k, layers: [{ units: k, activation: 'softmax' }], engine: 'ts' });
    // W = 10 * identity, b = 0: the row e_c predicts class c
    const params = new Float32Array(net.parameterCount);
    for (let c = 0; c < k; c++) params[c * k + c] = 10;
    net.setParameters(params);
    net.classNames = names;
    const model = join(dir, 'hostile.safetensors');
    await net.save(model);
    const rows = names.map((_, c) => names.map((__, j) => (j === c ? 1 : 0)).join(','));
    const csv = join(dir, 'onehot.csv');
    await writeFile(csv, `${names.map((_, j) => `f${j}`).join(',')}\n${rows.join('\n')}\n`);
    const r = await cli(['predict', '--model', model, '--data', csv, '--engine', 'ts']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const table = parse(r.stdout) as string[][];
    expect(table.slice(1).map((row) => row[0])).toEqual(expected);
    expect(table[0]).toEqual(['class', ...names.map((n) => `p_${n}`)]); // start with p_: no formula
    for (const row of table.slice(1))
      for (const p of row.slice(1)) expect(Number.isFinite(Number(p))).toBe(true);
  });

  it("negative numbers in a regression model's numeric columns are kept as numbers", async () => {
    const net = new Network({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'mse',
      engine: 'ts',
    });
    net.setParameters(Float32Array.from([-2, -0.5])); // y = -2x - 0.5
    const model = join(dir, 'negative.safetensors');
    await net.save(model);
    const csv = join(dir, 'x.csv');
    await writeFile(csv, 'x\n1\n3\n');
    const r = await cli(['predict', '--model', model, '--data', csv, '--engine', 'ts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('prediction\n-2.5\n-6.5\n');
  });
});

describe.concurrent(
  'outputs that are the same file as each other or as an input are refused before any work',
  SLOW,
  () => {
    const train = ['train', '--data', 'xor', '--engine', 'ts', '--epochs', '3'];
    let model: string;
    let modelBytes: Buffer;
    let features: string;
    beforeAll(async () => {
      model = join(dir, 'same.safetensors');
      const net = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], engine: 'ts' });
      await net.save(model);
      modelBytes = await readFile(model);
      features = join(dir, 'same-features.csv');
      await writeFile(features, 'a,b\n0,1\n1,0\n');
    });

    /** Exit 2, one line naming both options, nothing trained or written, the inputs untouched. */
    const expectRefused = async (args: string[], message: RegExp, untouched: string[] = []) => {
      const before = await Promise.all(untouched.map((f) => readFile(f)));
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe(''); // refused before the run is even described
      for (const [i, f] of untouched.entries()) expect(await readFile(f)).toEqual(before[i]);
    };

    it('train: --out and --report naming one file, directly or through a symlink, hard link or symlinked folder', async () => {
      const out = join(dir, 'g.safetensors');
      await expectRefused(
        [...train, '--out', out, '--report', out],
        /--report .*g\.safetensors is the same file as --out/,
      );
      expect(existsSync(out)).toBe(false);
      // through a symlinked folder, neither file existing yet
      const alias = join(dir, 'alias');
      await symlink(dir, alias);
      await expectRefused(
        [...train, '--out', out, '--report', join(alias, 'g.safetensors')],
        /is the same file as --out/,
      );
      expect(existsSync(out)).toBe(false);
      // an existing model reached through a symlink, and through a hard link
      const viaLink = join(dir, 'link.html');
      await symlink(model, viaLink);
      await expectRefused([...train, '--out', model, '--report', viaLink], /is the same file as --out/, [
        model,
      ]);
      const hard = join(dir, 'hard.html');
      await link(model, hard);
      await expectRefused([...train, '--out', model, '--report', hard], /is the same file as --out/, [model]);
      // a dangling symlink whose target is the other output
      const dangling = join(dir, 'dangling.html');
      await symlink(join(dir, 'target.safetensors'), dangling);
      await expectRefused(
        [...train, '--out', join(dir, 'target.safetensors'), '--report', dangling],
        /is the same file as --out/,
      );
    });

    it('train and sweep: an output that is the training CSV', async () => {
      const csv = join(dir, 'train.csv');
      await writeFile(csv, 'a,b,label\n0,0,x\n0,1,y\n1,0,y\n1,1,x\n');
      const data = ['--data', csv, '--engine', 'ts', '--epochs', '2', '--validation', '0'];
      await expectRefused(['train', ...data, '--out', csv], /--out .*train\.csv is the same file as --data/, [
        csv,
      ]);
      await expectRefused(['train', ...data, '--report', csv], /--report .* is the same file as --data/, [
        csv,
      ]);
      await expectRefused(
        ['sweep', ...data, '--lr', '0.1', '--report', csv],
        /--report .* is the same file as --data/,
        [csv],
      );
    });

    it('predict: --out that is the model or the data, directly or through a link', async () => {
      const args = ['predict', '--model', model, '--data', features, '--engine', 'ts'];
      await expectRefused([...args, '--out', model], /--out .* is the same file as --model/, [
        model,
        features,
      ]);
      await expectRefused([...args, '--out', features], /--out .* is the same file as --data/, [
        model,
        features,
      ]);
      const viaLink = join(dir, 'preds-link.csv');
      await symlink(model, viaLink);
      await expectRefused([...args, '--out', viaLink], /is the same file as --model/, [model]);
      expect(await readFile(model)).toEqual(modelBytes);
      // different files are fine
      await mkdir(join(dir, 'ok'));
      const r = await cli([...args, '--out', join(dir, 'ok', 'preds.csv')]);
      expect(r.code, r.stderr).toBe(0);
    });
  },
);

/** Runs the CLI with its stdout a pipe whose reader is gone before it writes (`... | head -0`). */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: CLI_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe.concurrent('a closed stdout never stops the files being written', SLOW, () => {
  for (const mode of ['lines', 'json'] as const) {
    it(`train (${mode}) still writes --out and --report, exit 0; no temporary file left`, async () => {
      const folder = join(dir, `closed-${mode}`);
      await mkdir(folder);
      const out = join(folder, 'm.safetensors');
      const report = join(folder, 'r.html');
      const json = mode === 'json' ? ['--json'] : [];
      const args = [
        'train',
        '--data',
        'xor',
        '--engine',
        'ts',
        '--epochs',
        '50',
        '--log-every',
        '1',
        ...json,
      ];
      const r = await withClosedStdout([...args, '--out', out, '--report', report]);
      expect(r.stderr).not.toMatch(/^fastmlp: /m); // --json says what it does on stderr, no error
      expect(r.code).toBe(0);
      expect((await Network.load(out, { engine: 'ts' })).steps).toBeGreaterThan(0);
      expect(await readFile(report, 'utf8')).toMatch(/^<!doctype html>/);
      expect((await readdir(folder)).sort()).toEqual(['m.safetensors', 'r.html']);
    });
  }

  it.runIf(existsSync('/dev/full'))('the exit status says when a file could not be written', async () => {
    const model = join(dir, 'closed-full.safetensors');
    const args = ['train', '--data', 'xor', '--engine', 'ts', '--epochs', '5', '--out', model];
    const r = await withClosedStdout([...args, '--report', '/dev/full']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fastmlp: cannot write --report \/dev\/full: ENOSPC/m);
    expect((await Network.load(model, { engine: 'ts' })).steps).toBeGreaterThan(0); // written before
  });
});

describe.concurrent('a failed write names the file', SLOW, () => {
  it.runIf(existsSync('/dev/full'))(
    'train --report /dev/full: exit 2, the message names the report',
    async () => {
      const r = await cli([
        'train',
        '--data',
        'xor',
        '--engine',
        'ts',
        '--epochs',
        '2',
        '--report',
        '/dev/full',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^fastmlp: cannot write --report \/dev\/full: ENOSPC/);
    },
  );

  it.runIf(existsSync('/dev/full'))(
    'predict --out /dev/full: exit 2, the message names the output',
    async () => {
      const net = new Network({
        inputs: 1,
        layers: [{ units: 1, activation: 'linear' }],
        loss: 'mse',
        engine: 'ts',
      });
      const model = join(dir, 'full.safetensors');
      await net.save(model);
      const csv = join(dir, 'full.csv');
      await writeFile(csv, 'x\n1\n');
      const r = await cli([
        'predict',
        '--model',
        model,
        '--data',
        csv,
        '--out',
        '/dev/full',
        '--engine',
        'ts',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^fastmlp: cannot write --out \/dev\/full: ENOSPC/);
    },
  );
});
