// Seeded toy data generators: moons, circles, classification (the seeds' "linearly separable" set)
// and xor. The geometry follows scikit-learn's make_moons / make_circles / make_classification;
// the random numbers come from our Random, so values match sklearn's in distribution, not bit for bit.

import { Random } from '../random.js';
import {
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

export interface MoonsOptions {
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

export interface ClassificationOptions {
  /** Total points, a positive integer; class 0 gets ceil(samples / 2). Default 100. */
  samples?: number;
  /** Seed, an integer in 0..2^32-1. Default 0. */
  seed?: number;
  /** Half the side of the hypercube whose vertices hold the cluster centres, > 0. Default 1 (sklearn's). */
  classSep?: number;
  /** Fraction of labels replaced by a random class, in [0, 1]. Default 0.01 (sklearn's). */
  flipY?: number;
}

export interface XorOptions {
  /** Total points, a positive integer; 4 with noise 0 gives the exact truth table. Default 4. */
  samples?: number;
  /** Standard deviation of gaussian noise added around each corner, >= 0. Default 0. */
  noise?: number;
  /** Seed, an integer in 0..2^32-1. Default 0. */
  seed?: number;
}

// --- helpers

/** numpy.linspace(start, stop, n, endpoint): n evenly spaced values; with endpoint the last is stop exactly. */
function linspace(start: number, stop: number, n: number, endpoint = true): number[] {
  const div = endpoint ? n - 1 : n;
  const step = div > 0 ? (stop - start) / div : 0;
  const out = Array.from({ length: n }, (_, i) => start + i * step);
  if (endpoint && n > 1) out[n - 1] = stop;
  return out;
}

/** Reorders X and y by one seeded permutation (sklearn.utils.shuffle). */
function shuffleRows(X: number[][], y: number[], rng: Random): Dataset {
  const order = Array.from({ length: X.length }, (_, i) => i);
  rng.shuffle(order);
  return { X: order.map((i) => X[i]), y: order.map((i) => y[i]) };
}

function addNoise(X: number[][], noise: number, rng: Random): void {
  if (noise === 0) return;
  for (const row of X) for (let j = 0; j < row.length; j++) row[j] += rng.normal(0, noise);
}

// --- generators

/**
 * Two interleaving half circles (sklearn make_moons): the outer (cos t, sin t) is label 0, the inner
 * (1 - cos t, 0.5 - sin t) label 1, t evenly spaced over [0, pi]; shuffled, then noise is added.
 */
export function moons(options?: MoonsOptions): Dataset {
  const o = checkOptions('moons', options, ['samples', 'noise', 'seed']);
  const samples = checkSamples(o.samples ?? 100);
  const noise = checkNoise(o.noise ?? 0);
  const rng = new Random(checkSeed(o.seed ?? 0));

  const nOut = Math.floor(samples / 2);
  const nIn = samples - nOut;
  const X: number[][] = [];
  const y: number[] = [];
  for (const t of linspace(0, Math.PI, nOut)) {
    X.push([Math.cos(t), Math.sin(t)]);
    y.push(0);
  }
  for (const t of linspace(0, Math.PI, nIn)) {
    X.push([1 - Math.cos(t), 1 - Math.sin(t) - 0.5]);
    y.push(1);
  }
  // sklearn's order: shuffle first, then noise, so both draw from one stream like make_moons does
  const out = shuffleRows(X, y, rng);
  addNoise(out.X, noise, rng);
  return out;
}

/**
 * A large circle (label 0, radius 1) around a small one (label 1, radius `factor`), angles evenly
 * spaced over [0, 2 pi) without the endpoint (sklearn make_circles); shuffled, then noise is added.
 */
export function circles(options?: CirclesOptions): Dataset {
  const o = checkOptions('circles', options, ['samples', 'noise', 'factor', 'seed']);
  const samples = checkSamples(o.samples ?? 100);
  const noise = checkNoise(o.noise ?? 0);
  const factor = checkOpenUnit('factor', o.factor ?? 0.8);
  const rng = new Random(checkSeed(o.seed ?? 0));

  const nOut = Math.floor(samples / 2);
  const nIn = samples - nOut;
  const X: number[][] = [];
  const y: number[] = [];
  for (const t of linspace(0, 2 * Math.PI, nOut, false)) {
    X.push([Math.cos(t), Math.sin(t)]);
    y.push(0);
  }
  for (const t of linspace(0, 2 * Math.PI, nIn, false)) {
    X.push([factor * Math.cos(t), factor * Math.sin(t)]);
    y.push(1);
  }
  const out = shuffleRows(X, y, rng);
  addNoise(out.X, noise, rng);
  return out;
}

/**
 * The seeds' "linearly separable" set: sklearn make_classification(n_features=2, n_informative=2,
 * n_redundant=0, n_clusters_per_class=1), then X += 2 * uniform [0, 1) jitter per coordinate.
 * Each class is one gaussian cluster centred on a distinct random vertex of the square
 * [-classSep, classSep]^2, stretched by its own random 2x2 matrix with entries in [-1, 1).
 */
export function classification(options?: ClassificationOptions): Dataset {
  const o = checkOptions('classification', options, ['samples', 'seed', 'classSep', 'flipY']);
  const samples = checkSamples(o.samples ?? 100);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const classSep = checkNumber('classSep', o.classSep ?? 1);
  if (!(Number.isFinite(classSep) && classSep > 0))
    throw invalidValue('classSep', 'a finite number > 0', classSep);
  const flipY = checkNumber('flipY', o.flipY ?? 0.01);
  if (!(flipY >= 0 && flipY <= 1)) throw invalidValue('flipY', 'a number from 0 to 1', flipY);

  // two distinct vertices of the unit square (sklearn's _generate_hypercube), mapped to +-classSep
  const vertices = [0, 1, 2, 3];
  rng.shuffle(vertices);
  const centroids = vertices
    .slice(0, 2)
    .map((v) => [(v & 1) * 2 * classSep - classSep, (v >> 1) * 2 * classSep - classSep]);

  // sklearn gives each cluster floor(samples / 2) and hands the remainder to the first clusters
  const sizes = [samples - Math.floor(samples / 2), Math.floor(samples / 2)];
  const X: number[][] = Array.from({ length: samples }, () => [rng.normal(), rng.normal()]);
  const y: number[] = [];
  let start = 0;
  for (let k = 0; k < 2; k++) {
    // X_k = X_k @ A + centroid with A = 2 * uniform(2, 2) - 1: a random covariance per cluster
    const a = [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)];
    for (let i = start; i < start + sizes[k]; i++) {
      const [x0, x1] = X[i];
      X[i] = [x0 * a[0] + x1 * a[2] + centroids[k][0], x0 * a[1] + x1 * a[3] + centroids[k][1]];
      y.push(k);
    }
    start += sizes[k];
  }
  // flip_y: a random fraction of labels is redrawn uniformly (so about half of those change)
  for (let i = 0; i < samples; i++) if (rng.uniform() < flipY) y[i] = rng.int(2);

  const out = shuffleRows(X, y, rng);
  // sklearn also permutes the feature columns
  if (rng.uniform() < 0.5) for (const row of out.X) row.reverse();
  for (const row of out.X) for (let j = 0; j < 2; j++) row[j] += 2 * rng.uniform();
  return out;
}

const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [0, 1, 1, 0];

/**
 * XOR: samples 4 gives the truth table in order (plus noise if asked); any other count deals the
 * four corners round-robin (so classes stay balanced), adds gaussian noise and shuffles.
 */
export function xor(options?: XorOptions): Dataset {
  const o = checkOptions('xor', options, ['samples', 'noise', 'seed']);
  const samples = checkSamples(o.samples ?? 4);
  const noise = checkNoise(o.noise ?? 0);
  const rng = new Random(checkSeed(o.seed ?? 0));

  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < samples; i++) {
    X.push([...XOR_X[i % 4]]);
    y.push(XOR_Y[i % 4]);
  }
  if (samples === 4) {
    addNoise(X, noise, rng);
    return { X, y };
  }
  const out = shuffleRows(X, y, rng);
  addNoise(out.X, noise, rng);
  return out;
}
