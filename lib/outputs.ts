// Reading a network's outputs: rows for callers, and the predicted classes of each task.
import type { TaskName } from './engine/contract.js';
import { classOf } from './metrics.js';

export function toRows(data: Float32Array, rows: number, cols: number): number[][] {
  // plain loops: Array.from over a subarray per row goes through the iterator protocol, ~10x slower
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(rowAt(data, r * cols, cols));
  return out;
}

/**
 * data[at, at + cols) as an array. One or two outputs (binary, regression) as a literal, made at
 * its size, not grown from an empty array by push: 30-64-64-1's predict of 1,024 rows from
 * number[][] went from 1.62x to 1.52x the time from a Float32Array on 1 thread, 2.47x to 2.12x on
 * 2 (`npm run bench -- --only predict-vs --archs tabular --threads 1,2 --trials 3`, each way).
 */
function rowAt(data: Float32Array, at: number, cols: number): number[] {
  if (cols === 1) return [data[at]];
  if (cols === 2) return [data[at], data[at + 1]];
  const row: number[] = [];
  for (let c = at, end = at + cols; c < end; c++) row.push(data[c]);
  return row;
}

/**
 * Predicted classes of (rows, cols) outputs: binary p >= threshold (0 or 1); multiclass the first
 * argmax; multilabel a 0/1 row per sample (each label p >= threshold). Regression has none: the
 * caller refuses it first.
 */
export function predictedClasses(
  task: Exclude<TaskName, 'regression'>,
  out: Float32Array,
  rows: number,
  cols: number,
  threshold: number,
): number[] | number[][] {
  if (task === 'multilabel') {
    return Array.from({ length: rows }, (_, r) =>
      Array.from(out.subarray(r * cols, (r + 1) * cols), (p) => (p >= threshold ? 1 : 0)),
    );
  }
  if (task === 'binary') return Array.from(out.subarray(0, rows), (p) => (p >= threshold ? 1 : 0));
  return Array.from({ length: rows }, (_, r) => classOf(out, r, cols));
}
