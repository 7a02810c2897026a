// What `train` and `sweep` share: their options, reading them into checked settings, preparing
// the data (split, standardization), building the network whose output layer and loss follow
// from the data, and one training run with progress and Ctrl-C handling.
import { oneHot, standardize, trainTestSplit } from '../data/index.js';
import { MAX_SAMPLES } from '../data/validate.js';
import {
  ACTIVATIONS,
  type ActivationName,
  CLI_DEFAULTS,
  ENGINE_CHOICES,
  type EngineChoice,
  inRange,
  LOSSES,
  type LossName,
  type NumberRange,
  OPTIMIZERS,
  RANGES,
} from '../engine/contract.js';
import { Network } from '../network.js';
import { targetScalingOf } from '../scaling.js';
import type { History } from '../train.js';
import {
  CliError,
  choice,
  numberList,
  numberValue,
  type OptionTable,
  positiveInteger,
  requiredString,
  stringValue,
  type Values,
} from './args.js';
import { type LoadedData, loadData } from './data.js';
import { Progress, type ProgressOptions } from './progress.js';

export const TRAIN_OPTIONS: OptionTable = {
  data: { type: 'string', short: 'd' },
  target: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  layers: { type: 'string' },
  activation: { type: 'string' },
  loss: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  'clip-norm': { type: 'string' },
  'clip-value': { type: 'string' },
  epochs: { type: 'string', short: 'e' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  engine: { type: 'string' },
  threads: { type: 'string' },
  validation: { type: 'string' },
  standardize: { type: 'boolean' },
  json: { type: 'boolean' },
  'log-every': { type: 'string' },
};

export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainSettings {
  data: string;
  target: string | undefined;
  samples: number | undefined;
  noise: number | undefined;
  /** Hidden layer widths (the output layer follows from the data). */
  layers: number[];
  activation: ActivationName;
  loss: LossName | undefined;
  optimizer: OptimizerName;
  lr: number;
  /** The optimizer's clipNorm / clipValue; undefined: no clipping. */
  clipNorm: number | undefined;
  clipValue: number | undefined;
  epochs: number;
  batchSize: number | 'full';
  seed: number;
  engine: EngineChoice;
  threads: number | undefined;
  validation: number;
  standardize: boolean;
  json: boolean;
  logEvery: number | undefined;
}

export interface SettingDefaults {
  data?: string;
  optimizer: OptimizerName;
  epochs: number;
  batchSize: number | 'full';
}

/** Learning rate when --lr is not given: the CLI's own, declared in the contract (CLI_DEFAULTS). */
export function defaultLearningRate(optimizer: OptimizerName): number {
  return CLI_DEFAULTS.learningRate[optimizer];
}

/** --clip-norm / --clip-value: unset for no clipping, else a number in the optimizer option's range. */
function clipOption(values: Values, name: string, range: NumberRange): number | undefined {
  return values[name] === undefined
    ? undefined
    : numberValue(values, name, 0, range.expected, (v) => inRange(range, v));
}

export function readTrainSettings(values: Values, command: string, defaults: SettingDefaults): TrainSettings {
  const data =
    defaults.data && values.data === undefined ? defaults.data : requiredString(values, 'data', command);
  const optimizer = choice(values, 'optimizer', defaults.optimizer, OPTIMIZERS);
  const rawBatch = stringValue(values, 'batch-size');
  const hiddenActivations = ACTIVATIONS.filter((a) => a !== 'softmax');
  const logEvery = stringValue(values, 'log-every');
  return {
    data,
    target: stringValue(values, 'target'),
    samples: values.samples === undefined ? undefined : positiveInteger(values, 'samples', 0, MAX_SAMPLES),
    noise:
      values.noise === undefined
        ? undefined
        : numberValue(values, 'noise', 0, 'a number >= 0', (v) => v >= 0),
    layers: numberList(values, 'layers', [16], 'positive integers', (v) => inRange(RANGES.units, v)),
    activation: choice(values, 'activation', 'relu', hiddenActivations),
    loss: values.loss === undefined ? undefined : choice(values, 'loss', 'bce', LOSSES),
    optimizer,
    lr: numberValue(values, 'lr', defaultLearningRate(optimizer), 'a positive number', (v) =>
      inRange(RANGES.learningRate, v),
    ),
    clipNorm: clipOption(values, 'clip-norm', RANGES.clipNorm),
    clipValue: clipOption(values, 'clip-value', RANGES.clipValue),
    epochs: positiveInteger(values, 'epochs', defaults.epochs),
    batchSize:
      rawBatch === undefined
        ? defaults.batchSize
        : rawBatch === 'full'
          ? 'full'
          : numberValue(values, 'batch-size', 1, `${RANGES.batchSize.expected} or 'full'`, (v) =>
              inRange(RANGES.batchSize, v),
            ),
    seed: numberValue(values, 'seed', 0, `an integer in 0..${RANGES.seed.max}`, (v) =>
      inRange(RANGES.seed, v),
    ),
    engine: choice(values, 'engine', 'auto', ENGINE_CHOICES),
    threads:
      values.threads === undefined ? undefined : positiveInteger(values, 'threads', 1, RANGES.threads.max),
    validation: numberValue(values, 'validation', 0.2, 'a fraction in [0, 1)', (v) => v >= 0 && v < 1),
    standardize: values.standardize === true,
    json: values.json === true,
    logEvery: logEvery === undefined ? undefined : positiveInteger(values, 'log-every', 1),
  };
}

// --- data ----------------------------------------------------------------------------------------

export interface Prepared {
  data: LoadedData;
  XTrain: number[][];
  yTrain: number[];
  XTest: number[][];
  yTest: number[];
  scaling: { mean: number[]; std: number[] } | null;
}

export async function prepareData(s: TrainSettings): Promise<Prepared> {
  const data = await loadData(s.data, s.target, { samples: s.samples, noise: s.noise, seed: s.seed });
  let XTrain = data.X;
  let yTrain = data.y;
  let XTest: number[][] = [];
  let yTest: number[] = [];
  if (s.validation > 0) {
    if (data.X.length < 2) throw new CliError('--validation needs at least 2 rows of data');
    const split = trainTestSplit(data.X, data.y, {
      testSize: s.validation,
      seed: s.seed,
      stratify: data.task.kind !== 'regression',
    });
    ({ XTrain, XTest } = split);
    yTrain = split.yTrain;
    yTest = split.yTest;
  }
  // Fitted on the training part only, so the held-out part stays unseen.
  const scaling = s.standardize ? standardize(XTrain) : null;
  return {
    data,
    XTrain,
    yTrain,
    XTest,
    yTest,
    scaling: scaling && { mean: scaling.mean, std: scaling.std },
  };
}

// --- network -------------------------------------------------------------------------------------

/** Output layer and loss from the task: binary -> 1 sigmoid + bce, k classes -> softmax + cross-entropy. */
export function outputFor(
  data: LoadedData,
  loss: LossName | undefined,
): { units: number; activation: ActivationName; loss: LossName } {
  const { task } = data;
  if (task.kind === 'regression') {
    if (loss === 'bce' || loss === 'cross-entropy') {
      throw new CliError(
        `--loss ${loss} needs class labels, but the target of '${data.name}' is numeric (use mse)`,
      );
    }
    return { units: task.outputs, activation: 'linear', loss: loss ?? 'mse' };
  }
  if (task.kind === 'binary') {
    if (loss === 'cross-entropy') return { units: 2, activation: 'softmax', loss };
    return { units: 1, activation: 'sigmoid', loss: loss ?? 'bce' };
  }
  if (loss === 'bce')
    throw new CliError(
      `--loss bce needs two classes, but '${data.name}' has ${task.classes} (use cross-entropy)`,
    );
  return { units: task.classes, activation: 'softmax', loss: loss ?? 'cross-entropy' };
}

export function buildNetwork(s: TrainSettings, prepared: Prepared, lr = s.lr): Network {
  const { data } = prepared;
  const out = outputFor(data, s.loss);
  const net = new Network({
    inputs: data.X[0].length,
    layers: [
      ...s.layers.map((units) => ({ units, activation: s.activation })),
      { units: out.units, activation: out.activation },
    ],
    loss: out.loss,
    optimizer: {
      name: s.optimizer,
      learningRate: lr,
      ...(s.clipNorm === undefined ? {} : { clipNorm: s.clipNorm }),
      ...(s.clipValue === undefined ? {} : { clipValue: s.clipValue }),
    },
    seed: s.seed,
    engine: s.engine,
    ...(s.threads === undefined ? {} : { threads: s.threads }),
  });
  if (prepared.scaling) net.inputScaling = prepared.scaling;
  if (data.schema) net.schema = data.schema; // predict then reads columns by name
  // raw targets (prices, ages) train with the defaults; outputs come back in their units
  if (data.task.kind === 'regression') net.targetScaling = targetScalingOf(data.y);
  const names = data.classNames;
  if (names && names.length === (net.outputs === 1 ? 2 : net.outputs)) net.classNames = names;
  return net;
}

/** y as fit wants it: class indices, or one-hot rows for a squared-error loss on k classes. */
export function targetsFor(net: Network, y: number[]): number[] | number[][] {
  const logLoss = net.loss === 'bce' || net.loss === 'cross-entropy';
  return !logLoss && net.outputs > 1 ? oneHot(y, net.outputs) : y;
}

export function architecture(net: Network): string {
  const sizes = [net.inputs, ...net.layers.map((l) => l.units)].join('-');
  const acts = [...new Set(net.layers.map((l) => l.activation))].join('/');
  return `${sizes} ${acts}`;
}

// --- one run -------------------------------------------------------------------------------------

export interface RunResult {
  history: History;
  seconds: number;
  samplesPerSecond: number;
}

/** Trains with progress; `signal` stops it cleanly at the next chunk (fit's stopReason 'aborted'). */
export async function runTraining(
  net: Network,
  s: TrainSettings,
  prepared: Prepared,
  progressOptions: Omit<ProgressOptions, 'epochs' | 'samples'>,
  signal: AbortSignal,
): Promise<RunResult> {
  const progress = new Progress({
    ...progressOptions,
    epochs: s.epochs,
    samples: prepared.XTrain.length,
    metric: net.task === 'regression' ? 'mae' : 'accuracy',
  });
  const started = performance.now();
  let history: History;
  try {
    history = await net.fit(prepared.XTrain, targetsFor(net, prepared.yTrain), {
      epochs: s.epochs,
      batchSize: s.batchSize,
      ...(prepared.XTest.length > 0
        ? { validationData: [prepared.XTest, targetsFor(net, prepared.yTest)] }
        : {}),
      onEpochEnd: (epoch, logs) => progress.epoch(epoch, logs),
      signal,
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  return { history, seconds, samplesPerSecond: progress.rate(history.epochs) };
}

/**
 * Ctrl-C handling for a run: the first SIGINT aborts `controller` (training stops at the next chunk
 * and the caller still saves), the second exits at once with code 130. Returns the uninstaller.
 */
export function installInterrupt(controller: AbortController, say: (line: string) => void): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) {
      if (process.stdout.isTTY) process.stdout.write('\x1b[?25h\n'); // the bar hid the cursor
      say('fastmlp: interrupted again, exiting without saving');
      process.exit(130);
    }
    say('fastmlp: stopping after the current chunk (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return () => process.off('SIGINT', onSignal);
}
