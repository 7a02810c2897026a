// Per-feature standardization kept with a network, x' = (x - mean) / std, so callers (and model
// files) work with raw features.
import { expectObject, invalidArgument, outOfRange } from './validate.js';

export interface InputScaling {
  mean: number[];
  std: number[];
}

/** A checked copy: one finite mean and one positive std per input. */
export function checkScaling(value: unknown, inputs: number): InputScaling {
  const v = expectObject(value, 'inputScaling');
  const check = (key: 'mean' | 'std', ok: (x: number) => boolean, what: string): number[] => {
    const list = v[key];
    const expected = `an array of ${inputs} numbers`;
    if (!Array.isArray(list)) throw invalidArgument(`inputScaling.${key}`, expected, list);
    if (list.length !== inputs) throw outOfRange(`inputScaling.${key}`, expected, list);
    list.forEach((x, i) => {
      if (typeof x !== 'number') throw invalidArgument(`inputScaling.${key}[${i}]`, what, x);
      if (!Number.isFinite(x) || !ok(x)) throw outOfRange(`inputScaling.${key}[${i}]`, what, x);
    });
    return [...list];
  };
  return {
    mean: check('mean', () => true, 'a finite number'),
    std: check('std', (x) => x > 0, 'a positive number'),
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
