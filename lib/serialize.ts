// A model state as plain JSON (architecture, optimizer, step count, weights and optimizer state,
// metadata), and the checks that make a JSON from elsewhere safe to load. Float32 values survive a
// JSON round trip exactly: each is a double that prints and parses back to itself.
import type { ActivationName, LossName } from './engine/engine.js';
import {
  checkMetadata,
  layoutOf,
  METADATA_KEYS,
  type ModelMetadata,
  type ModelState,
  nonNegativeState,
  resolveSaved,
  savedArchitecture,
} from './model-state.js';
import type { ScheduleState } from './schedule.js';
import type { TableSchema } from './schema.js';
import type { ResolvedOptimizer } from './spec.js';
import { expectObject, invalidArgument, isFiniteFloat32, outOfRange } from './validate.js';

export const JSON_FORMAT = 'fastmlp-network';
export const JSON_VERSION = 1;

export interface NetworkJSON {
  format: typeof JSON_FORMAT;
  version: typeof JSON_VERSION;
  inputs: number;
  /** dropout: absent in files from before it existed (reads as 0). */
  layers: { units: number; activation: ActivationName; useBias: boolean; dropout?: number }[];
  loss: LossName;
  optimizer: ResolvedOptimizer;
  seed: number;
  /** huber's delta (every loss carries it); optional when reading: 1.0. */
  huberDelta?: number;
  steps: number;
  params: number[];
  optimizerState: number[];
  /** Preprocessing and labels kept with the model (checked again on load). */
  metadata: NetworkMetadata;
}

export interface NetworkMetadata {
  inputScaling: { mean: number[]; std: number[] } | null;
  classNames: string[] | null;
  /** Where the shuffle stream stands, so a reloaded network shuffles as the original would. */
  shuffleState?: number[] | null;
  /** Where the dropout stream (the masks' generator) stands. */
  dropoutState?: number[] | null;
  /** Where the last fit's learning-rate schedule stopped. */
  scheduleState?: ScheduleState | null;
  /** Regression targets' standardization; absent in files from before it existed. */
  targetScaling?: { mean: number[]; std: number[] } | null;
  /** The table schema records are read through; absent in files from before it existed. */
  schema?: TableSchema | null;
}

export function modelStateToJSON(state: ModelState): NetworkJSON {
  return {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    ...savedArchitecture(state.spec),
    steps: state.steps,
    params: Array.from(state.params),
    optimizerState: Array.from(state.optimizerState),
    // a deep copy: the JSON is the caller's to change
    metadata: JSON.parse(JSON.stringify(state.metadata)) as ModelMetadata,
  };
}

/** Checks everything before trusting it; the error names the field. */
export function modelStateFromJSON(json: unknown): ModelState {
  const j = typeof json === 'string' ? parseText(json) : expectObject(json, 'json');
  if (j.format !== JSON_FORMAT) throw invalidArgument('json.format', `'${JSON_FORMAT}'`, j.format);
  if (j.version !== JSON_VERSION) throw invalidArgument('json.version', String(JSON_VERSION), j.version);
  expectObject(j.optimizer, 'json.optimizer');
  const spec = resolveSaved(j as Record<keyof NetworkJSON, unknown>); // throws on any bad architecture field
  const layout = layoutOf(spec);
  const params = toFloats(j.params, 'json.params', layout.size);
  const optimizerState =
    j.optimizerState === undefined
      ? new Float32Array(layout.optimizerState)
      : toFloats(j.optimizerState, 'json.optimizerState', layout.optimizerState);
  const nonNegative = nonNegativeState(spec);
  if (nonNegative) {
    for (let i = nonNegative.begin; i < nonNegative.end; i++) {
      if (optimizerState[i] < 0) {
        throw outOfRange(
          `json.optimizerState[${i}]`,
          `a non-negative number (${nonNegative.name})`,
          optimizerState[i],
        );
      }
    }
  }
  const steps = j.steps === undefined ? 0 : j.steps;
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) {
    throw outOfRange('json.steps', 'a non-negative integer', steps);
  }
  const meta =
    j.metadata === undefined || j.metadata === null ? {} : expectObject(j.metadata, 'json.metadata');
  const known = Object.fromEntries(METADATA_KEYS.map((key) => [key, meta[key]]));
  return { spec, params, optimizerState, steps, metadata: checkMetadata(known, spec) };
}

function parseText(text: string): Record<string, unknown> {
  try {
    return expectObject(JSON.parse(text), 'json');
  } catch (cause) {
    if (cause instanceof SyntaxError) throw new TypeError(`Expected valid JSON for json: ${cause.message}`);
    throw cause;
  }
}

function toFloats(values: unknown, name: string, length: number): Float32Array {
  if (!Array.isArray(values)) throw invalidArgument(name, `an array of ${length} numbers`, values);
  if (values.length !== length) throw outOfRange(name, `${length} numbers (the architecture's size)`, values);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw invalidArgument(`${name}[${i}]`, 'a finite number', v);
    if (!Number.isFinite(v)) throw outOfRange(`${name}[${i}]`, 'a finite number', v);
    if (!isFiniteFloat32(v)) throw outOfRange(`${name}[${i}]`, 'a finite float32 number', v);
    out[i] = v;
  }
  return out;
}
