// What evaluate reports, by task: computed here, in TS and float64, from the predictions either
// engine returned (one implementation for both). The definitions follow scikit-learn's, and
// test/32.metrics.test.ts checks them against it on the same predictions.
import type { TaskName } from './engine/contract.js';

/** Per-class scores of a classification (index = class). */
export interface ClassScores {
  precision: number[];
  recall: number[];
  f1: number[];
  /** Samples of each class in y. */
  support: number[];
}

interface EvaluationBase {
  /** The loss as training defines it (a sum for sse/half-sse, a mean otherwise). */
  loss: number;
}

/** binary (one sigmoid output, p >= 0.5) and multiclass (argmax): every class counts. */
export interface ClassificationEvaluation extends EvaluationBase {
  task: 'binary' | 'multiclass';
  /** Fraction of samples whose predicted class is y's. */
  accuracy: number;
  /** Macro averages over the classes present in y or predicted (scikit-learn's default labels). */
  precision: number;
  recall: number;
  f1: number;
  /** [true class][predicted class] sample counts, classes 0..k-1 (k = 2 for binary). */
  confusionMatrix: number[][];
  perClass: ClassScores;
}

/** multilabel (several sigmoid outputs with bce): each label thresholded at 0.5. */
export interface MultilabelEvaluation extends EvaluationBase {
  task: 'multilabel';
  /** Fraction of labels right over all samples and labels (per label accuracy, averaged; 1 - Hamming loss). */
  accuracy: number;
  /** Fraction of samples with every label right (scikit-learn's accuracy_score on label rows). */
  exactMatch: number;
  /** Macro averages over all labels (scikit-learn's average='macro', zero_division=0). */
  precision: number;
  recall: number;
  f1: number;
  perLabel: ClassScores;
}

/** regression (any output activation but sigmoid and softmax). No accuracy. */
export interface RegressionEvaluation extends EvaluationBase {
  task: 'regression';
  /** Mean absolute error over all samples and outputs. */
  mae: number;
  /** Square root of the mean squared error over all samples and outputs. */
  rmse: number;
  /** Coefficient of determination per output, averaged over outputs (scikit-learn's r2_score). NaN with fewer than 2 samples. */
  r2: number;
  /** Regression has no accuracy (declared so `evaluation.accuracy` reads as number | undefined). */
  accuracy?: undefined;
}

/** What evaluate returns: the loss and the task's metrics; narrow on `task`. */
export type Evaluation = ClassificationEvaluation | MultilabelEvaluation | RegressionEvaluation;

// --- classes of a row ---------------------------------------------------------------------

/** Class of row r: argmax (first maximum), or p >= 0.5 when there is one output. */
export function classOf(values: Float32Array, r: number, cols: number): number {
  if (cols === 1) return values[r] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
  return best;
}

// --- the metrics of each task -----------------------------------------------------------------

/**
 * The task's metrics of predictions P against targets Y, both (rows, cols) row-major; `loss` is
 * passed through. rows >= 1. With weights (one per row, >= 0), every count is a sum of weights,
 * as scikit-learn's sample_weight (confusion matrix, supports, accuracy, mae, rmse, r2); a
 * metric over a total weight of 0 reads 0 (r2: NaN).
 */
export function evaluationOf(
  task: TaskName,
  loss: number,
  P: Float32Array,
  Y: Float32Array,
  rows: number,
  cols: number,
  weights: Float32Array | null = null,
): Evaluation {
  const w = weights === null ? unit : (r: number) => weights[r];
  switch (task) {
    case 'binary':
    case 'multiclass':
      return { loss, task, ...classification(P, Y, rows, cols, w) };
    case 'multilabel':
      return { loss, task, ...multilabel(P, Y, rows, cols, w) };
    case 'regression':
      return { loss, task, ...regression(P, Y, rows, cols, w) };
  }
}

