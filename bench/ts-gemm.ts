// GFLOP/s of the pure-TypeScript engine's gemm on a few shapes, each checked against a plain
// float64 triple loop before it is timed. Run: npx tsx bench/ts-gemm.ts
import { tsEngine } from '../lib/engine/ts/index.js';
import { Random } from '../lib/random.js';

interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const shapes: Shape[] = [
  { label: '64^3', m: 64, n: 64, k: 64, transA: false, transB: false },
  { label: '256^3', m: 256, n: 256, k: 256, transA: false, transB: false },
  { label: '512^3', m: 512, n: 512, k: 512, transA: false, transB: false },
  { label: '(64x784)(784x128)', m: 64, n: 128, k: 784, transA: false, transB: false },
  { label: 'dW: (784x64)(64x128), transA', m: 784, n: 128, k: 64, transA: true, transB: false },
  { label: 'dX: (64x128)(128x784), transB', m: 64, n: 784, k: 128, transA: false, transB: true },
];

function randomArray(rng: Random, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.range(-1, 1);
  return out;
}

/** Largest |fast - reference| / (sum_p |a b|) over C: the check that runs before timing. */
function check(s: Shape, A: Float32Array, B: Float32Array, C: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < s.m; i++) {
    for (let j = 0; j < s.n; j++) {
      let sum = 0;
      let mag = 0;
      for (let p = 0; p < s.k; p++) {
        const a = s.transA ? A[p * s.m + i] : A[i * s.k + p];
        const b = s.transB ? B[j * s.k + p] : B[p * s.n + j];
        sum += a * b;
        mag += Math.abs(a * b);
      }
      worst = Math.max(worst, Math.abs(C[i * s.n + j] - sum) / mag);
    }
  }
  return worst;
}

/** The baseline: a plain i-k-j loop (transA = transB = false), what the blocked kernel replaces. */
function naiveGemm(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void {
  C.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
    }
  }
}

/** Best-of-5 GFLOP/s of run(), each trial ~0.2 s after one warm-up trial. */
function measure(flops: number, run: () => void): number {
  const reps = Math.max(1, Math.round(4e8 / flops));
  for (let r = 0; r < reps; r++) run();
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 5; trial++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (flops * reps) / best / 1e9;
}

const rng = new Random(1);
for (const s of shapes) {
  const A = randomArray(rng, s.m * s.k);
  const B = randomArray(rng, s.k * s.n);
  const C = new Float32Array(s.m * s.n);
  tsEngine.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, B, 0, C);
  const err = check(s, A, B, C);
  if (!(err < 1e-5)) throw new Error(`${s.label}: wrong result (relative error ${err})`);
  const flops = 2 * s.m * s.n * s.k;
  const gflops = measure(flops, () => tsEngine.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, B, 0, C));
  let baseline = '';
  if (!s.transA && !s.transB) {
    const naive = measure(flops, () => naiveGemm(s.m, s.n, s.k, A, B, C));
    baseline = `  naive i-k-j ${naive.toFixed(2)} GFLOP/s (x${(gflops / naive).toFixed(1)})`;
  }
  console.log(
    `${s.label.padEnd(34)} ${gflops.toFixed(2)} GFLOP/s  (max rel err ${err.toExponential(1)})${baseline}`,
  );
}
