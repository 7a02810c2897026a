// fit()'s options as users write them, checked and resolved once before training starts.
import { FIT_DEFAULTS, inRange, RANGES } from './engine/contract.js';
import type { Features, Targets } from './inputs.js';
import { type ResolvedSchedule, resolveSchedule, type ScheduleOptions } from './schedule.js';
import {
  expectBoolean,
  expectInRange,
  expectObject,
  expectOneOf,
  invalidArgument,
  outOfRange,
  rejectUnknownKeys,
} from './validate.js';

export interface EpochLogs {
  /** Training loss of the epoch (each batch's loss taken before its update). */
  loss: number;
  /** The epoch's training accuracy, each batch before its update (binary, multiclass: samples right; multilabel: labels right). Not for regression. */
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
  /** The epoch's training mean absolute error, each batch before its update (regression only). */
  mae?: number;
  val_mae?: number;
}

export interface EarlyStoppingOptions {
  /** Default 'val_loss' when there is validation data, else 'loss'. 'accuracy'/'val_accuracy' for classification tasks, 'mae'/'val_mae' for regression. */
  monitor?: 'loss' | 'val_loss' | 'accuracy' | 'val_accuracy' | 'mae' | 'val_mae';
  /** Epochs without improvement before stopping: an integer in 1..1000000000. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement: a non-negative finite number. Default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping. Default false. */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  /** Passes over the data: an integer in 1..1000000000. Default 1. */
  epochs?: number;
  /** Samples per gradient step: an integer in 1..2^31, or 'full' for the whole set. Default 32. */
  batchSize?: number | 'full';
  /** Visit samples in a new seeded order each epoch. Default true (no effect with 'full'). */
  shuffle?: boolean;
  /** Held-out data evaluated after each epoch. */
  validationData?: [Features, Targets];
  /** Fraction of the samples held out for validation, taken from the end (before shuffling): a fraction in (0, 1). Default 0 (none). */
  validationSplit?: number;
  /** Called after each epoch (0-based); return false to stop training. May be async with fit(). */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => unknown;
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Print a progress line every N epochs (and after the last): an integer in 1..1000000000. Default: no printing. */
  logEvery?: number;
  /** Where progress lines go. Default console.log. */
  log?: (line: string) => void;
  /** Stops training at the next chunk boundary; fit then resolves with stopReason 'aborted'. */
  signal?: AbortSignal;
  /** A learning-rate schedule: step, exponential, cosine or reduceOnPlateau. Default: none (the optimizer's constant rate). */
  schedule?: ScheduleOptions;
  /**
   * One weight per sample of X, each a non-negative finite float32 number, not all 0 (with
   * validationSplit the held-out samples' weights are not used: see validationSampleWeight).
   * The loss becomes the weighted mean (sse/half-sse: the weighted sum); a sample of weight 0
   * has no influence. Default: every sample weighs 1.
   */
  sampleWeight?: number[] | Float32Array;
  /**
   * Classification only: 'balanced' (n_samples / (n_classes * count of the class), as
   * scikit-learn, counted over the training samples) or one weight per class, each a
   * non-negative finite float32 number (two for a single sigmoid output: classes 0 and 1).
   * Multiplies sampleWeight. Multi-label and regression outputs have no classes: refused.
   */
  classWeight?: 'balanced' | number[];
  /**
   * One weight per validation sample (of validationData, or of the part validationSplit holds
   * out), each a non-negative finite float32 number, not all 0: val_loss and val_accuracy become
   * weighted. Default: unweighted.
   */
  validationSampleWeight?: number[] | Float32Array;
}

export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number | 'full';
  shuffle: boolean;
  validationData: [Features, Targets] | null;
  validationSplit: number;
  onEpochEnd: ((epoch: number, logs: EpochLogs) => unknown) | null;
  earlyStopping: Required<EarlyStoppingOptions> | null;
  logEvery: number;
  log: (line: string) => void;
  signal: AbortSignal | null;
  schedule: ResolvedSchedule | null;
  /** As given (checked for their type here; lengths and values in sample-weights.ts). */
  sampleWeight: ArrayLike<unknown> | null;
  classWeight: 'balanced' | ArrayLike<unknown> | null;
  validationSampleWeight: ArrayLike<unknown> | null;
}

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationData',
  'validationSplit',
  'onEpochEnd',
  'earlyStopping',
  'logEvery',
  'log',
  'signal',
  'schedule',
  'sampleWeight',
  'classWeight',
  'validationSampleWeight',
];
const EARLY_KEYS = ['monitor', 'patience', 'minDelta', 'restoreBestWeights'];
/** batchSize takes a number in the contract's range or the word 'full'. */
const BATCH_SIZE_EXPECTED = `${RANGES.batchSize.expected} or 'full'`;

