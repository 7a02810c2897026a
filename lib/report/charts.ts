// The report's charts as vega-lite specs: training curves (loss, accuracy; train and validation),
// the 2-D decision boundary (a banded probability raster with the train and test points on top,
// like the seeds' contourf plots), and the learning-rate sweep's loss curves in one chart.
import type { TopLevelSpec } from 'vega-lite';
import type { Boundary } from './boundary.js';

/** Most points drawn per curve: longer histories are thinned evenly (the last epoch always kept). */
const MAX_CURVE_POINTS = 500;

export interface Series {
  name: string;
  values: number[];
}

interface CurvePoint {
  epoch: number;
  value: number;
  series: string;
}

/** Epochs counted from 1; thinned to at most MAX_CURVE_POINTS per series. */
export function curvePoints(series: Series[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const { name, values } of series) {
    const step = Math.max(1, Math.ceil(values.length / MAX_CURVE_POINTS));
    for (let i = 0; i < values.length; i += step) out.push({ epoch: i + 1, value: values[i], series: name });
    const last = values.length - 1;
    if (last >= 0 && last % step !== 0) out.push({ epoch: last + 1, value: values[last], series: name });
  }
  return out;
}

/** A line chart of one metric per epoch, one line per series (train, validation, or per rate). */
export function curvesSpec(options: {
  title: string;
  metric: string;
  series: Series[];
  seriesTitle?: string;
  width?: number;
  height?: number;
  logScale?: boolean;
  colors?: string[];
}): TopLevelSpec {
  const names = options.series.map((s) => s.name);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 420,
    height: options.height ?? 260,
    background: 'white',
    data: { values: curvePoints(options.series) },
    mark: { type: 'line', strokeWidth: 1.8, interpolate: 'linear' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domainMin: 0, nice: false } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: options.metric,
        scale: options.logScale ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: options.seriesTitle ?? null,
        sort: names,
        scale: { domain: names, ...(options.colors ? { range: options.colors } : { scheme: 'tableau10' }) },
        legend: names.length > 3 ? { orient: 'right' } : { orient: 'top', direction: 'horizontal' },
      },
    },
  } as TopLevelSpec;
}

const CLASS_COLORS = ['#2b6cb0', '#c53030', '#2f855a', '#b7791f', '#6b46c1', '#00838f', '#d53f8c', '#4a5568'];

/** Spectral_r-like bands for P(class 1): blue (class 0) through pale yellow to red (class 1). */
const PROBABILITY_BANDS = [
  '#3288bd',
  '#66c2a5',
  '#abdda4',
  '#e6f598',
  '#ffffbf',
  '#fee08b',
  '#fdae61',
  '#f46d43',
  '#d53e4f',
  '#9e0142',
];

function classColors(names: string[]): string[] {
  return names.map((_, i) => CLASS_COLORS[i % CLASS_COLORS.length]);
}

/** The raster of network outputs over the input plane, with the data points overlaid. */
export function boundarySpec(b: Boundary, title: string): TopLevelSpec {
  const x = { scale: { domain: b.xDomain, nice: false, zero: false } };
  const y = { scale: { domain: b.yDomain, nice: false, zero: false } };
  const cellColor =
    b.kind === 'binary'
      ? {
          field: 'value',
          type: 'quantitative',
          title: `P(${b.classNames[1] ?? 'class 1'})`,
          scale: { type: 'quantize', domain: [0, 1], range: PROBABILITY_BANDS, nice: false },
          legend: { orient: 'right', format: '.1f' },
        }
      : b.kind === 'multiclass'
        ? {
            field: 'label',
            type: 'nominal',
            title: 'predicted',
            scale: { domain: b.classNames, range: classColors(b.classNames) },
            legend: null,
          }
        : {
            field: 'value',
            type: 'quantitative',
            title: 'value',
            scale: { scheme: 'viridis', domain: b.valueDomain },
          };
  const cells = {
    data: { values: b.cells },
    mark: { type: 'rect', opacity: b.kind === 'multiclass' ? undefined : 0.7 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: b.featureNames[0], ...x },
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: b.featureNames[1], ...y },
      y2: { field: 'y2' },
      color: cellColor,
      ...(b.kind === 'multiclass'
        ? {
            opacity: {
              field: 'value',
              type: 'quantitative',
              scale: { domain: [1 / b.classNames.length, 1], range: [0.08, 0.55] },
              legend: null,
            },
          }
        : {}),
    },
  };
  const pointColor =
    b.kind === 'regression'
      ? {
          field: 'target',
          type: 'quantitative',
          title: 'target',
          scale: { scheme: 'viridis', domain: b.valueDomain },
          legend: null,
        }
      : {
          field: 'label',
          type: 'nominal',
          title: 'class',
          scale: { domain: b.classNames, range: classColors(b.classNames) },
          legend: { orient: 'right' },
        };
  const points = {
    data: { values: b.points },
    mark: { type: 'point', filled: true, size: 26, strokeWidth: 0.7 },
    encoding: {
      x: { field: 'x', type: 'quantitative', ...x },
      y: { field: 'y', type: 'quantitative', ...y },
      fill: pointColor,
      stroke: { value: '#111' },
      shape: {
        field: 'split',
        type: 'nominal',
        title: 'points',
        scale: { domain: ['train', 'test'], range: ['circle', 'triangle-up'] },
        legend: { orient: 'right' },
      },
      opacity: { condition: { test: "datum.split === 'test'", value: 0.6 }, value: 0.9 },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 460,
    height: Math.round(
      460 * Math.min(1.4, Math.max(0.6, (b.yDomain[1] - b.yDomain[0]) / (b.xDomain[1] - b.xDomain[0]))),
    ),
    background: 'white',
    layer: [cells, points],
    resolve: { scale: { color: 'independent', opacity: 'independent' } },
  } as TopLevelSpec;
}
