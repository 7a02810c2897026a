// The network's options as users write them, and their checked, fully resolved form. Every
// default lives here, stated once; the JSDoc gives each option's range and default.
import {
  ACTIVATIONS,
  type ActivationName,
  DEFAULT_DROPOUT,
  DEFAULTS,
  ENGINE_CHOICES,
  type EngineChoice,
  inRange,
  LOSS_REQUIRES_ACTIVATION,
  LOSSES,
  type LossName,
  OPTIMIZER_CLIPS,
  type OPTIMIZER_NUMBERS,
  OPTIMIZERS,
  type OptimizerKind,
  RANGES,
} from './engine/contract.js';
import type { LayerPlan, OptimizerPlan } from './engine/engine.js';
import {
  defaultBiasInitializer,
  defaultInitializer,
  type InitializerSpec,
  type ResolvedInitializer,
  resolveInitializer,
} from './initializers.js';
import {
  expectBoolean,
  expectInRange,
  expectObject,
  expectOneOf,
  expectPositiveInteger,
  invalidArgument,
  isPlainObject,
  outOfRange,
  rejectUnknownKeys,
} from './validate.js';

// The names and limits users see, re-exported from the one contract (lib/engine/contract.ts).
export { ACTIVATIONS, ENGINE_CHOICES, type EngineChoice, LOSSES, OPTIMIZERS };

export interface LayerSpec {
  /** Number of neurons: an integer in 1..1048576 (2^20). */
  units: number;
  /** Default 'relu' for hidden layers; the output layer's default follows the loss. */
  activation?: ActivationName;
  /** Default true. Seed 001's single neuron has no bias. */
  useBias?: boolean;
  /** Weights' initializer; default heNormal for relu/leakyRelu, glorotUniform otherwise. */
  initializer?: InitializerSpec;
  /** Default: zeros for glorot/he, the weights' distribution for 'uniform'/'normal' (as the seeds do). */
  biasInitializer?: InitializerSpec;
  /** Inverted dropout on this layer's output while training: a number in [0, 1). Default 0 (none). Hidden layers only. */
  dropout?: number;
}

export interface OptimizerSpec {
  /** 'sgd' (with optional momentum/nesterov), 'momentum', 'nesterov', 'adam', 'adamw' or 'rmsprop'. */
  name: (typeof OPTIMIZERS)[number];
  /** A positive finite float32 number. Default 0.01 for the sgd family and rmsprop, 0.001 for adam and adamw. */
  learningRate?: number;
  /** A number in [0, 1). Default 0 for sgd and rmsprop, 0.9 for 'momentum'/'nesterov'. */
  momentum?: number;
  /** sgd only: use Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** Adam's and AdamW's first-moment decay: a number in [0, 1). Default 0.9. */
  beta1?: number;
  /** Adam's and AdamW's second-moment decay: a number in [0, 1). Default 0.999. */
  beta2?: number;
  /** Adam's, AdamW's and RMSprop's denominator guard: a positive finite float32 number. Default 1e-8. */
  epsilon?: number;
  /**
   * Weight decay of the weights (never the biases): a non-negative finite float32 number. Default 0 (0.01 for adamw).
   * L2 for sgd, momentum, nesterov, adam and rmsprop (adds weightDecay * w to each weight's
   * gradient, after clipping); decoupled for adamw (w *= 1 - learningRate * weightDecay before
   * the Adam step, as torch.optim.AdamW).
   */
  weightDecay?: number;
  /** RMSprop's square-average decay (PyTorch's alpha): a number in [0, 1). Default 0.99. */
  rho?: number;
  /**
   * Clips the gradient's global norm over all parameters before the update, as PyTorch's
   * clip_grad_norm_ (g *= clipNorm / (norm + 1e-6) when norm > clipNorm): a positive finite float32 number. Default: no clipping.
   */
  clipNorm?: number;
  /**
   * Clamps each gradient element to [-clipValue, clipValue] before the update (and before
   * clipNorm when both are set): a positive finite float32 number. Default: no clipping.
   */
  clipValue?: number;
}

