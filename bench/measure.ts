// Timing and statistics for one trial: warm up, then sample with Benchmark.js (bench/sampling.ts:
// it calibrates how many calls one sample holds and samples until both a count and a time
// budget are met). Used inside the child process of a trial (bench/trial.ts), never across
// processes. The quartiles below are ours: Benchmark.js gives a mean and its error, no median.
import { type SampleOptions, sampleAsync, sampleBlocking } from './sampling.js';

export interface Budget {
  /** Seconds spent calling the function before any sample is kept (JIT, caches, workspaces). */
  warmup: number;
  /** Calls before any sample is kept, at least (and as many more as fit in `warmup`). */
  warmupCalls: number;
  /** Seconds one sample should last at least (Benchmark.js's minTime: it picks the calls per sample). */
  sample: number;
  minSamples: number;
  /** Samples kept, at most (the first ones: Benchmark.js has no such limit). */
  maxSamples: number;
  /** Seconds of samples to collect once minSamples are in (Benchmark.js's maxTime). */
  total: number;
  /** Slow calls (one call > `sample` * 10): 3 samples, and at most this maxTime. */
  cap: number;
}

export const FULL_BUDGET: Budget = {
  warmup: 0.3,
  warmupCalls: 2,
  sample: 0.05,
  minSamples: 7,
  maxSamples: 200,
  total: 1.2,
  cap: 8,
};
export const QUICK_BUDGET: Budget = {
  warmup: 0.05,
  warmupCalls: 1,
  sample: 0.01,
  minSamples: 3,
  maxSamples: 20,
  total: 0.1,
  cap: 1,
};

/** Seconds per call, one entry per sample (each sample the mean over `calls` calls). */
export interface Samples {
  perCall: number[];
  callsPerSample: number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** Benchmark.js's options for a call that took `one` seconds: a slow call settles for 3 samples. */
function options(one: number, budget: Budget): SampleOptions {
  const slow = one > budget.sample * 10;
  return {
    minSamples: slow ? 3 : budget.minSamples,
    maxTime: slow ? Math.min(budget.cap, budget.total) : budget.total,
    minTime: budget.sample,
  };
}

export function measureSync(fn: () => void, budget: Budget): Samples {
  const start = now();
  let calls = 0;
  do {
    fn();
    calls++;
  } while (now() - start < budget.warmup || calls < budget.warmupCalls);
  const s = sampleBlocking(fn, options(timeOnce(fn), budget));
  return { perCall: s.perCall.slice(0, budget.maxSamples), callsPerSample: s.count };
}

export async function measureAsync(fn: () => Promise<void>, budget: Budget): Promise<Samples> {
  const start = now();
  let calls = 0;
  do {
    await fn();
    calls++;
  } while (now() - start < budget.warmup || calls < budget.warmupCalls);
  const s = await sampleAsync(fn, options(await timeOnceAsync(fn), budget));
  return { perCall: s.perCall.slice(0, budget.maxSamples), callsPerSample: s.count };
}

/** Seconds of one call of fn (for single long runs such as a whole seed). */
export function timeOnce(fn: () => void): number {
  const t0 = now();
  fn();
  return now() - t0;
}

export async function timeOnceAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

// --- statistics --------------------------------------------------------------------------------

export interface Stats {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  n: number;
}

/** Quantile by linear interpolation between order statistics (numpy's default). */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function stats(values: number[]): Stats {
  if (values.length === 0) throw new RangeError('Expected at least one value for stats');
  const s = [...values].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
    n: s.length,
  };
}
