// The one declared contract: every name with its numeric code, every option's range and default,
// every limit. The TS validators (lib/spec.ts, lib/initializers.ts), the TS engine's checks, the
// CLI and the C++ core and addon (through native/core/contract.hpp, generated from this file by
// `npm run gen:contract`) all read it. Data only: nothing here runs but two small predicates.

// --- names and codes ------------------------------------------------------------------------
// A code is what the engines switch on (TS constants, C++ enums). Codes are stable: append new
// names, never renumber. Each table's codes are 0..n-1 in the order written.

export const ACTIVATION_CODES = {
  sigmoid: 0,
  relu: 1,
  tanh: 2,
  leakyRelu: 3,
  softmax: 4,
  linear: 5,
} as const;

export const LOSS_CODES = {
  sse: 0,
  'half-sse': 1,
  mse: 2,
  bce: 3,
  'cross-entropy': 4,
  mae: 5,
  huber: 6,
} as const;

/** What an engine runs. 'sgd' with momentum > 0 becomes 'momentum' or 'nesterov' (lib/spec.ts). */
export const OPTIMIZER_CODES = { sgd: 0, momentum: 1, nesterov: 2, adam: 3 } as const;

export const INITIALIZER_CODES = {
  zeros: 0,
  uniform: 1,
  normal: 2,
  glorotUniform: 3,
  glorotNormal: 4,
  heUniform: 5,
  heNormal: 6,
} as const;

export const ENGINE_CODES = { ts: 0, native: 1 } as const;

export type ActivationName = keyof typeof ACTIVATION_CODES;
export type LossName = keyof typeof LOSS_CODES;
export type OptimizerKind = keyof typeof OPTIMIZER_CODES;
export type InitializerName = keyof typeof INITIALIZER_CODES;
export type EngineName = keyof typeof ENGINE_CODES;

const namesOf = <T extends string>(codes: Record<T, number>): readonly T[] => Object.keys(codes) as T[];

export const ACTIVATIONS = namesOf(ACTIVATION_CODES);
export const LOSSES = namesOf(LOSS_CODES);
export const OPTIMIZERS = namesOf(OPTIMIZER_CODES);
export const INITIALIZERS = namesOf(INITIALIZER_CODES);
export const ENGINES = namesOf(ENGINE_CODES);
/** What users may ask for: 'auto' picks native when the addon loads, else ts. */
export const ENGINE_CHOICES = ['auto', 'native', 'ts'] as const satisfies readonly ('auto' | EngineName)[];
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** The output activation a loss is fused with (computed from the logits); others take any. */
export const LOSS_REQUIRES_ACTIVATION: Partial<Record<LossName, ActivationName>> = {
  bce: 'sigmoid',
  'cross-entropy': 'softmax',
};

/** Slope of leakyRelu for z <= 0, in both engines. */
export const LEAKY_RELU_ALPHA = 0.01;

// --- limits ---------------------------------------------------------------------------------

/** Largest layer width or input count: far above any MLP, far below any size overflow. */
export const MAX_UNITS = 2 ** 20;
/** Largest layer count. */
export const MAX_LAYERS = 1024;
/** Largest parameter count: 2^28 floats = 1 GiB of weights (plus as much again per optimizer slot). */
export const MAX_PARAMS = 2 ** 28;
/** Largest element count of any one array an engine touches (batch rows, sizes of products). */
export const MAX_ELEMENTS = 2 ** 31;
/** Most worker threads a native trainer uses. */
export const MAX_THREADS = 256;
/**
 * Most epochs one fit (and one engine chunk) runs. 10^9 and not 2^31: fit keeps one loss per
 * epoch, and 10^9 of them (8 GB) is already far past any use; the engines' losses arrays stay
 * well inside MAX_ELEMENTS, and the number reads plainly in messages.
 */
export const MAX_EPOCHS = 1e9;
/**
 * Largest optimizer step count, before and after a chunk: 2^53 - 1, the largest integer a JS
 * number holds exactly (Adam's bias correction reads it as t).
 */
export const MAX_STEPS = Number.MAX_SAFE_INTEGER;

