// Seeded toy data generators: moons, circles, classification (the seeds' "linearly separable" set)
// and xor. The geometry follows scikit-learn's make_moons / make_circles / make_classification;
// the random numbers come from our Random, so values match sklearn's in distribution, not bit for bit.

import { Random } from '../random.js';
import {
  checkBoolean,
  checkNoise,
  checkNumber,
  checkOpenUnit,
  checkOptions,
  checkSamples,
  checkSeed,
  invalidValue,
} from './validate.js';

/** A labelled data set: X is (samples, features), y holds a binary label or class index per row. */
export interface Dataset {
  X: number[][];
  y: number[];
  classNames?: string[];
  featureNames?: string[];
}

/**
 * The same data set with `float32: true`: X row-major in one Float32Array (`columns` values per row),
 * y one label per row; what fit, evaluate and trainTestSplit take as they are. No array per row,
 * so generating it leaves next to nothing for the garbage collector (a server retraining on its
 * event loop wants that: examples/server.ts).
 */
export interface Float32Dataset {
  X: Float32Array;
  y: Float32Array;
  columns: number;
}

/** Every generator's output option. */
interface OutputOption {
  /** Return X and y as Float32Arrays (a Float32Dataset) instead of number[][] and number[]. Default false. */
  float32?: boolean;
}

export interface MoonsOptions extends OutputOption {
  /** Total points, a positive integer; the outer moon gets floor(samples / 2). Default 100. */
  samples?: number;
  /** Standard deviation of gaussian noise added to each coordinate, >= 0. Default 0. */
  noise?: number;
  /** Seed for the shuffle and the noise, an integer in 0..2^32-1. Default 0. */
  seed?: number;
}

export interface CirclesOptions extends MoonsOptions {
  /** Radius of the inner circle relative to the outer one, strictly between 0 and 1. Default 0.8. */
  factor?: number;
}

export interface ClassificationOptions extends OutputOption {
  /** Total points, a positive integer; class 0 gets ceil(samples / 2). Default 100. */
  samples?: number;
  /** Seed, an integer in 0..2^32-1. Default 0. */
  seed?: number;
  /** Half the side of the hypercube whose vertices hold the cluster centres, > 0. Default 1 (sklearn's). */
  classSep?: number;
  /** Fraction of labels replaced by a random class, in [0, 1]. Default 0.01 (sklearn's). */
  flipY?: number;
}

export interface XorOptions extends OutputOption {
  /** Total points, a positive integer; 4 with noise 0 gives the exact truth table. Default 4. */
  samples?: number;
  /** Standard deviation of gaussian noise added around each corner, >= 0. Default 0. */
  noise?: number;
  /** Seed, an integer in 0..2^32-1. Default 0. */
  seed?: number;
}

// --- helpers

/**
 * A generated set while it is being made: 2 coordinates per row in one Float64Array (row-major) and a
 * label per row. Every generator works on this flat form, then hands it out as rows or as
 * Float32Arrays (`output`), so both forms hold the same values (float32 rounds them once, at the end).
 */
interface Points {
  xs: Float64Array;
  y: Float64Array;
}

function points(samples: number): Points {
  return { xs: new Float64Array(2 * samples), y: new Float64Array(samples) };
}

/** numpy.linspace(start, stop, n, endpoint): the i-th of n evenly spaced values; with endpoint the last is stop exactly. */
function linspaceAt(start: number, stop: number, n: number, i: number, endpoint = true): number {
  if (endpoint && n > 1 && i === n - 1) return stop;
  const div = endpoint ? n - 1 : n;
  const step = div > 0 ? (stop - start) / div : 0;
  return start + i * step;
}

/** Reorders the rows by one seeded permutation (sklearn.utils.shuffle). */
function shuffleRows(p: Points, rng: Random): Points {
  const n = p.y.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const out = points(n);
  for (let r = 0; r < n; r++) {
    const i = order[r];
    out.xs[2 * r] = p.xs[2 * i];
    out.xs[2 * r + 1] = p.xs[2 * i + 1];
    out.y[r] = p.y[i];
  }
  return out;
}

/** Gaussian noise on each coordinate, row by row. */
function addNoise(p: Points, noise: number, rng: Random): void {
  if (noise === 0) return;
  for (let k = 0; k < p.xs.length; k++) p.xs[k] += rng.normal(0, noise);
}