/** A row's weight. */
type RowWeight = (r: number) => number;
const unit: RowWeight = () => 1;
/** a / b, 0 when b is 0 (a metric over no weight). */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Precision tp / (tp + fp) and recall tp / (tp + fn), 0 when undefined (zero_division=0); f1 their harmonic mean. */
function scores(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  // 2tp / (2tp + fp + fn) is the harmonic mean, 0 when tp = 0 (scikit-learn's form)
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { precision, recall, f1 };
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;

function classification(P: Float32Array, Y: Float32Array, rows: number, cols: number, w: RowWeight) {
  const k = cols === 1 ? 2 : cols;
  const confusionMatrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let total = 0;
  for (let r = 0; r < rows; r++) {
    confusionMatrix[classOf(Y, r, cols)][classOf(P, r, cols)] += w(r);
    total += w(r);
  }
  const perClass: ClassScores = { precision: [], recall: [], f1: [], support: [] };
  const seen: number[] = []; // classes in y or predicted: the macro average's classes
  let right = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusionMatrix[c][c];
    let inY = 0;
    let predicted = 0;
    for (let o = 0; o < k; o++) {
      inY += confusionMatrix[c][o];
      predicted += confusionMatrix[o][c];
    }
    const s = scores(tp, predicted - tp, inY - tp);
    perClass.precision.push(s.precision);
    perClass.recall.push(s.recall);
    perClass.f1.push(s.f1);
    perClass.support.push(inY);
    if (inY > 0 || predicted > 0) seen.push(c);
    right += tp;
  }
  const macro = (of: number[]) => mean(seen.map((c) => of[c]));
  return {
    accuracy: ratio(right, total),
    precision: macro(perClass.precision),
    recall: macro(perClass.recall),
    f1: macro(perClass.f1),
    confusionMatrix,
    perClass,
  };
}

function multilabel(P: Float32Array, Y: Float32Array, rows: number, cols: number, w: RowWeight) {
  const tp = new Array<number>(cols).fill(0);
  const fp = new Array<number>(cols).fill(0);
  const fn = new Array<number>(cols).fill(0);
  let labelsRight = 0;
  let rowsRight = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const weight = w(r);
    let rowRight = 0;
    for (let c = 0; c < cols; c++) {
      const p = P[r * cols + c] >= 0.5;
      const y = Y[r * cols + c] >= 0.5;
      if (p === y) rowRight++;
      if (p && y) tp[c] += weight;
      else if (p) fp[c] += weight;
      else if (y) fn[c] += weight;
    }
    labelsRight += rowRight * weight;
    if (rowRight === cols) rowsRight += weight;
    total += weight;
  }
  const perLabel: ClassScores = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < cols; c++) {
    const s = scores(tp[c], fp[c], fn[c]);
    perLabel.precision.push(s.precision);
    perLabel.recall.push(s.recall);
    perLabel.f1.push(s.f1);
    perLabel.support.push(tp[c] + fn[c]);
  }
  return {
    accuracy: ratio(labelsRight, total * cols),
    exactMatch: ratio(rowsRight, total),
    precision: mean(perLabel.precision),
    recall: mean(perLabel.recall),
    f1: mean(perLabel.f1),
    perLabel,
  };
}

function regression(P: Float32Array, Y: Float32Array, rows: number, cols: number, w: RowWeight) {
  let absolute = 0;
  let squared = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const weight = w(r);
    for (let i = r * cols; i < (r + 1) * cols; i++) {
      const d = P[i] - Y[i];
      absolute += weight * Math.abs(d);
      squared += weight * d * d;
    }
    total += weight;
  }
  const n = total * cols;
  return { mae: ratio(absolute, n), rmse: Math.sqrt(ratio(squared, n)), r2: r2Score(P, Y, rows, cols, w) };
}

/**
 * 1 - SS_res / SS_tot per output, averaged (scikit-learn's r2_score, multioutput 'uniform_average'):
 * an output whose target is constant scores 1 when predicted exactly, else 0 (its force_finite).
 */
function r2Score(P: Float32Array, Y: Float32Array, rows: number, cols: number, w: RowWeight): number {
  let weight = 0;
  for (let r = 0; r < rows; r++) weight += w(r);
  if (rows < 2 || weight === 0) return Number.NaN;
  let total = 0;
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += w(r) * Y[r * cols + c];
    const average = sum / weight;
    let residual = 0;
    let spread = 0;
    for (let r = 0; r < rows; r++) {
      const y = Y[r * cols + c];
      residual += w(r) * (y - P[r * cols + c]) ** 2;
      spread += w(r) * (y - average) ** 2;
    }
    total += spread === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / spread;
  }
  return total / cols;
}
