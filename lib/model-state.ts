// The typed state of a model, the hub every format converts to and from: the resolved spec, the
// parameters and optimizer state as Float32Arrays in the flat layout, the step count, and the
// metadata kept with it. JSON (serialize.ts) and model files (io/) depend on this and nothing
// of Network; a field added to ModelMetadata and METADATA_FIELDS is saved and loaded by both.

import { RANGES } from './engine/contract.js';
import { type ParamLayout, paramLayout, stateSize } from './engine/layout.js';
import { initializeLayers } from './initializers.js';
import { Random } from './random.js';
import { checkScaling, type InputScaling } from './scaling.js';
import { checkScheduleState, type ScheduleState } from './schedule.js';
import { checkSchema, type TableSchema } from './schema.js';
import {
  type NetworkOptions,
  type ResolvedOptimizer,
  type ResolvedSpec,
  resolvedOptimizer,
  resolveRunOptions,
  resolveSpec,
} from './spec.js';
import { expectInRange, expectObject, invalidArgument, outOfRange, rejectUnknownKeys } from './validate.js';
import { allocate, copyInto, type FloatSource } from './weights.js';

export interface ModelMetadata {
  /** Standardization applied to every input; null: none. */
  inputScaling: InputScaling | null;
  /** One name per class (two for a single sigmoid output); null: none. */
  classNames: string[] | null;
  /** Where the shuffle stream stands, so a reloaded network shuffles as the original would; null: from the seed. */
  shuffleState: number[] | null;
  /** Where the dropout stream stands (the masks' generator); null: from the seed. */
  dropoutState: number[] | null;
  /** Where the last fit's learning-rate schedule stopped (lib/schedule.ts); null: no schedule. */
  scheduleState: ScheduleState | null;
  /** Standardization of regression targets while training, undone on the outputs; null: none. */
  targetScaling: InputScaling | null;
  /** The table the network reads records and named CSV columns through (lib/schema.ts); null: none. */
  schema: TableSchema | null;
}

export interface ModelState {
  spec: ResolvedSpec;
  /** The flat layout's parameters (per layer: W row-major, then b); layoutOf(spec).params floats. */
  params: Float32Array;
  /** The optimizer's slots in the same layout, one after the other; layoutOf(spec).optimizerState floats. */
  optimizerState: Float32Array;
  steps: number;
  metadata: ModelMetadata;
}

/**
 * A new network's state: weights drawn from the spec's seed, zero optimizer state, no metadata.
 * from: the engine whose memory holds the arrays (see weights.ts allocate); absent: plain arrays.
 */
export function initialModelState(spec: ResolvedSpec, from: FloatSource | null = null): ModelState {
  const layout = layoutOf(spec);
  const params = allocate(layout.size, 'parameters', true, from);
  const optimizerState = allocate(layout.optimizerState, 'optimizer state', true, from);
  initializeLayers(params, layout, spec.layers, new Random(spec.seed));
  return {
    spec,
    params,
    optimizerState,
    steps: 0,
    metadata: {
      inputScaling: null,
      classNames: null,
      shuffleState: null,
      dropoutState: null,
      scheduleState: null,
      targetScaling: null,
      schema: null,
    },
  };
}

/**
 * `state` with its parameters and optimizer state copied into `from`'s memory (a loaded or
 * deserialized state adopted by a network: weights.ts allocate says why). The rest is shared.
 */
export function inEngineMemory(state: ModelState, from: FloatSource): ModelState {
  return {
    ...state,
    params: copyInto(state.params, 'parameters', from),
    optimizerState: copyInto(state.optimizerState, 'optimizer state', from),
  };
}

/**
 * The state's shuffle stream: where metadata.shuffleState left it, else seeded apart from the
 * weights' stream, so the weights do not depend on how often fit shuffled.
 */
export function shuffleStream(state: ModelState): Random {
  const random = new Random((state.spec.seed ^ 0x5bd1e995) >>> 0);
  if (state.metadata.shuffleState) random.setState(state.metadata.shuffleState);
  return random;
}

/**
 * The state's dropout stream (the masks the engines draw while training): where
 * metadata.dropoutState left it, else seeded apart from the weights' and the shuffle's streams,
 * so masks do not depend on how fit splits its chunks or how often it shuffled.
 */
