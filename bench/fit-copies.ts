// The fit loop's copies (issue 13's memory goal, issue 15 item 14): fit() on the native engine with
// its own arrays in addon memory that trainEpochsAsync reads in place ('shared', now) against the
// same fit with plain arrays that every chunk copies on the event loop ('copied', main's path
// before). Per trial, in fresh child processes (bench/fit-copies-child.ts): 1-epoch fit()
// throughput of both, alternating fit by fit in one process (their ratio per pair), and the peak
// RSS growth of one fit over the bytes of X, one process per variant. Used by bench/workloads/fit-copies.ts, and runnable alone:
//   npx tsx bench/fit-copies.ts [--rows 19200] [--trials 3] [--threads 1]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './model-io.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export type FitVariant = 'copied' | 'shared';
export const VARIANTS: readonly FitVariant[] = ['copied', 'shared'];

export interface FitCopiesResult {
  rows: number;
  /** Per variant, one value per trial: 1-epoch fit() samples/s, and peak RSS growth / X bytes. */
  samplesPerSecond: Record<FitVariant, number[]>;
  memory: Record<FitVariant, number[]>;
  /** shared / copied throughput of each adjacent pair of fits, all trials. */
  ratios: number[];
  /** Per variant, one value per trial: ms of event loop a chunk's trainEpochsAsync call takes (median). */
  loopMs: Record<FitVariant, number[]>;
}

async function child(variant: FitVariant, measure: 'speed' | 'memory', rows: number, threads: number) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(ROOT, 'bench/fit-copies-child.ts'),
      variant,
      measure,
      String(rows),
      String(threads),
    ],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    copied?: number;
    shared?: number;
    ratios?: number[];
    loopMs?: Record<FitVariant, number>;
    peakGrowth?: number;
    dataBytes?: number;
  };
}

/** `trials` rounds of both variants, interleaved so a noisy moment hits them alike. */
export async function measureFitCopies(
  rows: number,
  trials: number,
  threads: number,
): Promise<FitCopiesResult> {
  const r: FitCopiesResult = {
    rows,
    samplesPerSecond: { copied: [], shared: [] },
    memory: { copied: [], shared: [] },
    ratios: [],
    loopMs: { copied: [], shared: [] },
  };
  for (let t = 0; t < trials; t++) {
    const speed = await child('shared', 'speed', rows, threads);
    if (!Number.isFinite(speed.copied) || !Number.isFinite(speed.shared) || !speed.ratios) {
      throw new Error(`fit-copies speed child printed ${JSON.stringify(speed)}`);
    }
    for (const v of VARIANTS) {
      r.samplesPerSecond[v].push(speed[v] as number);
      r.loopMs[v].push(speed.loopMs?.[v] ?? Number.NaN);
      const memory = await child(v, 'memory', rows, threads);
      if (!Number.isFinite(memory.peakGrowth)) {
        throw new Error(`fit-copies memory child printed ${JSON.stringify(memory)}`);
      }
      r.memory[v].push((memory.peakGrowth as number) / (memory.dataBytes as number));
    }
    r.ratios.push(...speed.ratios);
  }
  return r;
}

/** shared / copied throughput of each adjacent pair of 1-epoch fits (higher is better). */
export function speedup(r: FitCopiesResult): number[] {
  return r.ratios;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const at = args.indexOf(name);
    return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
  };
  const rows = Number(option('--rows', '19200'));
  const trials = Number(option('--trials', '3'));
  const threads = Number(option('--threads', '1'));
  const r = await measureFitCopies(rows, trials, threads);
  console.log(
    `fit() of 784-128-10 adam, batch 64, ${rows} rows, native ${threads} thread(s), ${trials} interleaved trials (medians)`,
  );
  console.log(
    "| arrays | 1-epoch fit() samples/s | event loop per chunk's trainEpochsAsync call | peak RSS growth of a fit / X bytes |",
  );
  console.log('|---|---:|---:|---:|');
  for (const v of VARIANTS) {
    const label = v === 'copied' ? 'copied per chunk (before)' : 'shared blocks, read in place (now)';
    console.log(
      `| ${label} | ${Math.round(median(r.samplesPerSecond[v]))} | ${median(r.loopMs[v]).toFixed(2)} ms | ${median(r.memory[v]).toFixed(2)}x |`,
    );
  }
  const q = [...r.ratios].sort((a, b) => a - b);
  const at = (f: number) => q[Math.min(q.length - 1, Math.floor(f * q.length))].toFixed(3);
  console.log(
    `throughput now / before, adjacent fits: median ${median(r.ratios).toFixed(3)} [${at(0.25)}, ${at(0.75)}] of ${q.length} pairs`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
