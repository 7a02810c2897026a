// gemm GFLOP/s: squares, and the three products of backprop for a 784-128-10 network's first
// layer at batch 64 and 1024 (forward XW, weight gradient X^T dZ, input gradient dZ W^T).
// Every engine's C is checked against a float64 dot product on sampled entries before timing.
import { Random } from '../../lib/random.js';
import { randomArray } from '../fixtures.js';
import { measureSync } from '../measure.js';
import type { CaseSpec, Check, Outcome, Subject, TrialContext, Workload } from '../types.js';

interface Shape {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

function gemmCase(id: string, label: string, s: Shape): CaseSpec {
  return { id, label, unit: 'GFLOP/s', higherIsBetter: true, params: { ...s } };
}

function backpropCases(batch: number): CaseSpec[] {
  return [
    gemmCase(`xw-b${batch}`, `XW (${batch}x784)(784x128)`, {
      m: batch,
      n: 128,
      k: 784,
      transA: false,
      transB: false,
    }),
    gemmCase(`dw-b${batch}`, `X^T dZ (784x${batch})(${batch}x128) tA`, {
      m: 784,
      n: 128,
      k: batch,
      transA: true,
      transB: false,
    }),
    gemmCase(`dx-b${batch}`, `dZ W^T (${batch}x128)(128x784) tB`, {
      m: batch,
      n: 784,
      k: 128,
      transA: false,
      transB: true,
    }),
  ];
}

const square = (n: number): CaseSpec =>
  gemmCase(`sq${n}`, `${n}^3`, { m: n, n, k: n, transA: false, transB: false });

export function shapeOf(c: CaseSpec): Shape {
  const p = c.params;
  return {
    m: Number(p.m),
    n: Number(p.n),
    k: Number(p.k),
    transA: p.transA === true,
    transB: p.transB === true,
  };
}

/** Sampled entries of C checked: every corner and a seeded spread in between. */
const CHECKED_ENTRIES = 256;
/** |C - ref| / sum_p |a b| allowed: float32 accumulation over k <= 1024 stays far below it. */
const TOLERANCE = 1e-4;

export function checkProduct(s: Shape, A: Float32Array, B: Float32Array, C: ArrayLike<number>): Check {
  const rng = new Random(99);
  const total = s.m * s.n;
  const picks = new Set<number>([0, s.n - 1, total - s.n, total - 1]);
  while (picks.size < Math.min(total, CHECKED_ENTRIES)) picks.add(rng.int(total));
  let worst = 0;
  for (const at of picks) {
    const i = Math.floor(at / s.n);
    const j = at % s.n;
    let sum = 0;
    let mag = 0;
    for (let p = 0; p < s.k; p++) {
      const a = s.transA ? A[p * s.m + i] : A[i * s.k + p];
      const b = s.transB ? B[j * s.k + p] : B[p * s.n + j];
      sum += a * b;
      mag += Math.abs(a * b);
    }
    const err = Math.abs(C[at] - sum) / (mag || 1);
    worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : Math.max(worst, err);
  }
  return {
    passed: worst <= TOLERANCE,
    detail: `${picks.size} entries vs float64, max rel err ${worst.toExponential(1)}`,
  };
}

export const gemm: Workload = {
  name: 'gemm',
  title: 'gemm throughput, C = op(A) op(B) (alpha 1, beta 0)',
  engines: ['native-1t', 'native-2t', 'ts', 'tfjs-cpu', 'tfjs-wasm', 'openblas-1t', 'openblas-2t'],
  cases(quick) {
    if (quick) return [square(64), square(256), ...backpropCases(64)];
    return [64, 128, 256, 512, 1024].map(square).concat(backpropCases(64), backpropCases(1024));
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    const s = shapeOf(c);
    const rng = new Random(1);
    const A = randomArray(rng, s.m * s.k);
    const B = randomArray(rng, s.k * s.n);
    const gflop = (2 * s.m * s.n * s.k) / 1e9;
    if (subject.kind === 'fastmlp') {
      const { engine } = subject;
      const C = new Float32Array(s.m * s.n).fill(Number.NaN); // beta = 0 must overwrite NaN
      engine.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, B, 0, C);
      const check = checkProduct(s, A, B, C);
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const { perCall } = measureSync(
        () => engine.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, B, 0, C),
        ctx.budget,
      );
      return { status: 'ok', values: perCall.map((t) => gflop / t), check };
    }
    const { tf } = subject;
    const a = tf.tensor2d(A, s.transA ? [s.k, s.m] : [s.m, s.k]);
    const b = tf.tensor2d(B, s.transB ? [s.n, s.k] : [s.k, s.n]);
    const first = tf.matMul(a, b, s.transA, s.transB);
    const check = checkProduct(s, A, B, first.dataSync());
    first.dispose();
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    // dataSync: the product is computed (and readable) before the clock stops, as fastmlp's is
    const { perCall } = measureSync(() => {
      const out = tf.matMul(a, b, s.transA, s.transB);
      out.dataSync();
      out.dispose();
    }, ctx.budget);
    a.dispose();
    b.dispose();
    return {
      status: 'ok',
      values: perCall.map((t) => gflop / t),
      check,
      info: { includes: 'matMul + dataSync' },
    };
  },
};