/**
 * The inference workspace rule. Most rows one forward block of an inference model holds is
 * INFERENCE_BLOCK_ROWS; a model's workspaces (per row: two buffers as wide as the widest hidden
 * layer, and the output logits) stay within max(parameters / INFERENCE_WORKSPACE_SHARE,
 * INFERENCE_WORKSPACE_FLOOR) floats, so a wide network runs blocks of fewer rows (at least 1),
 * and a small one, where a block costs nothing, keeps the full block. Both engines apply it
 * (lib/engine/ts/model.ts, native/core/model.cpp).
 */
export const INFERENCE_BLOCK_ROWS = 256;
export const INFERENCE_WORKSPACE_SHARE = 64;
export const INFERENCE_WORKSPACE_FLOOR = 65536;

// --- ranges ---------------------------------------------------------------------------------

/**
 * A closed or half-open interval of numbers. `expected` is how an error message states it
 * ("Expected <expected> for <name> but received <value>"). Infinite bounds are always open:
 * every range rejects NaN and +-Infinity.
 */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** true: min itself is outside the range. */
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
  readonly integer: boolean;
  /**
   * The engines store the value as float32 (optimizer coefficients, initializer draws): it must
   * also be inside the range once rounded to float32, so 1e300 (Infinity as float32) and 1e-50
   * (0 as float32, for a positive range) are out.
   */
  readonly float32: boolean;
  readonly expected: string;
}

const integers = (min: number, max: number, expected = `an integer in ${min}..${max}`): NumberRange => ({
  min,
  max,
  minExclusive: false,
  maxExclusive: false,
  integer: true,
  float32: false,
  expected,
});

const numbers = (
  min: number,
  minExclusive: boolean,
  max: number,
  maxExclusive: boolean,
  expected: string,
  float32 = false,
): NumberRange => ({ min, max, minExclusive, maxExclusive, integer: false, float32, expected });

/** A range of numbers the engines keep as float32 (see NumberRange.float32). */
const float32s = (
  min: number,
  minExclusive: boolean,
  max: number,
  maxExclusive: boolean,
  expected: string,
): NumberRange => numbers(min, minExclusive, max, maxExclusive, expected, true);

