// What `fastmlp evaluate` prints for Network.evaluate's result: the loss and the task's metrics
// (accuracy, macro precision/recall/f1; mae/rmse/r2), and for classification the per-class
// scores and the confusion matrix (rows: true class, columns: predicted), labelled with the
// model's class names. The same facts as one JSON object for --json.
import type { Evaluation } from '../metrics.js';
import { formatMetric } from './progress.js';

export interface EvaluationContext {
  rows: number;
  /** The network's loss name (how `loss` is defined). */
  lossName: string;
  /** The model's class names (index = class); null: the classes are numbered. */
  classNames: readonly string[] | null;
}

/** Class (or label) names for k classes: the model's when it has k of them, else 0..k-1. */
function namesFor(k: number, names: readonly string[] | null): string[] {
  return names && names.length === k ? [...names] : Array.from({ length: k }, (_, i) => String(i));
}

/** A count as an integer when it is one (unweighted), else with four decimals. */
function count(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}

/** Columns right-aligned under their headers, the first column (names) left-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)].map((l) => l.trimEnd());
}

/** The text `fastmlp evaluate` prints, one entry per line. */
export function evaluationLines(result: Evaluation, context: EvaluationContext): string[] {
  const lines = [`rows ${context.rows}`, `${context.lossName} loss ${formatMetric(result.loss)}`];
  if (result.task === 'regression') {
    lines.push(
      `mae ${formatMetric(result.mae)}`,
      `rmse ${formatMetric(result.rmse)}`,
      `r2 ${formatMetric(result.r2)}`,
    );
    return lines;
  }
  lines.push(`accuracy ${(100 * result.accuracy).toFixed(2)}%`);
  if (result.task === 'multilabel') lines.push(`exact match ${(100 * result.exactMatch).toFixed(2)}%`);
  lines.push(
    `precision ${formatMetric(result.precision)} (macro)`,
    `recall ${formatMetric(result.recall)} (macro)`,
    `f1 ${formatMetric(result.f1)} (macro)`,
  );
  const scores = result.task === 'multilabel' ? result.perLabel : result.perClass;
  const names = namesFor(scores.support.length, context.classNames);
  lines.push(
    '',
    ...table(
      [result.task === 'multilabel' ? 'label' : 'class', 'precision', 'recall', 'f1', 'support'],
      names.map((name, i) => [
        name,
        formatMetric(scores.precision[i]),
        formatMetric(scores.recall[i]),
        formatMetric(scores.f1[i]),
        count(scores.support[i]),
      ]),
    ),
  );
  if (result.task !== 'multilabel') {
    lines.push(
      '',
      'confusion matrix (rows: true class, columns: predicted class)',
      ...table(
        ['', ...names],
        result.confusionMatrix.map((row, i) => [names[i], ...row.map(count)]),
      ),
    );
  }
  return lines;
}

/** The same facts as one object for --json (`type: 'evaluation'`). */
export function evaluationJSON(result: Evaluation, context: EvaluationContext): Record<string, unknown> {
  const base = {
    type: 'evaluation',
    rows: context.rows,
    loss: result.loss,
    lossName: context.lossName,
    task: result.task,
  };
  if (result.task === 'regression')
    return { ...base, accuracy: null, mae: result.mae, rmse: result.rmse, r2: result.r2 };
  const common = {
    ...base,
    accuracy: result.accuracy,
    precision: result.precision,
    recall: result.recall,
    f1: result.f1,
  };
  if (result.task === 'multilabel')
    return {
      ...common,
      exactMatch: result.exactMatch,
      labels: namesFor(result.perLabel.support.length, context.classNames),
      perLabel: result.perLabel,
    };
  return {
    ...common,
    classes: namesFor(result.perClass.support.length, context.classNames),
    perClass: result.perClass,
    confusionMatrix: result.confusionMatrix,
  };
}
