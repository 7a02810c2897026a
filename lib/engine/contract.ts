// The one declared contract: every name with its numeric code, every option's range and default,
// every limit. The TS validators (lib/spec.ts, lib/initializers.ts), the TS engine's checks, the
// CLI and the C++ core and addon (through native/core/contract.hpp, generated from this file by
// `npm run gen:contract`) all read it. Data only: nothing here runs but two small predicates and the task rule.

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
export const OPTIMIZER_CODES = { sgd: 0, momentum: 1, nesterov: 2, adam: 3, adamw: 4, rmsprop: 5 } as const;

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

/**
 * Learning-rate schedules the engines compute per optimizer step (ChunkSchedule.kind in
 * engine.ts). 'constant' is what the fit loop hands the engine for reduceOnPlateau (which decides
 * between epochs, in TS) and what a chunk without a schedule means.
 */
export const SCHEDULE_CODES = { constant: 0, step: 1, exponential: 2, cosine: 3 } as const;
/** What a network predicts, decided by TASK_RULE from its output layer and loss (net.task). */
export const TASK_CODES = { binary: 0, multiclass: 1, multilabel: 2, regression: 3 } as const;

export type ActivationName = keyof typeof ACTIVATION_CODES;
export type LossName = keyof typeof LOSS_CODES;
export type OptimizerKind = keyof typeof OPTIMIZER_CODES;
export type InitializerName = keyof typeof INITIALIZER_CODES;
export type EngineName = keyof typeof ENGINE_CODES;
export type ScheduleKind = keyof typeof SCHEDULE_CODES;
export type TaskName = keyof typeof TASK_CODES;

const namesOf = <T extends string>(codes: Record<T, number>): readonly T[] => Object.keys(codes) as T[];

export const ACTIVATIONS = namesOf(ACTIVATION_CODES);
export const LOSSES = namesOf(LOSS_CODES);
export const OPTIMIZERS = namesOf(OPTIMIZER_CODES);
export const INITIALIZERS = namesOf(INITIALIZER_CODES);
export const ENGINES = namesOf(ENGINE_CODES);
export const SCHEDULE_KINDS = namesOf(SCHEDULE_CODES);
/** The schedule names fit's `schedule` option takes: the engines' kinds but 'constant', and reduceOnPlateau. */
export const SCHEDULE_NAMES = ['step', 'exponential', 'cosine', 'reduceOnPlateau'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];
export const TASKS = namesOf(TASK_CODES);
/** What users may ask for: 'auto' picks native when the addon loads, else ts. */
export const ENGINE_CHOICES = ['auto', 'native', 'ts'] as const satisfies readonly ('auto' | EngineName)[];
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** Losses that are sums over the batch (seeds 000 and 001), not means: a loss over several blocks adds theirs. */
export const SUM_LOSSES: readonly LossName[] = ['sse', 'half-sse'];

/** The output activation a loss is fused with (computed from the logits); others take any. */
export const LOSS_REQUIRES_ACTIVATION: Partial<Record<LossName, ActivationName>> = {
  bce: 'sigmoid',
  'cross-entropy': 'softmax',
};

/**
 * The task rule: the first row whose every given field matches the network's output layer and
 * loss decides its task (an omitted field matches anything). Only the output activation, whether
 * it has one unit, and whether the loss is bce count, so a new loss falls in without a new row:
 * softmax -> multiclass; sigmoid with 1 unit -> binary; sigmoid with >1 units and bce ->
 * multilabel; sigmoid with >1 units otherwise -> multiclass (argmax); any other output
 * activation -> regression. The engines' training metric (TrainChunk.metric) and evaluate's
 * metrics follow it; native/core/contract.hpp carries the same table (task_of there).
 */
export interface TaskRuleRow {
  readonly activation?: ActivationName;
  readonly singleUnit?: boolean;
  readonly bce?: boolean;
  readonly task: TaskName;
}
export const TASK_RULE: readonly TaskRuleRow[] = [
  { activation: 'softmax', task: 'multiclass' },
  { activation: 'sigmoid', singleUnit: true, task: 'binary' },
  { activation: 'sigmoid', bce: true, task: 'multilabel' },
  { activation: 'sigmoid', task: 'multiclass' },
  { task: 'regression' },
];