export function dropoutStream(state: ModelState): Uint32Array {
  const words = state.metadata.dropoutState ?? new Random((state.spec.seed ^ 0x2545f491) >>> 0).getState();
  return Uint32Array.from(words);
}

/** Where every value of a state lives: the parameter layout and both arrays' lengths. */
export function layoutOf(spec: ResolvedSpec): ParamLayout & { optimizerState: number } {
  const layout = paramLayout(spec.layers);
  return { ...layout, optimizerState: stateSize(spec.optimizer.kind, layout.size) };
}

/**
 * The part of the optimizer state that must not be negative, as [begin, end) indices into
 * optimizerState: adam's and adamw's v, rmsprop's square average, running means of squared
 * gradients whose square root divides the step (a negative one gives NaN on the first update).
 * null: the optimizer has no such part.
 */
export function nonNegativeState(spec: ResolvedSpec): { begin: number; end: number; name: string } | null {
  const { kind } = spec.optimizer;
  const params = layoutOf(spec).size;
  if (kind === 'adam' || kind === 'adamw') return { begin: params, end: 2 * params, name: `${kind}'s v` };
  if (kind === 'rmsprop') return { begin: 0, end: params, name: "rmsprop's square average" };
  return null;
}

// --- the architecture as formats store it

/** The fields a saved model keeps of its spec; the rest (initializers, engine) takes its defaults. */
export interface SavedArchitecture {
  inputs: number;
  layers: {
    units: number;
    activation: ResolvedSpec['layers'][number]['activation'];
    useBias: boolean;
    dropout: number;
  }[];
  loss: ResolvedSpec['loss'];
  optimizer: ResolvedOptimizer;
  seed: number;
  /** huber's delta, written for every loss; files from before it existed lack it (reads as 1.0). */
  huberDelta: number;
}

export function savedArchitecture(spec: ResolvedSpec): SavedArchitecture {
  return {
    inputs: spec.inputs,
    layers: spec.layers.map(({ units, activation, useBias, dropout }) => ({
      units,
      activation,
      useBias,
      dropout,
    })),
    loss: spec.loss,
    optimizer: resolvedOptimizer(spec.optimizer),
    seed: spec.seed,
    huberDelta: spec.huberDelta,
  };
}

/**
 * The spec of a saved architecture whose fields are untrusted (any value); throws resolveSpec's
 * TypeError or RangeError naming the field. Engine and threads take their defaults: a restored
 * network gets them from its caller (runOptions).
 */
export function resolveSaved(
  saved: Record<Exclude<keyof SavedArchitecture, 'huberDelta'>, unknown> & { huberDelta?: unknown },
): ResolvedSpec {
  const spec = resolveSpec({
    inputs: saved.inputs,
    layers: saved.layers,
    loss: saved.loss as ResolvedSpec['loss'],
    optimizer: optimizerOptions(saved.optimizer as ResolvedOptimizer),
    seed: saved.seed,
  });
  // optional (older files): the default; else checked as the loss option's delta, for any loss
  if (saved.huberDelta === undefined) return spec;
  return { ...spec, huberDelta: expectInRange(saved.huberDelta, 'huberDelta', RANGES.huberDelta) };
}

/**
 * The options that rebuild a saved optimizer plan exactly. Clipping thresholds saved as null (off)
 * become unset; files from before rho and clipping lack them, which reads as the defaults (off).
 */
function optimizerOptions(plan: ResolvedOptimizer): NetworkOptions['optimizer'] {
  if (typeof plan !== 'object' || plan === null) return plan;
  const { kind, clipNorm, clipValue, ...rest } = plan;
  return {
    name: kind,
    ...rest,
    ...(clipNorm === null ? {} : { clipNorm }),
    ...(clipValue === null ? {} : { clipValue }),
  };
}

/** The options Network.load and Network.fromJSON take (where the network runs), checked. */
export function runOptions(options: unknown): Pick<ResolvedSpec, 'engine' | 'threads'> {
  const o = expectObject(options, 'options');
  rejectUnknownKeys(o, ['engine', 'threads'], 'options');
  return resolveRunOptions(o);
}

