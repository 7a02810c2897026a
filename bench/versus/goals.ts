// Issue 13's goals, checked against one run's comparison (bench/versus/suite.ts): each goal is a
// ratio of figures measured side by side in that run, so the verdicts hold for the machine and
// load of that run only. Written once here; the bench's output and the README's generated
// results (bench/readme.ts) both print this table.
import { archById, trainFlopsPerSample } from './archs.js';
import { PREDICT_BATCHES } from './protocol.js';
import { type Block, cellOf, metric, table, type VersusResult } from './suite.js';

interface Goal {
  text: string;
  kind: Block['kind'];
  /** The block's ratio or figure, or null when a side is missing (skipped, failed, not run). */
  value: (b: Block) => number | null;
  show: (v: number) => string;
  met: (v: number) => boolean;
}

const x = (v: number) => `${v.toFixed(2)}x`;
const over = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const BIG = PREDICT_BATCHES.at(-1) as number;

export const GOALS: readonly Goal[] = [
  {
    text: 'fit() >= 2x the hand-written numpy loop',
    kind: 'train',
    value: (b) => over(metric(cellOf(b, 'fastmlp'), 'fit'), metric(cellOf(b, 'numpy'), 'fit')),
    show: x,
    met: (v) => v >= 2,
  },
  {
    text: 'fit() >= 3x PyTorch',
    kind: 'train',
    value: (b) => over(metric(cellOf(b, 'fastmlp'), 'fit'), metric(cellOf(b, 'torch'), 'fit')),
    show: x,
    met: (v) => v >= 3,
  },
  {
    text: "training GFLOP/s >= 80% of the same process's 512^3 sgemm GFLOP/s",
    kind: 'train',
    value: (b) => {
      const f = metric(cellOf(b, 'fastmlp'), 'fit');
      const sgemm = metric(cellOf(b, 'fastmlp'), 'sgemm512');
      return f === null || sgemm === null ? null : (f * trainFlopsPerSample(archById(b.arch))) / 1e9 / sgemm;
    },
    show: (v) => `${(100 * v).toFixed(0)}%`,
    met: (v) => v >= 0.8,
  },
  {
    text: 'a 1-epoch fit() call <= 1.25x one epoch of a 4-epoch fit',
    kind: 'train',
    value: (b) => metric(cellOf(b, 'fastmlp'), 'startup'),
    show: x,
    met: (v) => v <= 1.25,
  },
  {
    text: 'predict() of 1 sample >= 5x faster than onnxruntime-node',
    kind: 'predict',
    value: (b) => over(metric(cellOf(b, 'ort'), 'b1'), metric(cellOf(b, 'fastmlp'), 'b1')),
    show: x,
    met: (v) => v >= 5,
  },
  {
    text: `predict() of ${BIG} samples >= 1.0x onnxruntime-node's throughput`,
    kind: 'predict',
    value: (b) => over(metric(cellOf(b, 'fastmlp'), `b${BIG}`), metric(cellOf(b, 'ort'), `b${BIG}`)),
    show: x,
    met: (v) => v >= 1,
  },
  {
    text: `predict() of ${BIG} samples from number[][] within 1.5x of Float32Array (time ratio)`,
    kind: 'predict',
    value: (b) =>
      over(metric(cellOf(b, 'fastmlp'), `b${BIG}`), metric(cellOf(b, 'fastmlp'), `b${BIG}-arrays`)),
    show: x,
    met: (v) => v <= 1.5,
  },
  {
    text: "a fit's peak memory <= 1 copy of the caller's rows",
    kind: 'memory',
    value: (b) => metric(cellOf(b, 'fastmlp'), 'growthCopies'),
    show: (v) => v.toFixed(2),
    met: (v) => v <= 1,
  },
];

export interface GoalRow {
  goal: string;
  /** Per block: network, threads and the figure. */
  measured: { arch: string; threads: number; value: number; met: boolean }[];
}

export function checkGoals(r: VersusResult): GoalRow[] {
  return GOALS.map((g) => ({
    goal: g.text,
    measured: r.blocks
      .filter((b) => b.kind === g.kind)
      .flatMap((b) => {
        const v = g.value(b);
        return v === null || !Number.isFinite(v)
          ? []
          : [{ arch: b.arch, threads: b.threads, value: v, met: g.met(v) }];
      }),
  }));
}

/** The goals table: each goal, its figure per network and thread count, and how many met it. */
export function renderGoals(r: VersusResult): string[] {
  const rows = checkGoals(r);
  if (rows.every((g) => g.measured.length === 0)) return [];
  return [
    "## Issue 13's goals in this run",
    '',
    'Each figure is a ratio of things measured side by side in this run (network, threads: figure; (missed) after a figure that misses its goal).',
    '',
    ...table(
      ['goal', 'measured', 'met'],
      rows.map((g, i) => [
        g.goal,
        g.measured.length === 0
          ? 'not measured'
          : g.measured
              .map((m) => `${m.arch} ${m.threads}t: ${GOALS[i].show(m.value)}${m.met ? '' : ' (missed)'}`)
              .join(', '),
        g.measured.length === 0 ? '-' : `${g.measured.filter((m) => m.met).length} of ${g.measured.length}`,
      ]),
    ),
    '',
  ];
}