/** The task of a network whose output layer has `units` units of `activation`, trained on `loss`. */
export function taskOf(activation: ActivationName, units: number, loss: LossName): TaskName {
  const matches = (row: TaskRuleRow) =>
    (row.activation === undefined || row.activation === activation) &&
    (row.singleUnit === undefined || row.singleUnit === (units === 1)) &&
    (row.bce === undefined || row.bce === (loss === 'bce'));
  // the last row matches everything, so find never misses
  return (TASK_RULE.find(matches) as TaskRuleRow).task;
}

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
 * layer, and the output logits) stay within parameters / INFERENCE_WORKSPACE_SHARE floats, or
 * INFERENCE_WORKSPACE_FLOOR floats (1 MiB) for a small network (fewer than
 * INFERENCE_SMALL_PARAMS parameters, 16 MB), so a wide network runs blocks of fewer rows (at
 * least 1), and a small one runs about a thousand rows a block. Both engines apply it
 * (lib/engine/ts/model.ts, native/core/model.cpp). The floor was 256 KiB for every network:
 * 784-128-10 then ran blocks of 246 rows, packing its weights once per block, and its predict
 * of 1,024 rows reached 0.90x onnxruntime-node's throughput on 1 thread where 985-row blocks
 * reach 0.94x (0.95x on 2 threads both ways; `npm run bench -- --only predict-vs --archs mnist
 * --threads 1,2 --trials 3`). A small network's model also packs its products as training does
 * (native/core/model.cpp).
 */
export const INFERENCE_BLOCK_ROWS = 1024;
export const INFERENCE_WORKSPACE_SHARE = 64;
export const INFERENCE_WORKSPACE_FLOOR = 262144;
export const INFERENCE_SMALL_PARAMS = 4194304;

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
  /** RMSprop's square-average decay (PyTorch's alpha), in [0, 1) like the betas. */
  rho: numbers(0, false, 1, true, 'a number in [0, 1)'),
  /**
   * Gradient clipping, before the update: the global norm over all parameters (clipNorm) and each
   * element (clipValue). Unset in the options means off; a plan carries 0 for off (OPTIMIZER_CLIPS).
   */
  clipNorm: float32s(0, true, Number.POSITIVE_INFINITY, true, 'a positive finite float32 number'),
  clipValue: float32s(0, true, Number.POSITIVE_INFINITY, true, 'a positive finite float32 number'),
  /** Initializer parameters: uniform's low/high (high > low, checked apart), normal's mean. */
  initializerBound: float32s(
    Number.NEGATIVE_INFINITY,
    true,
    Number.POSITIVE_INFINITY,
    true,
    'a finite float32 number',
  ),
  initializerStd: float32s(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite float32 number'),
  /** A hidden layer's dropout: the probability of zeroing each output while training (not the output layer's). */
  dropout: numbers(0, false, 1, true, 'a number in [0, 1)'),
  /** schedule 'step': epochs between two decays. */
  scheduleEvery: integers(1, MAX_EPOCHS),
  /** schedule 'step' / 'exponential': the factor the rate is multiplied by per decay. */
  scheduleGamma: numbers(0, true, 1, false, 'a number in (0, 1]'),
  /** schedule 'cosine': optimizer steps of linear warm-up. */
  warmupSteps: integers(0, MAX_STEPS, 'an integer in 0..2^53-1'),
  /** schedule 'cosine' / 'reduceOnPlateau': the rate the schedule ends at or never goes below. */
  minLearningRate: float32s(0, false, Number.POSITIVE_INFINITY, true, 'a non-negative finite float32 number'),
  /** schedule 'reduceOnPlateau': the factor the rate is multiplied by on a plateau. */
  plateauFactor: numbers(0, true, 1, true, 'a number in (0, 1)'),
  /** schedule 'reduceOnPlateau': epochs without improvement before reducing (0: every such epoch). */
  plateauPatience: integers(0, MAX_EPOCHS),
  /** schedule 'reduceOnPlateau': epochs after a reduction that count as no plateau (0: none). */
  plateauCooldown: integers(0, MAX_EPOCHS),
  /** ChunkSchedule.epoch: the schedule's epochs before a chunk. */
  scheduleEpoch: integers(0, MAX_STEPS, 'an integer in 0..2^53-1'),
  /** ChunkSchedule.position: the schedule's optimizer steps before a chunk. */
  schedulePosition: integers(0, MAX_STEPS, 'an integer in 0..2^53-1'),
  /** ChunkSchedule.totalSteps: the optimizer steps the cosine schedule spans. */
  scheduleTotalSteps: integers(1, MAX_STEPS, 'an integer in 1..2^53-1'),
  /** predictClasses' threshold (binary and multilabel): an output p >= threshold counts as 1. */
  threshold: numbers(0, false, 1, false, 'a number in [0, 1]'),
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
  'rho',
] as const;