export function resolveFitOptions(options: unknown): ResolvedFitOptions {
  const o = options === undefined ? {} : expectObject(options, 'options');
  rejectUnknownKeys(o, FIT_KEYS, 'fit');
  const epochs =
    o.epochs === undefined ? FIT_DEFAULTS.epochs : expectInRange(o.epochs, 'epochs', RANGES.epochs);
  let batchSize: number | 'full' = FIT_DEFAULTS.batchSize;
  if (o.batchSize === 'full') batchSize = 'full';
  else if (typeof o.batchSize === 'number') {
    if (!inRange(RANGES.batchSize, o.batchSize))
      throw outOfRange('batchSize', BATCH_SIZE_EXPECTED, o.batchSize);
    batchSize = o.batchSize;
  } else if (o.batchSize !== undefined) throw invalidArgument('batchSize', BATCH_SIZE_EXPECTED, o.batchSize);
  const shuffle = o.shuffle === undefined ? FIT_DEFAULTS.shuffle : expectBoolean(o.shuffle, 'shuffle');
  let validationData: [Features, Targets] | null = null;
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) {
      throw invalidArgument('validationData', 'a pair [X, y]', o.validationData);
    }
    validationData = o.validationData as [Features, Targets];
  }
  const validationSplit =
    o.validationSplit === undefined
      ? FIT_DEFAULTS.validationSplit
      : expectInRange(o.validationSplit, 'validationSplit', RANGES.validationSplit);
  if (validationData && validationSplit > 0) {
    throw new TypeError('Expected either validationData or validationSplit for fit but received both');
  }
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') {
    throw invalidArgument('onEpochEnd', 'a function', o.onEpochEnd);
  }
  if (o.log !== undefined && typeof o.log !== 'function') throw invalidArgument('log', 'a function', o.log);
  const signal = o.signal === undefined ? null : o.signal;
  if (signal !== null && !(signal instanceof AbortSignal))
    throw invalidArgument('signal', 'an AbortSignal', signal);
  const hasValidation = validationData !== null || validationSplit > 0;
  const validationSampleWeight = weightArray(o.validationSampleWeight, 'validationSampleWeight');
  if (validationSampleWeight !== null && !hasValidation) {
    throw new TypeError(
      'Expected validationData or validationSplit for validationSampleWeight but received neither',
    );
  }
  let classWeight: ResolvedFitOptions['classWeight'] = null;
  if (o.classWeight === 'balanced') classWeight = 'balanced';
  else if (typeof o.classWeight === 'string') {
    throw outOfRange('classWeight', "'balanced' or an array of one weight per class", o.classWeight);
  } else if (o.classWeight !== undefined) {
    if (!Array.isArray(o.classWeight))
      throw invalidArgument('classWeight', "'balanced' or an array of one weight per class", o.classWeight);
    classWeight = o.classWeight;
  }
  return {
    epochs,
    batchSize,
    shuffle,
    validationData,
    validationSplit,
    onEpochEnd: (o.onEpochEnd as ResolvedFitOptions['onEpochEnd']) ?? null,
    earlyStopping: resolveEarlyStopping(o.earlyStopping, hasValidation),
    logEvery:
      o.logEvery === undefined
        ? FIT_DEFAULTS.logEvery
        : expectInRange(o.logEvery, 'logEvery', RANGES.logEvery),
    log: (o.log as (line: string) => void) ?? ((line: string) => console.log(line)),
    signal,
    schedule: resolveSchedule(o.schedule, hasValidation),
    sampleWeight: weightArray(o.sampleWeight, 'sampleWeight'),
    classWeight,
    validationSampleWeight,
  };
}

/** undefined: none; else an array or a Float32Array (its values are checked with the data). */
function weightArray(value: unknown, name: string): ArrayLike<unknown> | null {
  if (value === undefined) return null;
  if (Array.isArray(value) || value instanceof Float32Array) return value;
  throw invalidArgument(name, 'an array or a Float32Array of one weight per sample', value);
}

function resolveEarlyStopping(value: unknown, hasValidation: boolean): Required<EarlyStoppingOptions> | null {
  if (value === undefined || value === false) return null;
  const e = value === true ? {} : expectObject(value, 'earlyStopping');
  rejectUnknownKeys(e, EARLY_KEYS, 'earlyStopping');
  const monitor =
    e.monitor === undefined
      ? hasValidation
        ? 'val_loss'
        : 'loss'
      : expectOneOf(e.monitor, 'earlyStopping.monitor', [
          'loss',
          'val_loss',
          'accuracy',
          'val_accuracy',
          'mae',
          'val_mae',
        ] as const);
  if (monitor.startsWith('val_') && !hasValidation) {
    throw new TypeError(
      `Expected validationData or validationSplit for earlyStopping.monitor '${monitor}' but received neither`,
    );
  }
  return {
    monitor,
    patience:
      e.patience === undefined
        ? FIT_DEFAULTS.patience
        : expectInRange(e.patience, 'earlyStopping.patience', RANGES.patience),
    minDelta:
      e.minDelta === undefined
        ? FIT_DEFAULTS.minDelta
        : expectInRange(e.minDelta, 'earlyStopping.minDelta', RANGES.minDelta),
    restoreBestWeights:
      e.restoreBestWeights === undefined
        ? FIT_DEFAULTS.restoreBestWeights
        : expectBoolean(e.restoreBestWeights, 'earlyStopping.restoreBestWeights'),
  };
}