/** Two points per row along two curves: the first floor(samples / 2) rows label 0, the rest label 1. */
function twoCurves(
  samples: number,
  angle: (i: number, n: number) => number,
  outer: (t: number) => [number, number],
  inner: (t: number) => [number, number],
): Points {
  const p = points(samples);
  const nOut = Math.floor(samples / 2);
  const nIn = samples - nOut;
  for (let i = 0; i < samples; i++) {
    const isInner = i >= nOut;
    const [a, b] = isInner ? inner(angle(i - nOut, nIn)) : outer(angle(i, nOut));
    p.xs[2 * i] = a;
    p.xs[2 * i + 1] = b;
    p.y[i] = isInner ? 1 : 0;
  }
  return p;
}

function output(p: Points, float32: boolean): Dataset | Float32Dataset {
  if (float32) return { X: Float32Array.from(p.xs), y: Float32Array.from(p.y), columns: 2 };
  const X: number[][] = new Array(p.y.length);
  for (let i = 0; i < X.length; i++) X[i] = [p.xs[2 * i], p.xs[2 * i + 1]];
  return { X, y: Array.from(p.y) };
}

const outputKey = 'float32';

// --- generators

/**
 * Two interleaving half circles (sklearn make_moons): the outer (cos t, sin t) is label 0, the inner
 * (1 - cos t, 0.5 - sin t) label 1, t evenly spaced over [0, pi]; shuffled, then noise is added.
 */
export function moons(options: MoonsOptions & { float32: true }): Float32Dataset;
export function moons(options?: MoonsOptions & { float32?: false }): Dataset;
export function moons(options?: MoonsOptions): Dataset | Float32Dataset;
export function moons(options?: MoonsOptions): Dataset | Float32Dataset {
  const o = checkOptions('moons', options, ['samples', 'noise', 'seed', outputKey]);
  const samples = checkSamples(o.samples ?? 100);
  const noise = checkNoise(o.noise ?? 0);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const float32 = checkBoolean(outputKey, o.float32 ?? false);

  const p = twoCurves(
    samples,
    (i, n) => linspaceAt(0, Math.PI, n, i),
    (t) => [Math.cos(t), Math.sin(t)],
    (t) => [1 - Math.cos(t), 1 - Math.sin(t) - 0.5],
  );
  // sklearn's order: shuffle first, then noise, so both draw from one stream like make_moons does
  const out = shuffleRows(p, rng);
  addNoise(out, noise, rng);
  return output(out, float32);
}

/**
 * A large circle (label 0, radius 1) around a small one (label 1, radius `factor`), angles evenly
 * spaced over [0, 2 pi) without the endpoint (sklearn make_circles); shuffled, then noise is added.
 */
export function circles(options: CirclesOptions & { float32: true }): Float32Dataset;
export function circles(options?: CirclesOptions & { float32?: false }): Dataset;
export function circles(options?: CirclesOptions): Dataset | Float32Dataset;
export function circles(options?: CirclesOptions): Dataset | Float32Dataset {
  const o = checkOptions('circles', options, ['samples', 'noise', 'factor', 'seed', outputKey]);
  const samples = checkSamples(o.samples ?? 100);
  const noise = checkNoise(o.noise ?? 0);
  const factor = checkOpenUnit('factor', o.factor ?? 0.8);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const float32 = checkBoolean(outputKey, o.float32 ?? false);

  const p = twoCurves(
    samples,
    (i, n) => linspaceAt(0, 2 * Math.PI, n, i, false),
    (t) => [Math.cos(t), Math.sin(t)],
    (t) => [factor * Math.cos(t), factor * Math.sin(t)],
  );
  const out = shuffleRows(p, rng);
  addNoise(out, noise, rng);
  return output(out, float32);
}

/**
 * The seeds' "linearly separable" set: sklearn make_classification(n_features=2, n_informative=2,
 * n_redundant=0, n_clusters_per_class=1), then X += 2 * uniform [0, 1) jitter per coordinate.
 * Each class is one gaussian cluster centred on a distinct random vertex of the square
 * [-classSep, classSep]^2, stretched by its own random 2x2 matrix with entries in [-1, 1).
 */
