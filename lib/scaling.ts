// Per-feature standardization kept with a network, x' = (x - mean) / std, so callers (and model
// files) work with raw features.
import { expectObject, invalidArgument, isFiniteFloat32, outOfRange } from './validate.js';

export interface InputScaling {
  mean: number[];
  std: number[];
}

/**
 * A checked copy: one mean and one std per input, checked as the float32 the engines compute
 * with (a mean of 1e300 or a std of 1e-300 would give Infinity or a division by zero). Indexed
 * loops, not forEach: a hole in a sparse array is an undefined element, refused by name.
 */
export function checkScaling(value: unknown, inputs: number, name = 'inputScaling'): InputScaling {
  const v = expectObject(value, name);
  const check = (key: 'mean' | 'std', ok: (x: number) => boolean, what: string): number[] => {
    const list = v[key];
    const expected = `an array of ${inputs} numbers`;
    if (!Array.isArray(list)) throw invalidArgument(`${name}.${key}`, expected, list);
    if (list.length !== inputs) throw outOfRange(`${name}.${key}`, expected, list);
    for (let i = 0; i < inputs; i++) {
      const x: unknown = list[i];
      if (typeof x !== 'number') throw invalidArgument(`${name}.${key}[${i}]`, what, x);
      if (!isFiniteFloat32(x) || !ok(Math.fround(x))) throw outOfRange(`${name}.${key}[${i}]`, what, x);
    }
    return Array.from(list as number[]);
  };
  return {
    mean: check('mean', () => true, 'a finite float32 number'),
    std: check('std', (x) => x > 0, 'a positive float32 number'),
  };
}

/** Standardizes row-major data (rows of mean.length values) in place. */
export function applyScaling(data: Float32Array, scaling: InputScaling): void {
  const cols = scaling.mean.length;
  for (let i = 0; i < data.length; i++) {
    const c = i % cols;
    data[i] = (data[i] - scaling.mean[c]) / scaling.std[c];
  }
}

// --- regression targets: y' = (y - mean) / std while training, outputs * std + mean after

/** y with each output standardized (a copy); entries that are not numbers are left for fit's checks. */
export function scaleTargets<T>(y: T, scaling: InputScaling): T {
  const cols = scaling.mean.length;
  const f = (v: unknown, c: number) => (typeof v === 'number' ? (v - scaling.mean[c]) / scaling.std[c] : v);
  if (y instanceof Float32Array) return y.map((v, i) => f(v, i % cols) as number) as T;
  if (!Array.isArray(y)) return y;
  return y.map((row) => (Array.isArray(row) ? row.map((v, c) => f(v, c)) : f(row, 0))) as T;
}

/** Standardized outputs (rows of mean.length values) back into the targets' units, in place. */
export function unscaleOutputs(out: Float32Array, scaling: InputScaling): void {
  const cols = scaling.mean.length;
  for (let i = 0; i < out.length; i++) out[i] = out[i] * scaling.std[i % cols] + scaling.mean[i % cols];
}

/** A regression target's scaling: each output's mean and population std (1 for a constant output). */
export function targetScalingOf(y: ArrayLike<number> | number[][]): InputScaling {
  const rows = Array.from(y as ArrayLike<number | number[]>, (v) => (Array.isArray(v) ? v : [v as number]));
  const cols = rows[0]?.length ?? 1;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const row of rows) for (let c = 0; c < cols; c++) mean[c] += row[c] / rows.length;
  for (const row of rows) for (let c = 0; c < cols; c++) std[c] += (row[c] - mean[c]) ** 2 / rows.length;
  return scalingOfMoments(mean, std);
}

/** A scaling from each output's mean and population variance: std 1 for a constant output (std <= 1e-12). */
export function scalingOfMoments(mean: number[], variance: number[]): InputScaling {
  return { mean: [...mean], std: variance.map((v) => (Math.sqrt(v) > 1e-12 ? Math.sqrt(v) : 1)) };
}
