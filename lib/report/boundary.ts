// The decision-boundary raster for 2-D inputs, as seeds 000 and 003 plot it with contourf: a grid
// of cells around the data, each holding the network's output at its centre (P(class 1) for a
// binary net, the predicted class and its probability for k classes, the value for regression).

export interface BoundaryCell {
  x: number;
  x2: number;
  y: number;
  y2: number;
  /** P(class 1), the predicted class's probability, or the predicted value. */
  value: number;
  /** Predicted class name (k classes only). */
  label?: string;
}

export interface BoundaryPoint {
  x: number;
  y: number;
  /** Class name, or the target value as text for regression. */
  label: string;
  target: number;
  split: 'train' | 'test';
}

export type BoundaryKind = 'binary' | 'multiclass' | 'regression';

export interface Boundary {
  kind: BoundaryKind;
  cells: BoundaryCell[];
  points: BoundaryPoint[];
  xDomain: [number, number];
  yDomain: [number, number];
  featureNames: [string, string];
  classNames: string[];
  /** Range of the cell values and point targets: one color scale for both (regression). */
  valueDomain: [number, number];
}

export interface BoundaryInput {
  kind: BoundaryKind;
  /** Raw features to outputs, row by row (the network applies its own input scaling). */
  predict: (X: number[][]) => number[][];
  train: { X: number[][]; y: number[] };
  test: { X: number[][]; y: number[] };
  featureNames: string[];
  classNames: string[];
  /** Cells per side. Default 60. */
  resolution?: number;
}

export function decisionBoundary(input: BoundaryInput): Boundary {
  const n = input.resolution ?? 60;
  const all = [...input.train.X, ...input.test.X];
  const xDomain = padded(all.map((r) => r[0]));
  const yDomain = padded(all.map((r) => r[1]));
  const dx = (xDomain[1] - xDomain[0]) / n;
  const dy = (yDomain[1] - yDomain[0]) / n;
  const centres: number[][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) centres.push([xDomain[0] + (j + 0.5) * dx, yDomain[0] + (i + 0.5) * dy]);
  }
  const outputs = input.predict(centres);
  const cells = centres.map(([cx, cy], k): BoundaryCell => {
    const out = outputs[k];
    const cell = { x: cx - dx / 2, x2: cx + dx / 2, y: cy - dy / 2, y2: cy + dy / 2 };
    if (input.kind !== 'multiclass') return { ...cell, value: out[0] };
    let best = 0;
    for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
    return { ...cell, value: out[best], label: input.classNames[best] ?? String(best) };
  });
  const label = (v: number) =>
    input.kind === 'regression' ? formatValue(v) : (input.classNames[v] ?? String(v));
  const points = (split: 'train' | 'test', X: number[][], y: number[]): BoundaryPoint[] =>
    X.map((r, i) => ({ x: r[0], y: r[1], label: label(y[i]), target: y[i], split }));
  const allPoints = [
    ...points('train', input.train.X, input.train.y),
    ...points('test', input.test.X, input.test.y),
  ];
  const values = [
    ...cells.map((c) => c.value),
    ...(input.kind === 'regression' ? allPoints.map((p) => p.target) : []),
  ];
  return {
    kind: input.kind,
    cells,
    points: allPoints,
    valueDomain: [Math.min(...values), Math.max(...values)],
    xDomain,
    yDomain,
    featureNames: [input.featureNames[0] ?? 'x1', input.featureNames[1] ?? 'x2'],
    classNames: input.classNames,
  };
}

/** [min, max] widened by 10% of the range on each side (0.5 for a constant column). */
function padded(values: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const pad = hi > lo ? 0.1 * (hi - lo) : 0.5;
  return [round(lo - pad), round(hi + pad)];
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
