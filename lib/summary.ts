// net.summary(): the network as a table of layers (as Keras' model.summary() prints it), with
// its parameter count, optimizer, loss and task. Text only; `fastmlp info --model` prints it.
import type { TaskName } from './engine/contract.js';
import type { LayerPlan } from './engine/engine.js';
import type { ParamLayout } from './engine/layout.js';
import type { ResolvedOptimizer } from './spec.js';

export interface SummaryInput {
  inputs: number;
  /** The spec's layers (a layer's dropout is read when the spec has one; else 0). */
  layers: readonly (LayerPlan & { dropout?: number })[];
  layout: ParamLayout;
  optimizer: ResolvedOptimizer;
  loss: string;
  task: TaskName;
}

const HEADER = ['Layer', 'Units', 'Activation', 'Dropout', 'Parameters', 'Output shape'];
/** Columns holding numbers are right-aligned. */
const NUMERIC = [false, true, false, true, true, false];

export function summaryTable(s: SummaryInput): string {
  const rows: string[][] = [HEADER, ['input', String(s.inputs), '-', '-', '0', `(batch, ${s.inputs})`]];
  s.layers.forEach((layer, i) => {
    const params = layer.inputs * layer.units + (s.layout.layers[i].b >= 0 ? layer.units : 0);
    rows.push([
      `dense ${i}`,
      String(layer.units),
      layer.activation,
      String(layer.dropout ?? 0),
      group(params),
      `(batch, ${layer.units})`,
    ]);
  });
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (NUMERIC[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  return [
    line(HEADER),
    rule,
    ...rows.slice(1).map(line),
    rule,
    `Total parameters: ${group(s.layout.size)}`,
    `Optimizer: ${describeOptimizer(s.optimizer)}`,
    `Loss: ${s.loss}`,
    `Task: ${s.task}`,
  ].join('\n');
}

/** 1234567 -> '1,234,567'. */
const group = (n: number): string => n.toLocaleString('en-US');

/** The update rule and the settings it uses: 'adam (learningRate 0.001, beta1 0.9, ...)'. */
function describeOptimizer(o: ResolvedOptimizer): string {
  const settings: [string, number][] = [['learningRate', o.learningRate]];
  if (o.kind === 'momentum' || o.kind === 'nesterov') settings.push(['momentum', o.momentum]);
  if (o.kind === 'adam' || o.kind === 'adamw') {
    settings.push(['beta1', o.beta1], ['beta2', o.beta2], ['epsilon', o.epsilon]);
  }
  if (o.kind === 'rmsprop') {
    settings.push(['rho', o.rho], ['epsilon', o.epsilon]);
    if (o.momentum > 0) settings.push(['momentum', o.momentum]);
  }
  if (o.weightDecay > 0) settings.push(['weightDecay', o.weightDecay]);
  if (o.clipValue !== null) settings.push(['clipValue', o.clipValue]);
  if (o.clipNorm !== null) settings.push(['clipNorm', o.clipNorm]);
  return `${o.kind} (${settings.map(([k, v]) => `${k} ${v}`).join(', ')})`;
}
