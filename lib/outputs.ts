// Reading a network's outputs: rows for callers, and the predicted classes of each task.
import type { TaskName } from './engine/contract.js';
import { classOf } from './metrics.js';

export function toRows(data: Float32Array, rows: number, cols: number): number[][] {
  // plain loops: Array.from over a subarray per row goes through the iterator protocol, ~10x slower
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = r * cols, end = c + cols; c < end; c++) row.push(data[c]);
    out.push(row);
  }
  return out;
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