/**
 * The clipping thresholds an OptimizerPlan carries: 0 (off) or a number in its range above. The
 * options leave them unset for off, and a resolved optimizer reads null.
 */
export const OPTIMIZER_CLIPS = ['clipNorm', 'clipValue'] as const;

/**
 * Added to the global gradient norm before dividing, as torch.nn.utils.clip_grad_norm_:
 * g *= clipNorm / (norm + 1e-6) when norm > clipNorm.
 */
export const CLIP_NORM_EPSILON = 1e-6;
/**
 * The global gradient norm is summed in float64 in blocks of this many floats (each block in 4
 * interleaved partial sums, the blocks in order), so it is the same number on both engines and
 * for any thread count.
 */
export const CLIP_NORM_BLOCK = 4096;

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
  /** rmsprop's 0.01 is PyTorch's. */
  learningRate: {
    sgd: 0.01,
    momentum: 0.01,
    nesterov: 0.01,
    adam: 0.001,
    adamw: 0.001,
    rmsprop: 0.01,
  } satisfies Record<OptimizerKind, number>,
  /** 0 for plain sgd, 0.9 when the name asks for momentum. */
  momentum: { sgd: 0, momentum: 0.9, nesterov: 0.9, adam: 0, adamw: 0, rmsprop: 0 } satisfies Record<
    OptimizerKind,
    number
  >,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  /** L2 off by default; adamw's decoupled decay 0.01, as PyTorch's AdamW. */
  weightDecay: { sgd: 0, momentum: 0, nesterov: 0, adam: 0, adamw: 0.01, rmsprop: 0 } satisfies Record<
    OptimizerKind,
    number
  >,
  /** RMSprop's alpha, as PyTorch's (Keras: 0.9). */
  rho: 0.99,
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
 * The schedules' settings when not given (fit's `schedule`). step: gamma as PyTorch's StepLR
 * (`every` has no default); cosine: no warm-up, down to 0; reduceOnPlateau: Keras'
 * ReduceLROnPlateau (factor 0.1, patience 10, min_delta 1e-4, cooldown 0, min_lr 0).
 * exponential's gamma has no default.
 */
export const SCHEDULE_DEFAULTS = {
  stepGamma: 0.1,
  warmupSteps: 0,
  minLearningRate: 0,
  plateauFactor: 0.1,
  plateauPatience: 10,
  plateauMinDelta: 1e-4,
  plateauCooldown: 0,
} as const;

/** A layer's dropout when not given: none. */
export const DEFAULT_DROPOUT = 0;

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
  /** `--validation`: the fraction held out (stratified) for validation and the report's test points. */
  validation: 0.2,
  learningRate: {
    sgd: 0.1,
    momentum: 0.1,
    nesterov: 0.1,
    adam: 0.01,
    adamw: 0.01,
    rmsprop: 0.1,
  } satisfies Record<OptimizerKind, number>,
} as const;

/** predictClasses' options when not given (lib/network.ts). */
export const PREDICT_DEFAULTS = {
  /** binary and multilabel: an output p >= threshold counts as 1 (the engines' training metric always uses 0.5). */
  threshold: 0.5,
} as const;

/**
 * Reading tables (lib/data/csv.ts, lib/schema.ts): the cell texts read as missing by default, and
 * the most distinct integer values a target may hold and still be inferred as classes (also at
 * most half the rows; two values are always classes).
 */
export const TABLE_DEFAULTS = {
  missingValues: ['', 'NA', '?'] as readonly string[],
  maxInferredClasses: 20,
} as const;
