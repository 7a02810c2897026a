// The comparison's plumbing (bench/versus/): a --quick run of one tiny network has rows for the
// hand-written numpy loop and PyTorch when an interpreter imports them, and a clean one-line skip
// otherwise; the trial log shows the contenders taking turns in fresh processes (A, B, C, then
// the next trial in a rotated order), never all trials of one first; and the loss check that
// keeps a broken competitor from flattering us fails on a competitor that does not learn; the
// trial rounds run every block in turn, and a time budget (--minutes) stops a run after the
// third round, never before.
// No timing thresholds: only structure, order and correctness flags.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { MARKER } from '../bench/types.js';
import { archById, EPOCHS_PER_CALL, writeData } from '../bench/versus/archs.js';
import { FIT_SAMPLING, LOSS_MUST_FALL_TO } from '../bench/versus/protocol.js';
import { DEFAULT_TRIALS, findPython, type VersusResult } from '../bench/versus/suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-versus-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRIALS = 2;
const CONTENDERS = ['fastmlp', 'numpy', 'torch'];

async function quickRun(
  json: string,
  env: NodeJS.ProcessEnv = {},
  extra: string[] = ['--threads', '1', '--trials', String(TRIALS)],
): Promise<{ out: VersusResult; stdout: string }> {
  const args = ['bench/benchmark.ts', '--quick', '--only', 'fit-vs', '--archs', 'tabular', ...extra];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', ...args, '--json', json],
    { cwd: ROOT, maxBuffer: 16 << 20, env: { ...process.env, ...env } },
  );
  return { out: (JSON.parse(readFileSync(json, 'utf8')) as { versus: VersusResult }).versus, stdout };
}

describe('npm run bench -- --quick --only fit-vs --archs tabular --threads 1', () => {
  test('numpy and torch rows when present, interleaved trials in the log', { timeout: 600_000 }, async () => {
    const { out, stdout } = await quickRun(join(dir, 'present.json'));
    expect(out.blocks).toHaveLength(1);
    const [block] = out.blocks;
    expect(block).toMatchObject({ kind: 'train', arch: 'tabular', threads: 1 });
    expect(block.cells.map((c) => c.contender)).toEqual(CONTENDERS);
    // the machine's capacity was probed before each trial round (where a C++ compiler exists)
    expect(out.capacity).toHaveLength(TRIALS);

    // interleaving, read from the trial log: every trial round holds each contender once, the
    // rounds follow each other, and who goes first rotates
    expect(out.log).toHaveLength(TRIALS * CONTENDERS.length);
    for (let t = 0; t < TRIALS; t++) {
      const round = out.log.slice(t * CONTENDERS.length, (t + 1) * CONTENDERS.length);
      expect(round.every((e) => e.trial === t)).toBe(true);
      expect([...round.map((e) => e.contender)].sort()).toEqual([...CONTENDERS].sort());
    }
    expect(out.log.map((e) => e.seq)).toEqual(out.log.map((_, i) => i));
    expect(out.log[0].contender).not.toBe(out.log[CONTENDERS.length].contender);

    for (const cell of block.cells) {
      const module = cell.contender === 'fastmlp' ? null : cell.contender;
      const where = `${cell.contender}: ${cell.reason ?? ''}`;
      if (module && findPython(module) === null) {
        expect(cell.status, where).toBe('skipped');
        expect(stdout).toContain(`${cell.contender} skipped: not installed`);
        continue;
      }
      expect(cell.status, where).toBe('ok');
      expect(cell.trials.fit, where).toHaveLength(TRIALS);
      expect(
        cell.trials.fit.every((v) => Number.isFinite(v) && v > 0),
        where,
      ).toBe(true);
      expect(cell.checks, where).toHaveLength(TRIALS);
      expect(cell.checks[0], where).toMatch(/training loss .* -> /);
      expect(stdout).toMatch(/\| 30-64-64-1, .*\|/);
    }
    // fastmlp's row also carries the same process's sgemm and its 1-epoch start-up ratio
    const fastmlp = block.cells[0];
    expect(fastmlp.trials.sgemm512).toHaveLength(TRIALS);
    expect(fastmlp.trials.startup).toHaveLength(TRIALS);
  });

  test('no Python: numpy and torch skip cleanly, each with a one-line reason', {
    timeout: 300_000,
  }, async () => {
    const { out, stdout } = await quickRun(join(dir, 'absent.json'), { FASTMLP_BENCH_PYTHON: 'none' });
    const [block] = out.blocks;
    for (const name of ['numpy', 'torch']) {
      const cell = block.cells.find((c) => c.contender === name);
      expect(cell?.status).toBe('skipped');
      expect(cell?.reason).toMatch(new RegExp(`^not installed: no Python interpreter imports ${name} \\(`));
      const lines = stdout.split('\n').filter((l) => l.startsWith(`- ${name} skipped:`));
      expect(lines).toHaveLength(1);
    }
    // only fastmlp's trials started processes: skipped contenders are logged, not run
    expect(out.log.filter((e) => e.status === 'ok').map((e) => e.contender)).toEqual(['fastmlp', 'fastmlp']);
  });
});

