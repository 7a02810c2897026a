// What `train` and `sweep` share: their options, reading them into checked settings, preparing
// the data (split, standardization), building the network whose output layer and loss follow
// from the data, and one training run with progress and Ctrl-C handling.
import { oneHot, standardize, trainTestSplit } from '../data/index.js';
import { MAX_SAMPLES } from '../data/validate.js';
import {
  ACTIVATIONS,
  type ActivationName,
  CLI_DEFAULTS,
  DEFAULTS,
  ENGINE_CHOICES,
  type EngineChoice,
  inRange,
  LOSSES,
  type LossName,
  OPTIMIZERS,
  RANGES,
  SCHEDULE_NAMES,
  type ScheduleName,
} from '../engine/contract.js';
import { Network } from '../network.js';
import { targetScalingOf } from '../scaling.js';
import type { ScheduleOptions } from '../schedule.js';
import type { OptimizerSpec } from '../spec.js';
import type { History } from '../train.js';
import type { EarlyStoppingOptions } from '../train-options.js';
import {
  CliError,
  choice,
  columnList,
  numberList,
  numberValue,
  type OptionTable,
  positiveInteger,
  rangeValue,
  requiredString,
  stringValue,
  type Values,
} from './args.js';
import { type LoadedData, loadData } from './data.js';
import { optionsFor, parserTable } from './options.js';
import { Progress, type ProgressOptions } from './progress.js';

/** parseArgs' table for train and sweep, from the one options table (lib/cli/options.ts). */
/** --task's values: fromCSV's tasks. */
const TASK_CHOICES = ['classification', 'regression'] as const;
const MISSING_CHOICES = ['fill', 'error'] as const;

export const TRAIN_OPTIONS: OptionTable = parserTable(optionsFor('train'));

export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainSettings {
  data: string;
  target: string | undefined;
  /** A CSV target's task (--task); undefined: fromCSV infers it. */
  task: 'classification' | 'regression' | undefined;
  /** A table's columns left out of the features (--ignore). */
  ignore: string[];
  /** A table's columns read as categories (--categorical). */
  categorical: string[];
  /** The class names in the model's order (--classes); empty: the classes found. */
  classes: string[];
  /** What a missing feature cell does (--missing); undefined: fromCSV's default (fill). */
  missing: 'fill' | 'error' | undefined;
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
  /** The optimizer's other numbers; undefined: the API's default. */
  momentum: number | undefined;
  nesterov: boolean;
  weightDecay: number | undefined;
  beta1: number | undefined;
  beta2: number | undefined;
  epsilon: number | undefined;
  rho: number | undefined;
  huberDelta: number | undefined;
  /** One rate per hidden layer; undefined: none given. */
  dropout: number[] | undefined;
  shuffle: boolean;
  classWeight: 'balanced' | number[] | undefined;
  earlyStopping: EarlyStoppingOptions | undefined;
  schedule: ScheduleOptions | undefined;
  /** --resume: the model file training continues from. */
  resume: string | undefined;
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

const MONITORS = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'mae', 'val_mae'] as const;

/** --dropout: one rate for every hidden layer, or one per --layers entry. */
function readDropout(values: Values, layers: number[]): number[] | undefined {
  if (values.dropout === undefined) return undefined;
  const rates = numberList(values, 'dropout', [], RANGES.dropout.expected, (v) => inRange(RANGES.dropout, v));
  if (rates.length === 1) return layers.map(() => rates[0]);
  if (rates.length !== layers.length)
    throw new CliError(
      `--dropout expects one rate or ${layers.length} (one per --layers entry) but received ${rates.length}`,
    );
  return rates;
}

/** --class-weight: 'balanced' or one non-negative weight per class. */
function readClassWeight(values: Values): 'balanced' | number[] | undefined {
  if (values['class-weight'] === undefined) return undefined;
  if (values['class-weight'] === 'balanced') return 'balanced';
  return numberList(values, 'class-weight', [], `${RANGES.sampleWeight.expected}s (or balanced)`, (v) =>
    inRange(RANGES.sampleWeight, v),
  );
}

