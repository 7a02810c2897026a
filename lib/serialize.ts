// A network as plain JSON (architecture, optimizer, step count, weights and optimizer state), and
// the checks that make a JSON from elsewhere safe to load. Float32 values survive a JSON round
// trip exactly: each is a double that prints and parses back to itself.
import type { ActivationName, LossName, OptimizerPlan } from './engine/engine.js';
import { paramLayout, stateSize } from './engine/layout.js';
import type { NetworkOptions, ResolvedSpec } from './spec.js';
import { resolveSpec } from './spec.js';
import { expectObject, invalidArgument, outOfRange } from './validate.js';

export const JSON_FORMAT = 'fastmlp-network';
export const JSON_VERSION = 1;

export interface NetworkJSON {
  format: typeof JSON_FORMAT;
  version: typeof JSON_VERSION;
  inputs: number;
  layers: { units: number; activation: ActivationName; useBias: boolean }[];
  loss: LossName;
  optimizer: OptimizerPlan;
  seed: number;
  steps: number;
  params: number[];
  optimizerState: number[];
  /** Preprocessing and labels kept with the model (checked by the Network's setters on load). */
  metadata: NetworkMetadata;
}

export interface NetworkMetadata {
  inputScaling: { mean: number[]; std: number[] } | null;
  classNames: string[] | null;
  /** Where the shuffle stream stands, so a reloaded network shuffles as the original would. */
  shuffleState?: number[];
}

export function networkToJSON(
  spec: ResolvedSpec,
  params: Float32Array,
  state: Float32Array,
  steps: number,
  metadata: NetworkMetadata,
): NetworkJSON {
  return {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    inputs: spec.inputs,
    layers: spec.layers.map(({ units, activation, useBias }) => ({ units, activation, useBias })),
    loss: spec.loss,
    optimizer: { ...spec.optimizer },
    seed: spec.seed,
    steps,
    params: Array.from(params),
    optimizerState: Array.from(state),
    metadata,
  };
}

/** The options that rebuild a saved optimizer plan exactly. */
export function optimizerOptions(plan: OptimizerPlan): NetworkOptions['optimizer'] {
  const { kind, ...rest } = plan;
  return { name: kind, ...rest };
}

export interface ParsedNetwork {
  options: NetworkOptions;
  params: Float32Array;
  state: Float32Array | null;
  steps: number;
  metadata: NetworkMetadata;
}

/** Checks everything before trusting it; the error names the field. */
export function parseNetworkJSON(
  json: unknown,
  overrides: Pick<NetworkOptions, 'engine' | 'threads'>,
): ParsedNetwork {
  const j = typeof json === 'string' ? parseText(json) : expectObject(json, 'json');
  if (j.format !== JSON_FORMAT) throw invalidArgument('json.format', `'${JSON_FORMAT}'`, j.format);
  if (j.version !== JSON_VERSION) throw invalidArgument('json.version', String(JSON_VERSION), j.version);
  const optimizer = optimizerOptions(expectObject(j.optimizer, 'json.optimizer') as unknown as OptimizerPlan);
  const options: NetworkOptions = {
    inputs: j.inputs as number,
    layers: j.layers as NetworkOptions['layers'],
    loss: j.loss as LossName,
    optimizer,
    seed: j.seed as number,
    ...overrides,
  };
  const spec = resolveSpec(options); // throws on any bad architecture field
  const layout = paramLayout(spec.layers);
  const params = toFloats(j.params, 'json.params', layout.size);
  const stateLength = stateSize(spec.optimizer.kind, layout.size);
  const state =
    j.optimizerState === undefined ? null : toFloats(j.optimizerState, 'json.optimizerState', stateLength);
  const steps = j.steps === undefined ? 0 : j.steps;
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) {
    throw outOfRange('json.steps', 'a non-negative integer', steps);
  }
  const meta =
    j.metadata === undefined || j.metadata === null ? {} : expectObject(j.metadata, 'json.metadata');
  const metadata: NetworkMetadata = {
    inputScaling: (meta.inputScaling ?? null) as NetworkMetadata['inputScaling'],
    classNames: (meta.classNames ?? null) as NetworkMetadata['classNames'],
  };
  if (meta.shuffleState !== undefined) metadata.shuffleState = meta.shuffleState as number[];
  return { options, params, state, steps, metadata };
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
    out[i] = v;
  }
  return out;
}
