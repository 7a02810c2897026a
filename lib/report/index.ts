// lib/report: self-contained HTML reports of training runs (the CLI's --report). A train report
// holds loss and accuracy curves, the decision boundary for 2-D inputs, and tables of settings and
// final metrics; a sweep report holds every learning rate's loss curve in one chart.
import { writeFile } from 'node:fs/promises';
import type { History } from '../train.js';
import { type BoundaryInput, decisionBoundary } from './boundary.js';
import { boundarySpec, curvesSpec, type Series } from './charts.js';
import { type Page, type Rows, renderPage } from './html.js';
import { renderSVG } from './render.js';

export type { BoundaryInput } from './boundary.js';
export type { Rows } from './html.js';

const TRAIN_VAL_COLORS = ['#2b6cb0', '#dd6b20'];

export interface TrainReportInput {
  title: string;
  subtitle?: string;
  history: History;
  settings: Rows;
  metrics: Rows;
  /** For networks with exactly two inputs; null skips the plot. */
  boundary: BoundaryInput | null;
  notes?: string[];
}

export async function trainReportHTML(input: TrainReportInput): Promise<string> {
  const { history } = input;
  const figures: Page['figures'] = [];
  const lossSeries: Series[] = [{ name: 'train', values: history.loss }];
  if (history.val_loss.length > 0) lossSeries.push({ name: 'validation', values: history.val_loss });
  const logScale = wideRange(lossSeries);
  figures.push({
    svg: await renderSVG(
      curvesSpec({
        title: logScale ? 'Loss (log scale)' : 'Loss',
        metric: 'loss',
        series: lossSeries,
        colors: TRAIN_VAL_COLORS,
        logScale,
      }),
    ),
    caption:
      'Training loss is the mean of each batch loss, taken before its update; validation loss after the epoch.',
  });
  if (history.accuracy.length > 0) {
    const accSeries: Series[] = [{ name: 'train', values: history.accuracy }];
    if (history.val_accuracy.length > 0) accSeries.push({ name: 'validation', values: history.val_accuracy });
    figures.push({
      svg: await renderSVG(
        curvesSpec({ title: 'Accuracy', metric: 'accuracy', series: accSeries, colors: TRAIN_VAL_COLORS }),
      ),
    });
  }
  if (history.mae.length > 0) {
    // regression records its mean absolute error per epoch instead of accuracy
    const maeSeries: Series[] = [{ name: 'train', values: history.mae }];
    if (history.val_mae.length > 0) maeSeries.push({ name: 'validation', values: history.val_mae });
    figures.push({
      svg: await renderSVG(
        curvesSpec({
          title: 'Mean absolute error',
          metric: 'mae',
          series: maeSeries,
          colors: TRAIN_VAL_COLORS,
        }),
      ),
    });
  }
  if (input.boundary) {
    const b = decisionBoundary(input.boundary);
    const what =
      b.kind === 'binary'
        ? 'Network output P(class 1) over the input plane'
        : b.kind === 'multiclass'
          ? 'Predicted class over the input plane (paler = less sure)'
          : 'Network output over the input plane';
    figures.push({
      svg: await renderSVG(boundarySpec(b, b.kind === 'regression' ? 'Network output' : 'Decision boundary')),
      caption: `${what}; circles are training points, triangles held-out test points.`,
    });
  }
  return renderPage({
    title: input.title,
    subtitle: input.subtitle,
    figures,
    tables: [
      { title: 'Settings', rows: input.settings },
      { title: 'Final metrics', rows: input.metrics },
    ],
    notes: input.notes,
  });
}

export interface SweepRun {
  learningRate: number;
  history: History;
}

export interface SweepReportInput {
  title: string;
  subtitle?: string;
  runs: SweepRun[];
  settings: Rows;
  /** One row per run, under `header`. */
  header: string[];
  results: string[][];
  notes?: string[];
}

export async function sweepReportHTML(input: SweepReportInput): Promise<string> {
  const runs = [...input.runs].sort((a, b) => b.learningRate - a.learningRate);
  const series = runs.map((r) => ({ name: String(r.learningRate), values: r.history.loss }));
  const logScale = wideRange(series);
  const lossChart = curvesSpec({
    title: `Training loss per learning rate${logScale ? ' (log scale)' : ''}`,
    logScale,
    metric: 'loss',
    series,
    seriesTitle: 'learning rate',
    width: 880,
    height: 340,
  });
  const figures: Page['figures'] = [
    {
      svg: await renderSVG(lossChart),
      wide: true,
      caption: 'One training per learning rate, all from the same initial weights (same seed).',
    },
  ];
  const withVal = runs.filter((r) => r.history.val_loss.length > 0);
  if (withVal.length > 0) {
    const valChart = curvesSpec({
      title: 'Validation loss per learning rate',
      metric: 'validation loss',
      series: withVal.map((r) => ({ name: String(r.learningRate), values: r.history.val_loss })),
      seriesTitle: 'learning rate',
      width: 880,
      height: 260,
    });
    figures.push({ svg: await renderSVG(valChart), wide: true });
  }
  return renderPage({
    title: input.title,
    subtitle: input.subtitle,
    figures,
    tables: [
      { title: 'Settings', rows: input.settings },
      { title: 'Results', header: input.header, body: input.results },
    ],
    notes: input.notes,
  });
}

/** Loss curves spanning over two decades read better on a log scale. */
function wideRange(series: Series[]): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of series) {
    for (const v of s.values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo > 0 && hi / lo > 100;
}

export async function writeReport(path: string, html: string): Promise<void> {
  await writeFile(path, html);
}
