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
export function checkScaling(value: unknown, inputs: number): InputScaling {
  const v = expectObject(value, 'inputScaling');
  const check = (key: 'mean' | 'std', ok: (x: number) => boolean, what: string): number[] => {
    const list = v[key];
    const expected = `an array of ${inputs} numbers`;
    if (!Array.isArray(list)) throw invalidArgument(`inputScaling.${key}`, expected, list);
    if (list.length !== inputs) throw outOfRange(`inputScaling.${key}`, expected, list);
    for (let i = 0; i < inputs; i++) {
      const x: unknown = list[i];
      if (typeof x !== 'number') throw invalidArgument(`inputScaling.${key}[${i}]`, what, x);
      if (!isFiniteFloat32(x) || !ok(Math.fround(x))) throw outOfRange(`inputScaling.${key}[${i}]`, what, x);
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
