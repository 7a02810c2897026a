// The benchmark harness runs end to end: a quick gemm run (ts and native engines, each in its own
// child process) writes JSON with every case present and every result checked before timing.
// No timing thresholds: the numbers depend on the machine; only structure and correctness flags.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface EngineResult {
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  values: number[];
  stats?: { median: number; q1: number; q3: number; min: number; max: number; n: number };
  checks: { passed: boolean; detail: string }[];
}

interface BenchJson {
  machine: { cpu: string; cores: number; node: string; nativeStatus: string; date: string };
  options: { quick: boolean; only: string[] };
  workloads: {
    name: string;
    engines: string[];
    cases: { id: string; label: string; unit: string; results: Record<string, EngineResult> }[];
  }[];
  targets: { target: string; measured: string; verdict: string }[];
}

describe('npm run bench -- --quick --only gemm', () => {
  test('bad options are rejected by name', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/benchmark.ts', '--only', 'gemmm'],
      {
        cwd: ROOT,
      },
    );
    await expect(run).rejects.toMatchObject({ stderr: expect.stringContaining("Unknown workload 'gemmm'") });
  });

  test('writes JSON with every gemm case checked on ts and native', { timeout: 180_000 }, async () => {
    const file = join(dir, 'bench.json');
    const args = ['bench/benchmark.ts', '--quick', '--only', 'gemm', '--engines', 'ts,native-1t,native-2t'];
    await promisify(execFile)(process.execPath, ['--import', 'tsx', ...args, '--json', file], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    const json = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    expect(json.options).toMatchObject({ quick: true, only: ['gemm'] });
    expect(json.workloads.map((w) => w.name)).toEqual(['gemm']);
    const gemm = json.workloads[0];
    expect(gemm.engines).toEqual(['native-1t', 'native-2t', 'ts']);
    expect(gemm.cases.map((c) => c.id)).toEqual(['sq64', 'sq256', 'xw-b64', 'dw-b64', 'dx-b64']);
    for (const c of gemm.cases) {
      expect(c.unit).toBe('GFLOP/s');
      for (const engine of gemm.engines) {
        const r = c.results[engine];
        const where = `${c.id} on ${engine}: ${r?.reason ?? ''}`;
        expect(r, where).toBeDefined();
        // ts always runs; native runs when the addon is built (and must in CI), else says why
        const nativeMayBeMissing =
          engine !== 'ts' && !process.env.CI && !json.machine.nativeStatus.startsWith('loaded');
        if (nativeMayBeMissing && r.status === 'skipped') {
          expect(r.reason, where).toMatch(/native addon/);
          continue;
        }
        expect(r.status, where).toBe('ok');
        expect(r.checks.length, where).toBeGreaterThan(0);
        for (const check of r.checks) expect(check.passed, `${where} ${check.detail}`).toBe(true);
        expect(r.values.length, where).toBeGreaterThan(0);
        expect(
          r.values.every((v) => Number.isFinite(v) && v > 0),
          where,
        ).toBe(true);
        expect(r.stats?.median, where).toBeGreaterThan(0);
      }
    }
    expect(json.targets.length).toBeGreaterThan(0);
    for (const t of json.targets) expect(['met', 'not met', 'n/a']).toContain(t.verdict);
  });
});
