// The networks of the comparison with what users would pick instead (issue 13): where users live,
// from per-batch overhead (tabular) to compute bound (wide). One definition serves fastmlp, the
// numpy loop and PyTorch (bench/versus/py_train.py reads it as JSON), so all train the same
// architecture with the same optimizer, batch size and epochs on the same rows (written once to
// files by the driver: dataFiles).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkOptions } from '../../lib/index.js';
import { Random } from '../../lib/random.js';

export type ArchId = 'tabular' | 'mnist' | 'wide' | 'deep';

export interface Arch {
  id: ArchId;
  label: string;
  inputs: number;
  hidden: number[];
  /** 1: a sigmoid unit with binary cross-entropy; > 1: softmax with cross-entropy. */
  outputs: number;
  batch: number;
  optimizer: { name: 'sgd' | 'adam'; learningRate: number };
  /** Rows of the training set: full run (a few seconds of PyTorch per trial on a quiet 2-core machine), --quick. */
  rows: number;
  quickRows: number;
  /** Inputs uniform in [0, 1) (MNIST-shaped pixels) or [-1, 1) (standardized tabular features). */
  pixels: boolean;
}

export const ARCHS: readonly Arch[] = [
  {
    id: 'tabular',
    label: '30-64-64-1, batch 32 (tabular: per-batch overhead dominates)',
    inputs: 30,
    hidden: [64, 64],
    outputs: 1,
    batch: 32,
    optimizer: { name: 'adam', learningRate: 0.001 },
    rows: 4096,
    quickRows: 512,
    pixels: false,
  },
  {
    id: 'mnist',
    label: '784-128-10, batch 64 (MNIST-shaped)',
    inputs: 784,
    hidden: [128],
    outputs: 10,
    batch: 64,
    optimizer: { name: 'sgd', learningRate: 0.01 },
    rows: 9600,
    quickRows: 512,
    pixels: true,
  },
  {
    id: 'wide',
    label: '784-1024-1024-10, batch 256 (wide: compute bound)',
    inputs: 784,
    hidden: [1024, 1024],
    outputs: 10,
    batch: 256,
    // Adam: with SGD at 0.01, PyTorch's default init (smaller than He) left its loss within 0.2%
    // of the first epoch after the few steps a trial takes (4 batches an epoch), failing the check
    optimizer: { name: 'adam', learningRate: 0.001 },
    rows: 1024,
    quickRows: 512,
    pixels: true,
  },
  {
    id: 'deep',
    label: '64-(16 x 64)-10, batch 64 (deep and narrow)',
    inputs: 64,
    hidden: Array.from({ length: 16 }, () => 64),
    outputs: 10,
    batch: 64,
    optimizer: { name: 'adam', learningRate: 0.001 },
    rows: 3072,
    quickRows: 512,
    pixels: false,
  },
];

export const ARCH_IDS = ARCHS.map((a) => a.id);

export function archById(id: string): Arch {
  const a = ARCHS.find((x) => x.id === id);
  if (!a) throw new RangeError(`Unknown architecture '${id}'; expected one of ${ARCH_IDS.join(', ')}`);
  return a;
}

/** Epochs in one timed fit call (every contender): enough that a call is more than its start-up. */
export const EPOCHS_PER_CALL = 2;

/** The layer sizes in order, inputs first. */
export const widths = (a: Arch): number[] => [a.inputs, ...a.hidden, a.outputs];

/**
 * Floating-point operations of one training sample: the forward product of every layer, its
 * weight gradient, and the input gradient of every layer but the first (nothing needs dX), each
 * 2 * inputs * units. Activations, losses and the optimizer are left out: this is the product
 * work that the 512^3 sgemm rate bounds.
 */
export function trainFlopsPerSample(a: Arch): number {
  const w = widths(a);
  let flops = 0;
  for (let l = 1; l < w.length; l++) flops += 2 * w[l - 1] * w[l] * (l === 1 ? 2 : 3);
  return flops;
}

export function fastmlpOptions(a: Arch, threads: number): NetworkOptions {
  return {
    inputs: a.inputs,
    layers: [
      ...a.hidden.map((units) => ({ units, activation: 'relu' as const })),
      { units: a.outputs, activation: a.outputs === 1 ? ('sigmoid' as const) : ('softmax' as const) },
    ],
    loss: a.outputs === 1 ? 'bce' : 'cross-entropy',
    optimizer: a.optimizer,
    seed: 1,
    engine: 'native',
    threads,
  };
}

export interface DataFiles {
  x: string;
  /** Class index per row (softmax) or 0/1 (sigmoid), float32. */
  y: string;
  rows: number;
}

/**
 * Learnable rows: labels from a random linear teacher, so every contender's loss must fall within
 * a few epochs (the check that a broken competitor cannot flatter us). Seeded: same rows each run.
 */
export function makeData(a: Arch, rows: number): { X: Float32Array; y: Float32Array } {
  const rng = new Random(7);
  const X = new Float32Array(rows * a.inputs);
  for (let i = 0; i < X.length; i++) X[i] = a.pixels ? rng.range(0, 1) : rng.range(-1, 1);
  const classes = Math.max(2, a.outputs);
  const teacher = Float64Array.from({ length: a.inputs * classes }, () => rng.range(-1, 1));
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let i = 0; i < a.inputs; i++)
        s += (X[r * a.inputs + i] - (a.pixels ? 0.5 : 0)) * teacher[i * classes + c];
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    y[r] = best;
  }
  return { X, y };
}

export function writeData(dir: string, a: Arch, rows: number): DataFiles {
  const { X, y } = makeData(a, rows);
  const files = { x: join(dir, `${a.id}-${rows}.x.f32`), y: join(dir, `${a.id}-${rows}.y.f32`), rows };
  writeFileSync(files.x, X);
  writeFileSync(files.y, y);
  return files;
}
