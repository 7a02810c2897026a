// Counting right answers during training, so fit reports accuracy from the forward pass it
// already made (the contract is in engine.ts, TrainChunk.correct).

/** Rows of P (rows, cols) whose class matches Y's: p >= 0.5 for one output, else first argmax. */
export function countCorrect(P: Float32Array, Y: Float32Array, rows: number, cols: number): number {
  let right = 0;
  if (cols === 1) {
    for (let r = 0; r < rows; r++) if (P[r] >= 0.5 === Y[r] >= 0.5) right++;
    return right;
  }
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let p = 0;
    let y = 0;
    for (let c = 1; c < cols; c++) {
      if (P[base + c] > P[base + p]) p = c;
      if (Y[base + c] > Y[base + y]) y = c;
    }
    if (p === y) right++;
  }
  return right;
}