/** The optimizer a network trains with, every default filled in: what `network.optimizer` returns. */
export interface ResolvedOptimizer {
  /** The update rule: 'sgd' with momentum > 0 resolves to 'momentum' (or 'nesterov'). */
  kind: OptimizerKind;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  rho: number;
  /** null: no clipping by norm. */
  clipNorm: number | null;
  /** null: no clipping by value. */
  clipValue: number | null;
}

/** What `network.optimizer` shows of a plan: the clipping thresholds a plan keeps as 0 read null. */
export function resolvedOptimizer(plan: OptimizerPlan): ResolvedOptimizer {
  const { kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay, rho, clipNorm, clipValue } = plan;
  return {
    kind,
    learningRate,
    momentum,
    beta1,
    beta2,
    epsilon,
    weightDecay,
    rho,
    clipNorm: clipNorm === 0 ? null : clipNorm,
    clipValue: clipValue === 0 ? null : clipValue,
  };
}

/**
 * A loss with its settings: `{ name: 'huber', delta: 0.5 }`. Only huber takes a setting; any loss
 * may be given this way without one (`{ name: 'mae' }` is `'mae'`).
 */
export interface LossSpec {
  name: LossName;
  /** huber only: where the loss turns from quadratic to linear, a positive finite float32 number. Default 1.0. */
  delta?: number;
}

export interface NetworkOptions {
  /** Features per sample: an integer in 1..1048576 (2^20). */
  inputs: number;
  /** 1..1024 layers, at most 268435456 parameters in total; the last is the output layer. */
  layers: LayerSpec[];
  /**
   * A loss name or `{ name, delta }` (huber's delta, default 1.0). Default: 'bce' for a sigmoid
   * output, 'cross-entropy' for softmax, 'mse' otherwise. mae and huber are means over rows and
   * outputs, as PyTorch's L1Loss and HuberLoss.
   */
  loss?: LossName | LossSpec;
  /** An optimizer name or settings. Default { name: 'adam', learningRate: 0.001 }. */
  optimizer?: OptimizerSpec | OptimizerSpec['name'];
  /** Seeds the initial weights and every shuffle: an integer in 0..2^32-1. Default: a random seed, kept in `network.seed`. */
  seed?: number;
  /** 'auto' (native when built, else ts; env FASTMLP_ENGINE overrides), 'native' or 'ts'. */
  engine?: EngineChoice;
  /** Threads for the native engine's large products: an integer in 1..256. Default: the machine's cores. */
  threads?: number;
}

export interface ResolvedLayer extends LayerPlan {
  dropout: number;
  initializer: ResolvedInitializer;
  biasInitializer: ResolvedInitializer;
}

export interface ResolvedSpec {
  inputs: number;
  layers: ResolvedLayer[];
  /** The loss's name: the string form, whatever form the options gave. */
  loss: LossName;
  optimizer: OptimizerPlan;
  seed: number;
  engine: EngineChoice;
  threads: number | null;
  /** huber's delta (DEFAULTS.huberDelta unless given); carried for every loss, read by huber only. */
  huberDelta: number;
}

const NETWORK_KEYS = ['inputs', 'layers', 'loss', 'optimizer', 'seed', 'engine', 'threads'];
const LAYER_KEYS = ['units', 'activation', 'useBias', 'initializer', 'biasInitializer', 'dropout'];
const OPTIMIZER_KEYS = [
  'name',
  'learningRate',
  'momentum',
  'nesterov',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'rho',
  'clipNorm',
  'clipValue',
];