export function classification(options: ClassificationOptions & { float32: true }): Float32Dataset;
export function classification(options?: ClassificationOptions & { float32?: false }): Dataset;
export function classification(options?: ClassificationOptions): Dataset | Float32Dataset;
export function classification(options?: ClassificationOptions): Dataset | Float32Dataset {
  const o = checkOptions('classification', options, ['samples', 'seed', 'classSep', 'flipY', outputKey]);
  const samples = checkSamples(o.samples ?? 100);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const classSep = checkNumber('classSep', o.classSep ?? 1);
  if (!(Number.isFinite(classSep) && classSep > 0))
    throw invalidValue('classSep', 'a finite number > 0', classSep);
  const flipY = checkNumber('flipY', o.flipY ?? 0.01);
  if (!(flipY >= 0 && flipY <= 1)) throw invalidValue('flipY', 'a number from 0 to 1', flipY);
  const float32 = checkBoolean(outputKey, o.float32 ?? false);

  // two distinct vertices of the unit square (sklearn's _generate_hypercube), mapped to +-classSep
  const vertices = [0, 1, 2, 3];
  rng.shuffle(vertices);
  const centroids = vertices
    .slice(0, 2)
    .map((v) => [(v & 1) * 2 * classSep - classSep, (v >> 1) * 2 * classSep - classSep]);

  // sklearn gives each cluster floor(samples / 2) and hands the remainder to the first clusters
  const sizes = [samples - Math.floor(samples / 2), Math.floor(samples / 2)];
  const p = points(samples);
  for (let k = 0; k < p.xs.length; k++) p.xs[k] = rng.normal();
  let start = 0;
  for (let k = 0; k < 2; k++) {
    // X_k = X_k @ A + centroid with A = 2 * uniform(2, 2) - 1: a random covariance per cluster
    const a = [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)];
    for (let i = start; i < start + sizes[k]; i++) {
      const x0 = p.xs[2 * i];
      const x1 = p.xs[2 * i + 1];
      p.xs[2 * i] = x0 * a[0] + x1 * a[2] + centroids[k][0];
      p.xs[2 * i + 1] = x0 * a[1] + x1 * a[3] + centroids[k][1];
      p.y[i] = k;
    }
    start += sizes[k];
  }
  // flip_y: a random fraction of labels is redrawn uniformly (so about half of those change)
  for (let i = 0; i < samples; i++) if (rng.uniform() < flipY) p.y[i] = rng.int(2);

  const out = shuffleRows(p, rng);
  // sklearn also permutes the feature columns
  if (rng.uniform() < 0.5) {
    for (let i = 0; i < samples; i++) {
      const x0 = out.xs[2 * i];
      out.xs[2 * i] = out.xs[2 * i + 1];
      out.xs[2 * i + 1] = x0;
    }
  }
  for (let k = 0; k < out.xs.length; k++) out.xs[k] += 2 * rng.uniform();
  return output(out, float32);
}

const XOR_X = [0, 0, 0, 1, 1, 0, 1, 1];
const XOR_Y = [0, 1, 1, 0];

/**
 * XOR: samples 4 gives the truth table in order (plus noise if asked); any other count deals the
 * four corners round-robin (so classes stay balanced), adds gaussian noise and shuffles.
 */
export function xor(options: XorOptions & { float32: true }): Float32Dataset;
export function xor(options?: XorOptions & { float32?: false }): Dataset;
export function xor(options?: XorOptions): Dataset | Float32Dataset;
export function xor(options?: XorOptions): Dataset | Float32Dataset {
  const o = checkOptions('xor', options, ['samples', 'noise', 'seed', outputKey]);
  const samples = checkSamples(o.samples ?? 4);
  const noise = checkNoise(o.noise ?? 0);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const float32 = checkBoolean(outputKey, o.float32 ?? false);

  const p = points(samples);
  for (let i = 0; i < samples; i++) {
    p.xs[2 * i] = XOR_X[2 * (i % 4)];
    p.xs[2 * i + 1] = XOR_X[2 * (i % 4) + 1];
    p.y[i] = XOR_Y[i % 4];
  }
  const out = samples === 4 ? p : shuffleRows(p, rng);
  addNoise(out, noise, rng);
  return output(out, float32);
}