export const RANGES = {
  /** layers.length of a network and of a TrainerPlan. */
  layerCount: integers(1, MAX_LAYERS, `1..${MAX_LAYERS} layers`),
  /** A network's inputs, a layer's units (and a plan layer's inputs). */
  units: integers(1, MAX_UNITS),
  /** Parameters of the whole network (weights and biases). */
  params: integers(1, MAX_PARAMS, `at most ${MAX_PARAMS} parameters in total`),
  /** Rows per batch (fit's batchSize when a number, TrainerPlan.batchSize, a chunk's batchSize). */
  batchSize: integers(1, MAX_ELEMENTS, 'an integer in 1..2^31'),
  /** Rows of the data of one engine call that trains or evaluates (predict also takes 0 rows). */
  rows: integers(1, MAX_ELEMENTS, 'an integer in 1..2^31'),
  /** fit's epochs. */
  epochs: integers(1, MAX_EPOCHS),
  /** Epochs of one engine chunk (0: nothing to run). */
  chunkEpochs: integers(0, MAX_EPOCHS),
  /** An optimizer step count (Adam's t), before and after a chunk. */
  step: integers(0, MAX_STEPS, 'an integer in 0..2^53-1'),
  /** fit's validationSplit: the fraction of samples held out, taken from the end. */
  validationSplit: numbers(0, true, 1, true, 'a fraction in (0, 1)'),
  /** fit's earlyStopping.patience: epochs without improvement before stopping. */
  patience: integers(1, MAX_EPOCHS),
  /** fit's earlyStopping.minDelta: the smallest change that counts as an improvement. */
  minDelta: numbers(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite number'),
  /** fit's logEvery: print a progress line every N epochs. */
  logEvery: integers(1, MAX_EPOCHS),
  /** NetworkOptions.threads (unset: one per hardware thread). */
  threads: integers(1, MAX_THREADS),
  /** TrainerPlan.threads: as NetworkOptions.threads, with 0 for "one per hardware thread". */
  planThreads: integers(0, MAX_THREADS),
  seed: integers(0, 2 ** 32 - 1, 'an integer in 0..2^32-1'),
  // The engines' update rules multiply in float32 by these (native/core/optimizers.cpp). momentum
  // and the betas, in [0, 1), are always finite as float32 (1 - beta is taken in float64).
  learningRate: float32s(0, true, Number.POSITIVE_INFINITY, true, 'a positive finite float32 number'),
  momentum: numbers(0, false, 1, true, 'a number in [0, 1)'),
  beta1: numbers(0, false, 1, true, 'a number in [0, 1)'),
  beta2: numbers(0, false, 1, true, 'a number in [0, 1)'),
  epsilon: float32s(0, true, Number.POSITIVE_INFINITY, true, 'a positive finite float32 number'),
  weightDecay: float32s(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite float32 number'),
  /** Initializer parameters: uniform's low/high (high > low, checked apart), normal's mean. */
  initializerBound: float32s(
    Number.NEGATIVE_INFINITY,
    true,
    Number.POSITIVE_INFINITY,
    true,
    'a finite float32 number',
  ),
  initializerStd: float32s(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite float32 number'),
  /** huber's delta (`loss: { name: 'huber', delta }`), TrainerPlan/ModelPlan.huberDelta: where the loss turns from quadratic to linear. */
  huberDelta: float32s(0, true, Number.POSITIVE_INFINITY, true, 'a positive finite float32 number'),
  /**
   * One sample's weight (fit's sampleWeight and validationSampleWeight, each of classWeight's
   * numbers, a TrainChunk's weights): the engines keep it as float32.
   */
  sampleWeight: float32s(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite float32 number'),
} as const satisfies Record<string, NumberRange>;

export type RangeName = keyof typeof RANGES;

/** The optimizer hyperparameters an OptimizerPlan carries, each with its range above. */
export const OPTIMIZER_NUMBERS = [
  'learningRate',
  'momentum',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
] as const;

/** v is a number of the right kind (integer or not) inside the range. NaN and +-Infinity never are. */
export function inRange(range: NumberRange, v: number): boolean {
  if (!Number.isFinite(v) || (range.integer && !Number.isInteger(v))) return false;
  return within(range, v) && (!range.float32 || within(range, Math.fround(v)));
}

function within(range: NumberRange, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  const aboveMin = range.minExclusive ? v > range.min : v >= range.min;
  const belowMax = range.maxExclusive ? v < range.max : v <= range.max;
  return aboveMin && belowMax;
}

// --- defaults -------------------------------------------------------------------------------

export const DEFAULTS = {
  optimizer: 'adam' as OptimizerKind,
  /** Per optimizer name: Adam's usual 0.001 (Kingma & Ba 2015), 0.01 for the sgd family. */
  learningRate: { sgd: 0.01, momentum: 0.01, nesterov: 0.01, adam: 0.001 } satisfies Record<
    OptimizerKind,
    number
  >,
  /** 0 for plain sgd, 0.9 when the name asks for momentum. */
  momentum: { sgd: 0, momentum: 0.9, nesterov: 0.9, adam: 0 } satisfies Record<OptimizerKind, number>,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  hiddenActivation: 'relu' as ActivationName,
  useBias: true,
  engine: 'auto' as EngineChoice,
  /** uniform's bounds and normal's moments when not given (seed 000 draws from [0, 1)). */
  initializer: { low: 0, high: 1, mean: 0, std: 1 },
  /** huber's delta when `loss: 'huber'` is given by name, as PyTorch's HuberLoss. */
  huberDelta: 1.0,
} as const;

/** fit's options when not given (lib/train-options.ts). */
export const FIT_DEFAULTS = {
  epochs: 1,
  batchSize: 32,
  shuffle: true,
  /** 0: no split. */
  validationSplit: 0,
  /** 0: no progress lines. */
  logEvery: 0,
  patience: 10,
  minDelta: 0,
  restoreBestWeights: false,
} as const;

/**
 * The CLI's own defaults. Its learning rates when --lr is not given are ten times the library's. The CLI trains
 * small tabular sets for a fixed, short number of epochs from the command line, where the
 * library's cautious defaults would leave most runs unconverged. `--help` and the README say so.
 */
export const CLI_DEFAULTS = {
  /** `fastmlp train` without --optimizer, --epochs, --batch-size. */
  train: { optimizer: 'adam', epochs: 200, batchSize: 32 },
  /** `fastmlp sweep`: seed 003's study (moons, full-batch sgd, 1000 epochs per rate). */
  sweep: { data: 'moons', optimizer: 'sgd', epochs: 1000, batchSize: 'full' },
  learningRate: { sgd: 0.1, momentum: 0.1, nesterov: 0.1, adam: 0.01 } satisfies Record<
    OptimizerKind,
    number
  >,
} as const;
