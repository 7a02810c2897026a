// fit()'s options as users write them, checked and resolved once before training starts.
import type { Features, Targets } from './inputs.js';
import {
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectPositiveInteger,
  invalidArgument,
  rejectUnknownKeys,
} from './validate.js';

export interface EpochLogs {
  /** Training loss of the epoch (each batch's loss taken before its update). */
  loss: number;
  /** Fraction of the epoch's rows its forward passes classified right, each batch before its update (classification losses only). */
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface EarlyStoppingOptions {
  /** Default 'val_loss' when there is validation data, else 'loss'. */
  monitor?: 'loss' | 'val_loss' | 'accuracy' | 'val_accuracy';
  /** Epochs without improvement before stopping, >= 1. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement, >= 0. Default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping. Default false. */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  /** Passes over the data, >= 1. Default 1. */
  epochs?: number;
  /** Samples per gradient step: a positive integer, or 'full' for the whole set. Default 32. */
  batchSize?: number | 'full';
  /** Visit samples in a new seeded order each epoch. Default true (no effect with 'full'). */
  shuffle?: boolean;
  /** Held-out data evaluated after each epoch. */
  validationData?: [Features, Targets];
  /** Fraction in (0, 1) of the samples, taken from the end (before shuffling), held out for validation. */
  validationSplit?: number;
  /** Called after each epoch (0-based); return false to stop training. May be async with fit(). */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => unknown;
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Print a progress line every N epochs (and after the last). Default: no printing. */
  logEvery?: number;
  /** Where progress lines go. Default console.log. */
  log?: (line: string) => void;
  /** Stops training at the next chunk boundary; fit then resolves with stopReason 'aborted'. */
  signal?: AbortSignal;
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
];
const EARLY_KEYS = ['monitor', 'patience', 'minDelta', 'restoreBestWeights'];
const MAX_EPOCHS = 1e9;

export function resolveFitOptions(options: unknown): ResolvedFitOptions {
  const o = options === undefined ? {} : expectObject(options, 'options');
  rejectUnknownKeys(o, FIT_KEYS, 'fit');
  const epochs = o.epochs === undefined ? 1 : expectPositiveInteger(o.epochs, 'epochs', MAX_EPOCHS);
  let batchSize: number | 'full' = 32;
  if (o.batchSize === 'full') batchSize = 'full';
  else if (typeof o.batchSize === 'number') batchSize = expectPositiveInteger(o.batchSize, 'batchSize');
  else if (o.batchSize !== undefined)
    throw invalidArgument('batchSize', "a positive integer or 'full'", o.batchSize);
  const shuffle = o.shuffle === undefined ? true : expectBoolean(o.shuffle, 'shuffle');
  let validationData: [Features, Targets] | null = null;
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) {
      throw invalidArgument('validationData', 'a pair [X, y]', o.validationData);
    }
    validationData = o.validationData as [Features, Targets];
  }
  const validationSplit =
    o.validationSplit === undefined
      ? 0
      : expectNumber(o.validationSplit, 'validationSplit', 'a fraction in (0, 1)', (v) => v > 0 && v < 1);
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
  return {
    epochs,
    batchSize,
    shuffle,
    validationData,
    validationSplit,
    onEpochEnd: (o.onEpochEnd as ResolvedFitOptions['onEpochEnd']) ?? null,
    earlyStopping: resolveEarlyStopping(o.earlyStopping, hasValidation),
    logEvery: o.logEvery === undefined ? 0 : expectPositiveInteger(o.logEvery, 'logEvery'),
    log: (o.log as (line: string) => void) ?? ((line: string) => console.log(line)),
    signal,
  };
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
        ] as const);
  if (monitor.startsWith('val_') && !hasValidation) {
    throw new TypeError(
      `Expected validationData or validationSplit for earlyStopping.monitor '${monitor}' but received neither`,
    );
  }
  return {
    monitor,
    patience: e.patience === undefined ? 10 : expectPositiveInteger(e.patience, 'earlyStopping.patience'),
    minDelta:
      e.minDelta === undefined
        ? 0
        : expectNumber(e.minDelta, 'earlyStopping.minDelta', 'a non-negative number', (v) => v >= 0),
    restoreBestWeights:
      e.restoreBestWeights === undefined
        ? false
        : expectBoolean(e.restoreBestWeights, 'earlyStopping.restoreBestWeights'),
  };
}
