// What the comparison's driver (bench/versus/suite.ts) and its trial processes (node-trial.ts,
// py_train.py) exchange, and the contenders: who runs what, in which kind of process.
import type { ArchId, DataFiles } from './archs.js';

export type ContenderId = 'fastmlp' | 'numpy' | 'torch' | 'ort';
export type TrialKind = 'train' | 'predict' | 'memory';

export interface Contender {
  id: ContenderId;
  /** node: bench/versus/node-trial.ts; python: bench/versus/py_train.py (an interpreter with its module). */
  process: 'node' | 'python';
  /** The Python module the interpreter must import for this contender. */
  module?: string;
  note: string;
}

export const CONTENDERS: Record<ContenderId, Contender> = {
  fastmlp: {
    id: 'fastmlp',
    process: 'node',
    note: "fastmlp's public API: await net.fit(X, y), net.predict(X)",
  },
  numpy: {
    id: 'numpy',
    process: 'python',
    module: 'numpy',
    note: 'a hand-written numpy training loop (float32, shuffled index batches, the same optimizer)',
  },
  torch: {
    id: 'torch',
    process: 'python',
    module: 'torch',
    note: 'PyTorch: torch.nn.Sequential, torch.optim SGD/Adam, shuffled index batches (no DataLoader)',
  },
  ort: {
    id: 'ort',
    process: 'node',
    note: "onnxruntime-node InferenceSession on fastmlp's exported model (net.export(path, { format: 'onnx' }))",
  },
};

/** Who is compared in each kind of trial, fastmlp first. */
export const CONTENDERS_OF: Record<TrialKind, ContenderId[]> = {
  train: ['fastmlp', 'numpy', 'torch'],
  predict: ['fastmlp', 'ort'],
  memory: ['fastmlp'],
};

/**
 * In-process sampling of the timed fit() call, the same for every contender (node: Benchmark.js,
 * python: timeit): at least `minSamples` calls, and more until `maxTime` seconds have passed.
 */
export const FIT_SAMPLING = {
  full: { minSamples: 3, maxTime: 1 },
  quick: { minSamples: 2, maxTime: 0.05 },
} as const;

/** Batch sizes of the inference comparison. */
export const PREDICT_BATCHES = [1, 16, 1024] as const;

/**
 * A contender's last-epoch loss must be at most this fraction of its first epoch's: a contender
 * that does not update its weights repeats its first epoch's mean loss to float rounding, while
 * the slowest learner here (784-128-10 with SGD, --quick's few epochs) falls by about 1%.
 */
export const LOSS_MUST_FALL_TO = 0.995;

export interface TrialSpec {
  kind: TrialKind;
  contender: ContenderId;
  arch: ArchId;
  threads: number;
  quick: boolean;
  data: DataFiles;
  /** Also time a 1-epoch fit against a 4-epoch fit (fastmlp train trials of the small networks). */
  startup?: boolean;
}

export interface Metric {
  /** The trial's figure: samples/s, us/call, GFLOP/s, MB or a ratio (from the sampler's mean). */
  value: number;
  /** The sampler's relative margin of error, %. */
  rme: number;
  samples: number;
}

export type TrialResult =
  | {
      status: 'ok';
      metrics: Record<string, Metric>;
      check: { passed: boolean; detail: string };
      info?: Record<string, number | string | boolean>;
    }
  | { status: 'skipped' | 'failed'; reason: string };