// --- metadata fields

export interface MetadataField<K extends keyof ModelMetadata> {
  /** A checked copy of an untrusted non-null value; throws a TypeError or RangeError naming it. */
  check(value: unknown, spec: ResolvedSpec): NonNullable<ModelMetadata[K]>;
  /** What check accepts, for a format's own message: "null nor <expected>". */
  expected(spec: ResolvedSpec): string;
  /** Files from before the field existed lack it; it then reads as null. */
  optional: boolean;
}

/** How many class names a network's output takes: two for one sigmoid unit. */
export const classCount = (spec: ResolvedSpec): number => {
  const units = spec.layers[spec.layers.length - 1].units;
  return units === 1 ? 2 : units;
};

export const METADATA_FIELDS: { [K in keyof ModelMetadata]: MetadataField<K> } = {
  inputScaling: {
    check: (value, spec) => checkScaling(value, spec.inputs),
    expected: (spec) => `{ mean, std } of ${spec.inputs} finite numbers (std > 0)`,
    optional: false,
  },
  classNames: {
    check: (value, spec) => checkClassNames(value, spec),
    expected: (spec) => `an array of ${classCount(spec)} strings`,
    optional: false,
  },
  shuffleState: {
    check(value) {
      const expected = 'four 32-bit unsigned integers, not all zero';
      if (!Array.isArray(value)) throw invalidArgument('metadata.shuffleState', expected, value);
      try {
        new Random(0).setState(value); // its checks: four 32-bit words, not all zero
      } catch {
        throw outOfRange('metadata.shuffleState', expected, value);
      }
      return Array.from(value as number[]);
    },
    expected: () => 'four 32-bit unsigned integers, not all zero',
    optional: true,
  },
  dropoutState: {
    check(value) {
      const expected = 'four 32-bit unsigned integers, not all zero';
      if (!Array.isArray(value)) throw invalidArgument('metadata.dropoutState', expected, value);
      try {
        new Random(0).setState(value);
      } catch {
        throw outOfRange('metadata.dropoutState', expected, value);
      }
      return Array.from(value as number[]);
    },
    expected: () => 'four 32-bit unsigned integers, not all zero',
    optional: true,
  },
  scheduleState: {
    check: (value) => checkScheduleState(value),
    expected: () => '{ schedule, epochs, reductions } (a schedule as fit takes it, two step counts)',
    optional: true,
  },
  targetScaling: {
    check: (value, spec) => checkScaling(value, spec.layers[spec.layers.length - 1].units, 'targetScaling'),
    expected: (spec) =>
      `{ mean, std } of ${spec.layers[spec.layers.length - 1].units} finite numbers (std > 0)`,
    optional: true,
  },
  schema: {
    check: (value, spec) => checkSchema(value, spec.inputs, 'metadata.schema'),
    expected: (spec) => `a table schema whose features encode ${spec.inputs} inputs`,
    optional: true,
  },
};

/**
 * Checks class names for `spec`'s outputs (one output: two classes) and copies them; the one
 * check of both the classNames setter and a loaded model's metadata.
 */
export function checkClassNames(value: unknown, spec: ResolvedSpec): string[] {
  const count = classCount(spec);
  // Array.from reads a hole of a sparse array as undefined, which `every` alone would skip.
  if (
    !Array.isArray(value) ||
    value.length !== count ||
    !Array.from(value).every((v) => typeof v === 'string')
  ) {
    throw invalidArgument('classNames', `an array of ${count} strings or null`, value);
  }
  return Array.from(value as string[]);
}

export const METADATA_KEYS = Object.keys(METADATA_FIELDS) as (keyof ModelMetadata)[];

/** Checks each field of untrusted metadata; a missing or null field reads as null. */
export function checkMetadata(
  value: Partial<Record<keyof ModelMetadata, unknown>>,
  spec: ResolvedSpec,
): ModelMetadata {
  const out = {} as Record<keyof ModelMetadata, unknown>;
  for (const key of METADATA_KEYS) {
    const v = value[key];
    out[key] = v === undefined || v === null ? null : METADATA_FIELDS[key].check(v, spec);
  }
  return out as unknown as ModelMetadata;
}
