// The network's options as users write them, and their checked, fully resolved form. Every
// default lives here, stated once; the JSDoc gives each option's range and default.
import {
  ACTIVATIONS,
  type ActivationName,
  DEFAULTS,
  ENGINE_CHOICES,
  type EngineChoice,
  inRange,
  LOSS_REQUIRES_ACTIVATION,
  LOSSES,
  type LossName,
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
}

export interface OptimizerSpec {
  /** 'sgd' (with optional momentum/nesterov), 'momentum', 'nesterov' or 'adam'. */
  name: (typeof OPTIMIZERS)[number];
  /** A positive finite float32 number. Default 0.01 for the sgd family, 0.001 for adam. */
  learningRate?: number;
  /** A number in [0, 1). Default 0 for sgd, 0.9 for 'momentum'/'nesterov'. */
  momentum?: number;
  /** sgd only: use Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** Adam's first-moment decay: a number in [0, 1). Default 0.9. */
  beta1?: number;
  /** Adam's second-moment decay: a number in [0, 1). Default 0.999. */
  beta2?: number;
  /** Adam's denominator guard: a positive finite float32 number. Default 1e-8. */
  epsilon?: number;
  /** L2 penalty on weights (not biases), adding weightDecay * w to each weight's gradient: a non-negative finite float32 number. Default 0. */
  weightDecay?: number;
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
const LAYER_KEYS = ['units', 'activation', 'useBias', 'initializer', 'biasInitializer'];
const OPTIMIZER_KEYS = [
  'name',
  'learningRate',
  'momentum',
  'nesterov',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
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
  return { inputs, units, activation, useBias, initializer, biasInitializer };
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
    weightDecay: number('weightDecay', DEFAULTS.weightDecay),
  };
}
