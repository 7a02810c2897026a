// One trial of the comparison, in its own process (bench/versus/suite.ts starts it): fastmlp's
// public API (fit, predict; a fit's peak memory) or onnxruntime-node's inference, on one
// architecture at one thread count, sampled in process by Benchmark.js (bench/sampling.ts).
// Prints one marked JSON line (MARKER, bench/types.ts): a TrialResult.
// Usage: node [--expose-gc] --import tsx bench/versus/node-trial.ts '<TrialSpec as JSON>'
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeEngine } from '../../lib/engine/native.js';
import type { FitArrays } from '../../lib/fit-arrays.js';
import { Network } from '../../lib/index.js';
import { type Sampled, type SampleOptions, sampleAsync, sampleSync } from '../sampling.js';
import { MARKER } from '../types.js';
import { archById, EPOCHS_PER_CALL, fastmlpOptions, trainFlopsPerSample } from './archs.js';
import {
  FIT_SAMPLING,
  LOSS_MUST_FALL_TO,
  PREDICT_BATCHES,
  type TrialResult,
  type TrialSpec,
} from './protocol.js';

/**
 * A float32 file read straight into its own Float32Array: no intermediate Buffer left for the
 * garbage collector, whose later release (60 MB for the memory trial's X) would otherwise land
 * inside the measured fit and cancel the copy it makes (growth read as ~0 in some trials).
 */
const f32 = (path: string): Float32Array => {
  const out = new Float32Array(statSync(path).size / 4);
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(out.buffer);
    for (let at = 0; at < bytes.length; ) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) throw new Error(`${path}: ended after ${at} of ${bytes.length} bytes`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
};

/** Sampling budgets: `slow` for fit() calls (FIT_SAMPLING, as the Python contenders), else short calls. */
const budget = (quick: boolean, slow = false): SampleOptions =>
  slow
    ? { ...FIT_SAMPLING[quick ? 'quick' : 'full'], minTime: quick ? 0 : 0.05 }
    : quick
      ? { minSamples: 2, maxTime: 0.05, minTime: 0 }
      : { minSamples: 5, maxTime: 1, minTime: 0.05 };

const rate = (s: Sampled, per: number) => ({ value: per / s.mean, rme: s.rme, samples: s.perCall.length });

async function train(spec: TrialSpec): Promise<TrialResult> {
  const arch = archById(spec.arch);
  const X = f32(spec.data.x);
  const y = f32(spec.data.y);
  const rows = spec.data.rows;
  const net = new Network(fastmlpOptions(arch, spec.threads));
  const options = { epochs: EPOCHS_PER_CALL, batchSize: arch.batch };
  const first = (await net.fit(X, y, options)).loss[0]; // also the warm-up (workspaces, threads, JIT)
  let last = first;
  const fit = await sampleAsync(
    async () => {
      last = (await net.fit(X, y, options)).loss.at(-1) ?? Number.NaN;
    },
    budget(spec.quick, true),
  );
  const metrics: TrialResult & { status: 'ok' } = {
    status: 'ok',
    metrics: { fit: rate(fit, rows * EPOCHS_PER_CALL) },
    check: lossCheck(first, last),
    info: { flopsPerSample: trainFlopsPerSample(arch) },
  };
  // 512^3 sgemm on the same cores, right after: the rate the training step's products could reach
  const engine = nativeEngine();
  if (engine) {
    const n = 512;
    const A = new Float32Array(n * n).fill(0.5);
    const B = new Float32Array(n * n).fill(0.25);
    const C = new Float32Array(n * n);
    const s = await sampleSync(() => engine.gemm(false, false, n, n, n, 1, A, B, 0, C), budget(spec.quick));
    metrics.metrics.sgemm512 = rate(s, (2 * n * n * n) / 1e9);
  }
  if (spec.startup) {
    // the cost of one fit() call of 1 epoch against an epoch inside a 4-epoch fit, each side
    // sampled after an unsampled call: the sgemm's second of sampling outlasts FitArrays' grace
    // period (SPARE_GRACE_MS), so the first fit after it takes fresh pages for its copy of X (the
    // kernel zeroes them), which only the side sampled first would pay: mnist 1t 1.30x with it,
    // 1.07x without (`npm run bench -- --only fit-vs --archs mnist --threads 1 --trials 3`). Both sides are then fits back to back; a cold fit pays those pages once,
    // whatever its epochs.
    const epochs = (n: number) => () => net.fit(X, y, { ...options, epochs: n });
    await epochs(1)();
    const one = await sampleAsync(epochs(1), budget(spec.quick, true));
    await epochs(4)();
    const four = await sampleAsync(epochs(4), budget(spec.quick, true));
    metrics.metrics.startup = {
      value: one.mean / (four.mean / 4),
      rme: Math.hypot(one.rme, four.rme),
      samples: 1,
    };
  }
  return metrics;
}

export function lossCheck(first: number, last: number): { passed: boolean; detail: string } {
  const passed = Number.isFinite(first) && Number.isFinite(last) && last <= first * LOSS_MUST_FALL_TO;
  return {
    passed,
    detail: `training loss ${first.toPrecision(4)} (first epoch) -> ${last.toPrecision(4)} (last epoch): must fall to ${LOSS_MUST_FALL_TO}x or below`,
  };
}