export function resolveSpec(options: unknown): ResolvedSpec {
  const o = expectObject(options, 'options');
  rejectUnknownKeys(o, NETWORK_KEYS, 'Network');
  const inputs = expectPositiveInteger(o.inputs, 'inputs', RANGES.units.max);
  if (!Array.isArray(o.layers)) throw invalidArgument('layers', 'an array of layer objects', o.layers);
  if (!inRange(RANGES.layerCount, o.layers.length)) {
    throw outOfRange('layers', RANGES.layerCount.expected, o.layers.length);
  }
  const specs = o.layers as unknown[];
  const last = specs.length - 1;
  const outputSpec = expectObject(specs[last], `layers[${last}]`);
  const { loss, huberDelta } =
    o.loss === undefined
      ? { loss: defaultLoss(outputSpec.activation), huberDelta: DEFAULTS.huberDelta }
      : resolveLoss(o.loss);
  const layers: ResolvedLayer[] = [];
  let fanIn = inputs;
  let params = 0;
  specs.forEach((spec, i) => {
    const layer = resolveLayer(
      spec,
      i,
      fanIn,
      i === last ? defaultOutputActivation(loss) : DEFAULTS.hiddenActivation,
    );
    params += layer.inputs * layer.units + (layer.useBias ? layer.units : 0);
    if (!inRange(RANGES.params, params)) {
      throw new RangeError(`Expected ${RANGES.params.expected} but layers[${i}] brings it to ${params}`);
    }
    layers.push(layer);
    fanIn = layer.units;
  });
  checkLossMatchesOutput(loss, layers[last].activation);
  if (layers[last].dropout !== 0) {
    // Keras allows dropout after the output only as a layer of its own; a dropped output unit
    // would train on a target it never predicts at inference.
    throw outOfRange(
      `layers[${last}].dropout`,
      '0 (dropout is for hidden layers; the output layer takes none)',
      layers[last].dropout,
    );
  }
  const seed =
    o.seed === undefined
      ? Math.floor(Math.random() * (RANGES.seed.max + 1))
      : expectInRange(o.seed, 'seed', RANGES.seed);
  return {
    inputs,
    layers,
    loss,
    optimizer: resolveOptimizer(o.optimizer),
    seed,
    ...resolveRunOptions(o),
    huberDelta,
  };
}

const LOSS_KEYS = ['name', 'delta'];

/** A loss name, or `{ name, delta }` where only huber takes a delta. */
export function resolveLoss(value: unknown): { loss: LossName; huberDelta: number } {
  if (typeof value === 'string')
    return { loss: expectOneOf(value, 'loss', LOSSES), huberDelta: DEFAULTS.huberDelta };
  // not a name nor an object: the name's TypeError, as before losses took settings
  if (!isPlainObject(value))
    return { loss: expectOneOf(value, 'loss', LOSSES), huberDelta: DEFAULTS.huberDelta };
  rejectUnknownKeys(value, LOSS_KEYS, 'loss');
  const loss = expectOneOf(value.name, 'loss.name', LOSSES);
  if (value.delta === undefined) return { loss, huberDelta: DEFAULTS.huberDelta };
  if (loss !== 'huber')
    throw invalidArgument('loss.delta', `no delta for loss '${loss}' (only huber takes one)`, value.delta);
  return { loss, huberDelta: expectInRange(value.delta, 'loss.delta', RANGES.huberDelta) };
}

/** Where a network runs: the part of the options a restored model (load, fromJSON) also takes. */
export function resolveRunOptions(o: Record<string, unknown>): Pick<ResolvedSpec, 'engine' | 'threads'> {
  const engine = o.engine === undefined ? DEFAULTS.engine : expectOneOf(o.engine, 'engine', ENGINE_CHOICES);
  const threads = o.threads === undefined ? null : expectInRange(o.threads, 'threads', RANGES.threads);
  return { engine, threads };
}