/** --early-stopping and the flags that imply it. */
function readEarlyStopping(values: Values): EarlyStoppingOptions | undefined {
  const implied = ['monitor', 'patience', 'min-delta', 'restore-best'].some((n) => values[n] !== undefined);
  if (values['early-stopping'] !== true && !implied) return undefined;
  const monitor = values.monitor === undefined ? undefined : choice(values, 'monitor', 'loss', MONITORS);
  const patience = rangeValue(values, 'patience', RANGES.patience);
  const minDelta = rangeValue(values, 'min-delta', RANGES.minDelta);
  return {
    ...(monitor === undefined ? {} : { monitor }),
    ...(patience === undefined ? {} : { patience }),
    ...(minDelta === undefined ? {} : { minDelta }),
    ...(values['restore-best'] === true ? { restoreBestWeights: true } : {}),
  };
}

/** Which schedule flags belong to which schedule: a flag given for another one is an error. */
const SCHEDULE_FLAGS: Record<ScheduleName, string[]> = {
  step: ['schedule-every', 'schedule-gamma'],
  exponential: ['schedule-gamma'],
  cosine: ['warmup-steps', 'min-lr'],
  reduceOnPlateau: ['plateau-factor', 'plateau-patience', 'plateau-min-delta', 'plateau-cooldown', 'min-lr'],
};
const ALL_SCHEDULE_FLAGS = [...new Set(Object.values(SCHEDULE_FLAGS).flat())];

/** --schedule and its parameters, as fit's `schedule` option. */
function readSchedule(values: Values): ScheduleOptions | undefined {
  const given = ALL_SCHEDULE_FLAGS.filter((n) => values[n] !== undefined);
  if (values.schedule === undefined) {
    if (given.length > 0) throw new CliError(`--${given[0]} needs --schedule`);
    return undefined;
  }
  const name = choice(values, 'schedule', 'step', SCHEDULE_NAMES);
  const stray = given.find((n) => !SCHEDULE_FLAGS[name].includes(n));
  if (stray) throw new CliError(`--${stray} does not apply to --schedule ${name}`);
  const gamma = rangeValue(values, 'schedule-gamma', RANGES.scheduleGamma);
  const minLearningRate = rangeValue(values, 'min-lr', RANGES.minLearningRate);
  const opt = <T>(key: string, v: T | undefined) => (v === undefined ? {} : { [key]: v });
  switch (name) {
    case 'step': {
      const every = rangeValue(values, 'schedule-every', RANGES.scheduleEvery);
      if (every === undefined) throw new CliError('--schedule step needs --schedule-every <epochs>');
      return { name, every, ...opt('gamma', gamma) };
    }
    case 'exponential':
      if (gamma === undefined) throw new CliError('--schedule exponential needs --schedule-gamma <factor>');
      return { name, gamma };
    case 'cosine':
      return {
        name,
        ...opt('warmupSteps', rangeValue(values, 'warmup-steps', RANGES.warmupSteps)),
        ...opt('minLearningRate', minLearningRate),
      };
    case 'reduceOnPlateau':
      return {
        name,
        ...opt('factor', rangeValue(values, 'plateau-factor', RANGES.plateauFactor)),
        ...opt('patience', rangeValue(values, 'plateau-patience', RANGES.plateauPatience)),
        ...opt('minDelta', rangeValue(values, 'plateau-min-delta', RANGES.minDelta)),
        ...opt('cooldown', rangeValue(values, 'plateau-cooldown', RANGES.plateauCooldown)),
        ...opt('minLearningRate', minLearningRate),
      };
  }
}