/** Peak RSS growth of one fit beyond the caller's data (X, y already in memory before the mark). */
async function memory(spec: TrialSpec): Promise<TrialResult> {
  if (process.platform !== 'linux') return { status: 'skipped', reason: 'peak RSS needs /proc (Linux)' };
  const status = (key: string): number => {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  };
  const arch = archById(spec.arch);
  const X = f32(spec.data.x);
  const y = f32(spec.data.y);
  const net = new Network(fastmlpOptions(arch, spec.threads));
  net.predict(X.subarray(0, arch.inputs)); // the engine loaded before the mark
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5'); // peak RSS mark := current RSS (Linux >= 4.0)
  const before = status('VmRSS');
  const h = await net.fit(X, y, { epochs: 1, batchSize: arch.batch });
  const growth = status('VmHWM') - before;
  // the arrays the fit took (its copy of X, the targets, the shuffled order), exact: what grows
  // with the rows; the rest of the growth is model-sized (bench/fit-memory-parts.ts splits it)
  const arrays = (net as unknown as { runtime: { fitArrays: FitArrays } }).runtime.fitArrays.spareBytes;
  const rowBytes = (arch.inputs + 1) * 4; // one row of X and its label, as the caller passed them
  return {
    status: 'ok',
    metrics: {
      growthMB: { value: growth / 2 ** 20, rme: 0, samples: 1 },
      growthCopies: { value: growth / rowBytes / spec.data.rows, rme: 0, samples: 1 },
      arraysCopies: { value: arrays / rowBytes / spec.data.rows, rme: 0, samples: 1 },
      restMB: { value: (growth - arrays) / 2 ** 20, rme: 0, samples: 1 },
    },
    check: {
      // below the mark: something freed during the fit hid its allocations; the figure is void
      passed: Number.isFinite(h.loss[0]) && growth >= 0,
      detail: `the fit's loss ${h.loss[0].toPrecision(4)} is finite, and the peak RSS (${(growth / 2 ** 20).toFixed(1)} MB over the mark) is not below the mark`,
    },
    info: { dataMB: (X.byteLength + y.byteLength) / 2 ** 20, rows: spec.data.rows },
  };
}

async function predictFastmlp(spec: TrialSpec): Promise<TrialResult> {
  const arch = archById(spec.arch);
  const X = f32(spec.data.x);
  const net = new Network(fastmlpOptions(arch, spec.threads));
  const metrics: Record<string, { value: number; rme: number; samples: number }> = {};
  for (const b of PREDICT_BATCHES) {
    const input = X.subarray(0, b * arch.inputs);
    const s = await sampleSync(() => net.predict(input), budget(spec.quick));
    metrics[`b${b}`] = b === 1 ? { value: s.mean * 1e6, rme: s.rme, samples: s.perCall.length } : rate(s, b);
  }
  const big = PREDICT_BATCHES.at(-1) as number;
  const arrays = Array.from({ length: big }, (_, r) =>
    Array.from(X.subarray(r * arch.inputs, (r + 1) * arch.inputs)),
  );
  metrics[`b${big}-arrays`] = rate(await sampleSync(() => net.predict(arrays), budget(spec.quick)), big);
  return { status: 'ok', metrics, check: { passed: true, detail: 'fastmlp is the reference' } };
}

/** onnxruntime-node on the model fastmlp exports (when net.export exists: the interop issue). */
async function predictOrt(spec: TrialSpec): Promise<TrialResult> {
  const arch = archById(spec.arch);
  const net = new Network(fastmlpOptions(arch, spec.threads)) as Network & {
    export?: (path: string, options: { format: string }) => unknown;
  };
  if (typeof net.export !== 'function') return { status: 'skipped', reason: 'ONNX export not available' };
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    return { status: 'skipped', reason: `onnxruntime-node not installed: ${String(error).split('\n')[0]}` };
  }
  const path = join(tmpdir(), `fastmlp-bench-${process.pid}-${arch.id}.onnx`);
  try {
    await net.export(path, { format: 'onnx' });
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: spec.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    const X = f32(spec.data.x);
    const [input] = session.inputNames;
    const [output] = session.outputNames;
    const run = async (b: number) => {
      const t = new ort.Tensor('float32', X.subarray(0, b * arch.inputs), [b, arch.inputs]);
      const out = await session.run({ [input]: t });
      return out[output].data as Float32Array;
    };
    // same outputs as fastmlp's predict on the same weights, or the timing means nothing
    const rows = 16;
    const want = net.predict(X.subarray(0, rows * arch.inputs));
    const got = await run(rows);
    let worst = got.length === want.length ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    const check = {
      passed: worst <= 1e-4,
      detail: `${rows} rows vs fastmlp's predict: max abs diff ${worst.toExponential(1)}`,
    };
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    const metrics: Record<string, { value: number; rme: number; samples: number }> = {};
    for (const b of PREDICT_BATCHES) {
      const s = await sampleAsync(() => run(b), budget(spec.quick));
      metrics[`b${b}`] =
        b === 1 ? { value: s.mean * 1e6, rme: s.rme, samples: s.perCall.length } : rate(s, b);
    }
    return { status: 'ok', metrics, check, info: { includes: 'new ort.Tensor + session.run' } };
  } finally {
    rmSync(path, { force: true });
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TrialSpec;
  let result: TrialResult;
  try {
    if (spec.contender === 'ort') result = await predictOrt(spec);
    else if (!nativeEngine()) result = { status: 'skipped', reason: 'fastmlp native addon not built' };
    else if (spec.kind === 'train') result = await train(spec);
    else if (spec.kind === 'memory') result = await memory(spec);
    else result = await predictFastmlp(spec);
  } catch (error) {
    result = {
      status: 'failed',
      reason: (error instanceof Error ? error.message : String(error)).split('\n')[0],
    };
  }
  process.stdout.write(`\n${MARKER}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