function resolveLayer(
  spec: unknown,
  i: number,
  inputs: number,
  defaultActivation: ActivationName,
): ResolvedLayer {
  const name = `layers[${i}]`;
  const l = expectObject(spec, name);
  rejectUnknownKeys(l, LAYER_KEYS, name);
  const units = expectPositiveInteger(l.units, `${name}.units`, RANGES.units.max);
  const activation =
    l.activation === undefined
      ? defaultActivation
      : expectOneOf(l.activation, `${name}.activation`, ACTIVATIONS);
  const useBias = l.useBias === undefined ? DEFAULTS.useBias : expectBoolean(l.useBias, `${name}.useBias`);
  const initializer =
    l.initializer === undefined
      ? defaultInitializer(activation)
      : resolveInitializer(l.initializer, `${name}.initializer`);
  const biasInitializer =
    l.biasInitializer === undefined
      ? defaultBiasInitializer(initializer)
      : resolveInitializer(l.biasInitializer, `${name}.biasInitializer`);
  const dropout =
    l.dropout === undefined ? DEFAULT_DROPOUT : expectInRange(l.dropout, `${name}.dropout`, RANGES.dropout);
  return { inputs, units, activation, useBias, initializer, biasInitializer, dropout };
}

function defaultLoss(activation: unknown): LossName {
  if (activation === 'sigmoid') return 'bce';
  if (activation === 'softmax') return 'cross-entropy';
  return 'mse';
}

function defaultOutputActivation(loss: LossName): ActivationName {
  if (loss === 'bce') return 'sigmoid';
  if (loss === 'cross-entropy') return 'softmax';
  return 'linear';
}

function checkLossMatchesOutput(loss: LossName, activation: ActivationName): void {
  // Both are computed from the logits, fused with their activation (stable and exact).
  const needs = LOSS_REQUIRES_ACTIVATION[loss];
  if (needs && activation !== needs) {
    throw new RangeError(
      `Expected a '${needs}' output layer for loss '${loss}' but received '${activation}'` +
        ` (use loss 'mse' or 'sse' for other outputs)`,
    );
  }
}

export function resolveOptimizer(spec: unknown): OptimizerPlan {
  const o: Record<string, unknown> =
    spec === undefined
      ? { name: DEFAULTS.optimizer }
      : typeof spec === 'string'
        ? { name: spec }
        : expectObject(spec, 'optimizer');
  rejectUnknownKeys(o, OPTIMIZER_KEYS, 'optimizer');
  const name = expectOneOf(o.name, 'optimizer.name', OPTIMIZERS);
  const number = (key: (typeof OPTIMIZER_NUMBERS)[number], fallback: number): number =>
    o[key] === undefined ? fallback : expectInRange(o[key], `optimizer.${key}`, RANGES[key]);
  const nesterov = o.nesterov === undefined ? false : expectBoolean(o.nesterov, 'optimizer.nesterov');
  const momentum = number('momentum', DEFAULTS.momentum[name]);
  let kind: OptimizerKind = name;
  if (name === 'sgd' && momentum > 0) kind = nesterov ? 'nesterov' : 'momentum';
  return {
    kind,
    learningRate: number('learningRate', DEFAULTS.learningRate[name]),
    momentum,
    beta1: number('beta1', DEFAULTS.beta1),
    beta2: number('beta2', DEFAULTS.beta2),
    epsilon: number('epsilon', DEFAULTS.epsilon),
    weightDecay: number('weightDecay', DEFAULTS.weightDecay[name]),
    rho: number('rho', DEFAULTS.rho),
    ...clipping(o),
  };
}

/** The clipping thresholds of checked options: unset is off, 0 in the plan. */
function clipping(o: Record<string, unknown>): Pick<OptimizerPlan, (typeof OPTIMIZER_CLIPS)[number]> {
  const [clipNorm, clipValue] = OPTIMIZER_CLIPS.map((key) =>
    o[key] === undefined ? 0 : expectInRange(o[key], `optimizer.${key}`, RANGES[key]),
  );
  return { clipNorm, clipValue };
}