export function readTrainSettings(values: Values, command: string, defaults: SettingDefaults): TrainSettings {
  const data =
    defaults.data && values.data === undefined ? defaults.data : requiredString(values, 'data', command);
  const optimizer = choice(values, 'optimizer', defaults.optimizer, OPTIMIZERS);
  const rawBatch = stringValue(values, 'batch-size');
  const hiddenActivations = ACTIVATIONS.filter((a) => a !== 'softmax');
  const logEvery = stringValue(values, 'log-every');
  const layers = numberList(values, 'layers', [16], 'positive integers', (v) => inRange(RANGES.units, v));
  const settings: TrainSettings = {
    data,
    target: stringValue(values, 'target'),
    task: values.task === undefined ? undefined : choice(values, 'task', 'classification', TASK_CHOICES),
    ignore: columnList(values, 'ignore'),
    categorical: columnList(values, 'categorical'),
    classes: columnList(values, 'classes'),
    missing: values.missing === undefined ? undefined : choice(values, 'missing', 'fill', MISSING_CHOICES),
    samples: values.samples === undefined ? undefined : positiveInteger(values, 'samples', 0, MAX_SAMPLES),
    noise:
      values.noise === undefined
        ? undefined
        : numberValue(values, 'noise', 0, 'a number >= 0', (v) => v >= 0),
    layers,
    activation: choice(values, 'activation', DEFAULTS.hiddenActivation, hiddenActivations),
    loss: values.loss === undefined ? undefined : choice(values, 'loss', 'bce', LOSSES),
    optimizer,
    lr: numberValue(values, 'lr', defaultLearningRate(optimizer), 'a positive number', (v) =>
      inRange(RANGES.learningRate, v),
    ),
    clipNorm: rangeValue(values, 'clip-norm', RANGES.clipNorm),
    clipValue: rangeValue(values, 'clip-value', RANGES.clipValue),
    momentum: rangeValue(values, 'momentum', RANGES.momentum),
    nesterov: values.nesterov === true,
    weightDecay: rangeValue(values, 'weight-decay', RANGES.weightDecay),
    beta1: rangeValue(values, 'beta1', RANGES.beta1),
    beta2: rangeValue(values, 'beta2', RANGES.beta2),
    epsilon: rangeValue(values, 'epsilon', RANGES.epsilon),
    rho: rangeValue(values, 'rho', RANGES.rho),
    huberDelta: rangeValue(values, 'huber-delta', RANGES.huberDelta),
    dropout: readDropout(values, layers),
    shuffle: values['no-shuffle'] !== true,
    classWeight: readClassWeight(values),
    earlyStopping: readEarlyStopping(values),
    schedule: readSchedule(values),
    resume: stringValue(values, 'resume'),
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
    validation: numberValue(
      values,
      'validation',
      CLI_DEFAULTS.validation,
      'a fraction in [0, 1)',
      (v) => v >= 0 && v < 1,
    ),
    standardize: values.standardize === true,
    json: values.json === true,
    logEvery: logEvery === undefined ? undefined : positiveInteger(values, 'log-every', 1),
  };
  const monitor = settings.earlyStopping?.monitor;
  if (monitor?.startsWith('val_') && settings.validation === 0)
    throw new CliError(`--monitor ${monitor} needs validation data, but --validation is 0`);
  return settings;
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
  const data = await loadData(
    s.data,
    s.target,
    { samples: s.samples, noise: s.noise, seed: s.seed },
    {
      ...(s.task === undefined ? {} : { task: s.task }),
      ...(s.ignore.length > 0 ? { ignore: s.ignore } : {}),
      ...(s.categorical.length > 0 ? { categorical: s.categorical } : {}),
      ...(s.classes.length > 0 ? { classes: s.classes } : {}),
      ...(s.missing === undefined ? {} : { missing: s.missing }),
    },
  );
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
      ...s.layers.map((units, i) => ({
        units,
        activation: s.activation,
        ...(s.dropout ? { dropout: s.dropout[i] } : {}),
      })),
      { units: out.units, activation: out.activation },
    ],
    loss: lossSpec(s, out.loss),
    optimizer: optimizerSpec(s, lr),
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

/** --loss with --huber-delta, as the API's loss option. */
function lossSpec(s: TrainSettings, loss: LossName): LossName | { name: 'huber'; delta: number } {
  if (s.huberDelta === undefined) return loss;
  if (loss !== 'huber') throw new CliError(`--huber-delta needs --loss huber (the loss is ${loss})`);
  return { name: 'huber', delta: s.huberDelta };
}

/** The optimizer option from the settings: only what was given, the API fills in the rest. */
export function optimizerSpec(s: TrainSettings, lr: number): OptimizerSpec {
  const given = {
    learningRate: lr,
    momentum: s.momentum,
    nesterov: s.nesterov ? true : undefined,
    weightDecay: s.weightDecay,
    beta1: s.beta1,
    beta2: s.beta2,
    epsilon: s.epsilon,
    rho: s.rho,
    clipNorm: s.clipNorm,
    clipValue: s.clipValue,
  };
  const spec: Record<string, unknown> = { name: s.optimizer };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) spec[key] = value;
  return spec as unknown as OptimizerSpec;
}

/** Two lists of numbers are equal element by element. */
export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
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
      shuffle: s.shuffle,
      ...(s.classWeight === undefined ? {} : { classWeight: s.classWeight }),
      ...(s.earlyStopping === undefined ? {} : { earlyStopping: s.earlyStopping }),
      ...(s.schedule === undefined ? {} : { schedule: s.schedule }),
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