describe('the order of the trials and the time budget', () => {
  test('trial-major: each trial round runs every block before the next round; --minutes stops after 3 rounds', {
    timeout: 300_000,
  }, async () => {
    // an impossible budget: the run must still make DEFAULT_TRIALS.min rounds, then stop
    const { out, stdout } = await quickRun(join(dir, 'budget.json'), { FASTMLP_BENCH_PYTHON: 'none' }, [
      '--threads',
      '1,2',
      '--trials',
      '5',
      '--minutes',
      '0.001',
    ]);
    expect(out.blocks.map((b) => b.threads)).toEqual([1, 2]);
    expect(out.trials).toBe(DEFAULT_TRIALS.min);
    expect(stdout).toContain(`Stopped after ${DEFAULT_TRIALS.min} of 5 trials by the 0.001-minute budget`);
    const ran = out.log.filter((e) => e.contender === 'fastmlp');
    // round by round, both thread counts in each round (not all trials of 1 thread first)
    expect(ran.map((e) => `${e.trial}:${e.threads}t`)).toEqual([
      '0:1t',
      '0:2t',
      '1:1t',
      '1:2t',
      '2:1t',
      '2:2t',
    ]);
    for (const b of out.blocks) {
      expect(b.cells[0].trials.fit).toHaveLength(DEFAULT_TRIALS.min);
      expect(b.capacity.length).toBeLessThanOrEqual(DEFAULT_TRIALS.min);
    }
    // every trial process's wall time is logged (the duration estimate's calibration)
    expect(ran.every((e) => e.seconds > 0)).toBe(true);
  });
});

describe('the loss check of a training competitor', () => {
  const python = findPython('numpy');
  test.skipIf(python === null)(
    'fails for a numpy loop that does not learn (learning rate 0) and passes for the real one',
    { timeout: 120_000 },
    () => {
      const arch = archById('tabular');
      const data = writeData(dir, arch, 256);
      const run = (learningRate: number) => {
        const spec = {
          contender: 'numpy',
          arch: { ...arch, optimizer: { name: 'sgd', learningRate } },
          data,
          threads: 1,
          quick: true,
          epochs: EPOCHS_PER_CALL,
          lossMustFallTo: LOSS_MUST_FALL_TO,
          sampling: FIT_SAMPLING.quick,
        };
        const stdout = execFileSync(python as string, ['bench/versus/py_train.py', JSON.stringify(spec)], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
        });
        const line = stdout.split('\n').find((l) => l.startsWith(MARKER)) as string;
        return JSON.parse(line.slice(MARKER.length)) as {
          status: string;
          check: { passed: boolean; detail: string };
        };
      };
      const broken = run(0);
      expect(broken.status).toBe('ok');
      expect(broken.check.passed, broken.check.detail).toBe(false);
      const learning = run(0.5);
      expect(learning.check.passed, learning.check.detail).toBe(true);
    },
  );
});
