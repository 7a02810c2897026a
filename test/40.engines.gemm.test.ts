// Engine gemm against the float64 reference: every transpose case over odd and even shapes in
// 1..67 (edges of every register block), alpha/beta combinations, and beta = 0 ignoring NaN in C.
import { describe, expect, test } from 'vitest';
import { Random } from '../lib/random.js';
import { engines } from './helpers/engines.js';
import { referenceGemm } from './helpers/reference.js';

const DIMS = [1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 31, 32, 33, 63, 64, 65, 67];
const ALPHA_BETA: [number, number][] = [];
for (const alpha of [1, 0.5, -2]) for (const beta of [0, 1, 0.25]) ALPHA_BETA.push([alpha, beta]);
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
/** float32 unit roundoff, 2^-24. */
const U = 2 ** -24;

const rng = new Random(40);
const POOL = new Float32Array(32768);
for (let i = 0; i < POOL.length; i++) POOL[i] = rng.range(-1, 1);

function slice(size: number, from: number): Float32Array {
  return POOL.slice(from % 997, (from % 997) + size);
}

/**
 * Compares C against the reference with the classic bound for a k-term float32 dot product:
 * |error| <= 2 k u (|alpha| sum |a b| + |beta c|). Returns a description of the first failure.
 */
function check(
  gemm: (typeof engines)[number]['gemm'],
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta: number,
  seed: number,
): string | null {
  const A = slice(m * k, seed);
  const B = slice(k * n, seed * 7 + 3);
  const C0 = slice(m * n, seed * 13 + 5);
  const C = C0.slice();
  gemm(transA, transB, m, n, k, alpha, A, B, beta, C);
  const magnitude = new Float64Array(m * n);
  const expected = referenceGemm(transA, transB, m, n, k, alpha, A, B, beta, C0, magnitude);
  for (let i = 0; i < m * n; i++) {
    const bound = 2 * (k + 2) * U * (magnitude[i] + Math.abs(beta * C0[i])) + 1e-30;
    if (!(Math.abs(C[i] - expected[i]) <= bound)) {
      return `transA=${transA} transB=${transB} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}: C[${i}] = ${C[i]}, expected ${expected[i]}`;
    }
  }
  return null;
}

describe.each(engines)('$name engine: gemm', (engine) => {
  test(`${engine.name}: arrays shorter than the shape need are a RangeError naming the argument`, () => {
    const a = new Float32Array(6);
    expect(() =>
      engine.gemm(false, false, 2, 3, 3, 1, new Float32Array(5), new Float32Array(9), 0, a),
    ).toThrow(RangeError);
    expect(() =>
      engine.gemm(false, false, 2, 3, 3, 1, new Float32Array(6), new Float32Array(8), 0, a),
    ).toThrow(/B/);
    expect(() =>
      engine.gemm(false, false, 2, 3, 3, 1, new Float32Array(6), new Float32Array(9), 0, new Float32Array(5)),
    ).toThrow(/C/);
    expect(() => engine.gemm(false, false, -1, 3, 3, 1, a, a, 0, a)).toThrow(RangeError);
  });

  test.each(TRANSPOSES)(
    `${engine.name}: transA=%s transB=%s equals the reference for m, n, k in 1..67`,
    (ta, tb) => {
      const failures: string[] = [];
      let index = 0;
      for (const m of DIMS) {
        for (const n of DIMS) {
          for (const k of DIMS) {
            const [alpha, beta] = ALPHA_BETA[index % ALPHA_BETA.length];
            const failure = check(engine.gemm, ta, tb, m, n, k, alpha, beta, index);
            if (failure !== null && failures.length < 5) failures.push(failure);
            index++;
          }
        }
      }
      expect(failures).toEqual([]);
    },
  );

  test(`${engine.name}: every alpha x beta on a few shapes of each kind`, () => {
    const failures: string[] = [];
    const shapes = [
      [1, 1, 1],
      [3, 5, 7],
      [4, 4, 4],
      [17, 33, 65],
      [67, 65, 63],
      [64, 128, 200],
    ];
    let seed = 0;
    for (const [ta, tb] of TRANSPOSES) {
      for (const [m, n, k] of shapes) {
        for (const [alpha, beta] of ALPHA_BETA) {
          const failure = check(engine.gemm, ta, tb, m, n, k, alpha, beta, seed++);
          if (failure !== null) failures.push(failure);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  test.each([
    [2, 3, 4],
    [65, 67, 33],
  ])(`${engine.name}: beta = 0 overwrites NaN in C (m=%i n=%i k=%i)`, (m, n, k) => {
    for (const [ta, tb] of TRANSPOSES) {
      const A = slice(m * k, 1);
      const B = slice(k * n, 2);
      const C = new Float32Array(m * n).fill(Number.NaN);
      engine.gemm(ta, tb, m, n, k, 0.5, A, B, 0, C);
      const expected = referenceGemm(ta, tb, m, n, k, 0.5, A, B, 0, C);
      let worst = 0;
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(C[i] - expected[i]));
      expect(worst).toBeLessThan(1e-4); // NaN would fail here: NaN < 1e-4 is false
    }
  });

  test(`${engine.name}: k = 0 gives beta * C (zeros when beta = 0, even over NaN)`, () => {
    const C = new Float32Array([1, 2, 3, Number.NaN]);
    engine.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 0, C);
    expect(Array.from(C)).toEqual([0, 0, 0, 0]);
    const D = new Float32Array([1, 2, 3, 4]);
    engine.gemm(true, true, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 0.5, D);
    expect(Array.from(D)).toEqual([0.5, 1, 1.5, 2]);
  });

  test(`${engine.name}: m = 0 or n = 0 leaves C untouched`, () => {
    const C = new Float32Array([7]);
    engine.gemm(false, false, 0, 5, 3, 1, new Float32Array(0), new Float32Array(15), 0, C);
    engine.gemm(false, false, 5, 0, 3, 1, new Float32Array(15), new Float32Array(0), 0, C);
    expect(C[0]).toBe(7);
  });
});
