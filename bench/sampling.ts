// In-process sampling for one trial, by the `benchmark` package (Benchmark.js: the design card's
// choice). It calibrates how many calls one sample holds, collects samples until both its
// minimum count and its time budget are met, and gives their mean, standard error and relative
// margin of error. It does not give a median or quartiles: bench/measure.ts's stats() adds those
// across samples, and the drivers take medians across trials (fresh processes), which a single
// process's library cannot see. tinybench (its maintained successor) is not installed here.
import Benchmark from 'benchmark';

// Benchmark.js would otherwise rebuild fn from its source text, losing the closure it reads.
Benchmark.support.decompilation = false;

export interface SampleOptions {
  /** Samples to take, at least. */
  minSamples: number;
  /** Seconds of sampling once minSamples are in (Benchmark.js's maxTime). */
  maxTime: number;
  /** Seconds one sample should last at least (Benchmark.js's minTime; calls per sample follow). */
  minTime: number;
}

export interface Sampled {
  /** Seconds per call, one entry per sample (each the mean over `count` calls). */
  perCall: number[];
  /** Mean seconds per call and its relative margin of error (%), both from Benchmark.js. */
  mean: number;
  rme: number;
  count: number;
}

function collect(options: Benchmark.Options): Promise<Sampled> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark({
      ...options,
      onError() {
        reject(bench.error);
      },
      onComplete() {
        const b = bench;
        if (b.error) return reject(b.error);
        resolve({ perCall: [...b.stats.sample], mean: b.stats.mean, rme: b.stats.rme, count: b.count });
      },
    });
    bench.run({ async: true });
  });
}

/** Samples a synchronous call. */
export function sampleSync(fn: () => void, o: SampleOptions): Promise<Sampled> {
  return collect({ fn, minSamples: o.minSamples, maxTime: o.maxTime, minTime: o.minTime, delay: 0 });
}

/** Samples a synchronous call without yielding to the event loop (Benchmark.js's synchronous run). */
export function sampleBlocking(fn: () => void, o: SampleOptions): Sampled {
  const bench = new Benchmark({
    fn,
    minSamples: o.minSamples,
    maxTime: o.maxTime,
    minTime: o.minTime,
    delay: 0,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  return {
    perCall: [...bench.stats.sample],
    mean: bench.stats.mean,
    rme: bench.stats.rme,
    count: bench.count,
  };
}

/** Samples an asynchronous call (Benchmark.js's deferred mode); a rejection ends the sampling with it. */
export function sampleAsync(fn: () => Promise<unknown>, o: SampleOptions): Promise<Sampled> {
  let failure: unknown = null;
  return collect({
    defer: true,
    fn(deferred: Benchmark.Deferred) {
      if (failure !== null) return deferred.resolve();
      fn().then(
        () => deferred.resolve(),
        (error) => {
          failure = error;
          deferred.benchmark.abort();
          deferred.resolve();
        },
      );
    },
    minSamples: o.minSamples,
    maxTime: o.maxTime,
    minTime: o.minTime,
    delay: 0,
    onAbort() {
      // surfaced by the wrapper below: Benchmark.js completes an aborted run without an error
    },
  }).then((s) => {
    if (failure !== null) throw failure;
    return s;
  });
}
