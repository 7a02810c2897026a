// The three targets measured through the native engine from Node (tsx), i.e. with the
// N-API crossing included: seed steps, one-row predict, 784-128-10 training rate. Not linted or
// built (outside lib/ and bench/); the C++ twin without Node is trainer_bench.cpp.
//   npx tsx native/bench/engine_bench.ts [threads]
import { nativeEngine } from '../../lib/engine/native.js';

const eng = nativeEngine()!;
const threads = Number(process.argv[2] ?? 2);
const opt = { kind: 'sgd' as const, learningRate: 0.01, momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, rho: 0.99, clipNorm: 0, clipValue: 0 };
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const glorot = (sizes: number[][]) => {
  const out: number[] = [];
  for (const [i, u] of sizes) {
    const r = Math.sqrt(6 / (i + u));
    for (let k = 0; k < i * u; k++) out.push((rnd() * 2 - 1) * r);
    for (let k = 0; k < u; k++) out.push(0);
  }
  return new Float32Array(out);
};

{ // seed: 2-3-1 sigmoid, 120 rows, full batch, 100k steps
  const plan = { layers: [{ inputs: 2, units: 3, activation: 'sigmoid' as const, useBias: true }, { inputs: 3, units: 1, activation: 'sigmoid' as const, useBias: true }], loss: 'sse' as const, optimizer: opt, batchSize: 120, threads: 1 };
  const X = new Float32Array(240).map(() => rnd() * 2 - 1);
  const Y = new Float32Array(120).map((_, i) => (X[2 * i] * X[2 * i + 1] > 0 ? 1 : 0));
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = eng.createTrainer(plan, glorot([[2, 3], [3, 1]]), new Float32Array(0));
    const losses = new Float64Array(100000);
    const t0 = performance.now();
    t.trainEpochs({ X, Y, rows: 120, order: null, epochs: 100000, batchSize: 120, step: 0, losses });
    times.push((performance.now() - t0) / 1000);
  }
  console.log(`seed 100k steps: ${median(times).toFixed(4)} s median of 5 [${times.map((t) => t.toFixed(3)).join(' ')}]`);
}
const mnist = (batch: number, th: number) => ({ layers: [{ inputs: 784, units: 128, activation: 'relu' as const, useBias: true }, { inputs: 128, units: 10, activation: 'softmax' as const, useBias: true }], loss: 'cross-entropy' as const, optimizer: { ...opt, learningRate: 0.05 }, batchSize: batch, threads: th });
{ // predict one row
  const t = eng.createTrainer(mnist(64, 1), glorot([[784, 128], [128, 10]]), new Float32Array(0));
  const x = new Float32Array(784).map(() => rnd());
  const out = new Float32Array(10);
  const us: number[] = [];
  for (let r = 0; r < 7; r++) {
    const n = 20000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) t.predict(x, 1, out);
    us.push(((performance.now() - t0) * 1000) / n);
  }
  console.log(`predict 784-128-10 rows=1: ${median(us).toFixed(2)} us median of 7`);
}
{ // training rate at batch 64
  const rows = 6400;
  const X = new Float32Array(rows * 784).map(() => (rnd() < 0.8 ? 0 : rnd()));
  const Y = new Float32Array(rows * 10);
  for (let i = 0; i < rows; i++) Y[i * 10 + Math.floor(rnd() * 10)] = 1;
  for (const th of [1, threads]) {
    const t = eng.createTrainer(mnist(64, th), glorot([[784, 128], [128, 10]]), new Float32Array(0));
    const rates: number[] = [];
    for (let r = 0; r < 7; r++) {
      const losses = new Float64Array(3);
      const t0 = performance.now();
      t.trainEpochs({ X, Y, rows, order: null, epochs: 3, batchSize: 64, step: 0, losses });
      rates.push((rows * 3) / ((performance.now() - t0) / 1000));
    }
    console.log(`mnist batch 64, ${th} thread(s): ${Math.round(median(rates))} samples/s median of 7`);
  }
}
