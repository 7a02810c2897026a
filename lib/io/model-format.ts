// How a ModelState maps onto a safetensors file: the tensors a spec needs (names, shapes, where
// their values live) and the metadata strings, written from a state and read back with every
// claim checked. Knows networks only through model-state.ts; file I/O is model-file.ts's.
import { MAX_LAYERS, type OptimizerKind } from '../engine/contract.js';
import {
  classCount,
  layoutOf,
  METADATA_FIELDS,
  METADATA_KEYS,
  type ModelMetadata,
  type ModelState,
  nonNegativeState,
  resolveSaved,
  savedArchitecture,
} from '../model-state.js';
import { brief, clip, encodeFile, type Header, parseJSONText, SafetensorsError } from './safetensors.js';

type ResolvedSpec = ModelState['spec'];

/** The metadata's 'format' and 'version' values this reader understands. */
export const MODEL_FORMAT = 'fastmlp';
export const MODEL_VERSION = '1';

/** The optimizer state's tensors, in the order they follow the parameters (see tensorSlots). */
const OPTIMIZER_TENSORS: Record<OptimizerKind, string[]> = {
  sgd: [],
  momentum: ['optimizer.velocity'],
  nesterov: ['optimizer.velocity'],
  adam: ['optimizer.m', 'optimizer.v'],
  adamw: ['optimizer.m', 'optimizer.v'],
  rmsprop: ['optimizer.square_avg', 'optimizer.momentum_buffer'],
};

/**
 * One tensor of the file and where its values live: at float `at` of the parameters followed by
 * the optimizer state (the order save writes them, so a file of ours reads in one piece).
 */
export interface Slot {
  name: string;
  shape: number[];
  at: number;
  length: number;
  /** Values must be >= 0 (adam's v). */
  nonNegative: boolean;
}

/**
 * The tensors of a network in the flat layout's order: per layer `layers.<i>.weight`
 * (inputs, units) and `layers.<i>.bias` (units), then the optimizer state as flat 1-D tensors:
 * `optimizer.m` and `optimizer.v` (adam, adamw), `optimizer.square_avg` and
 * `optimizer.momentum_buffer` (rmsprop, PyTorch's names) or `optimizer.velocity` (momentum, nesterov).
 */
export function tensorSlots(spec: ResolvedSpec): { slots: Slot[]; params: number; total: number } {
  const layout = layoutOf(spec);
  const slots: Slot[] = [];
  layout.layers.forEach(({ w, b, inputs, units }, i) => {
    slots.push({
      name: `layers.${i}.weight`,
      shape: [inputs, units],
      at: w,
      length: inputs * units,
      nonNegative: false,
    });
    if (b >= 0)
      slots.push({ name: `layers.${i}.bias`, shape: [units], at: b, length: units, nonNegative: false });
  });
  const P = layout.size;
  const names = OPTIMIZER_TENSORS[spec.optimizer.kind];
  const nonNegative = nonNegativeState(spec);
  names.forEach((name, k) => {
    const at = P + k * P;
    slots.push({ name, shape: [P], at, length: P, nonNegative: nonNegative?.begin === at - P });
  });
  return { slots, params: P, total: P + layout.optimizerState };
}

// --- writing

/** The whole file in one buffer (a copy of the arrays: the snapshot save writes). */
export function encodeModel(state: ModelState): Uint8Array {
  const { slots, params, total } = tensorSlots(state.spec);
  if (state.params.length !== params || state.optimizerState.length !== total - params) {
    throw new RangeError(
      `Expected ${params} parameters and ${total - params} optimizer state values for the model but received ${state.params.length} and ${state.optimizerState.length}`,
    );
  }
  const { inputs, layers, loss, optimizer, seed, huberDelta } = savedArchitecture(state.spec);
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    architecture: JSON.stringify({ inputs, layers }),
    loss,
    optimizer: JSON.stringify(optimizer),
    seed: String(seed),
    steps: String(state.steps),
    huberDelta: JSON.stringify(huberDelta),
  };
  for (const key of METADATA_KEYS) metadata[key] = JSON.stringify(state.metadata[key]);
  const values = (slot: Slot) =>
    slot.at < params
      ? state.params.subarray(slot.at, slot.at + slot.length)
      : state.optimizerState.subarray(slot.at - params, slot.at - params + slot.length);
  return encodeFile(
    slots.map((slot) => ({ name: slot.name, shape: slot.shape, values: values(slot) })),
    metadata,
  );
}

// --- reading

// How many JSON values (counted as '{', '[' and ',') a file of ours can need, so that a header
// or a metadata value of more is refused before it is parsed. A tensor entry takes 8 (its
// object, 3 fields, 2-D shape, 2 offsets, a separator) and a network at most 2 per layer plus
// 2 optimizer tensors; a layer in 'architecture' takes 4; scaling and class names one per
// number or name. Each bound leaves twice that, plus room for the fixed fields.
const FIXED_VALUES = 64;
export const MAX_HEADER_VALUES = 16 * (2 * MAX_LAYERS + 2) + FIXED_VALUES;
const MAX_ARCHITECTURE_VALUES = 8 * MAX_LAYERS + FIXED_VALUES;
const maxMetadataValues = (spec: ResolvedSpec) => 2 * (2 * spec.inputs + classCount(spec)) + FIXED_VALUES;

/** What a checked header says: the state but its arrays, and where each tensor's values go. */
export interface Model {
  spec: ResolvedSpec;
  steps: number;
  metadata: ModelMetadata;
  slots: Slot[];
  params: number;
  total: number;
}

/** Checks the metadata and that the tensors are exactly those its architecture needs. */
export function interpret(header: Header): Model {
  const meta = header.metadata;
  const format = meta.format;
  if (format !== MODEL_FORMAT) {
    throw new SafetensorsError(
      `not a fastmlp model (metadata 'format' is ${brief(format)}; expected '${MODEL_FORMAT}')`,
    );
  }
  if (meta.version !== MODEL_VERSION) {
    throw new SafetensorsError(
      `unsupported version ${brief(meta.version)} (this fastmlp reads version ${MODEL_VERSION})`,
    );
  }
  const architecture = metaJSON(meta, 'architecture', MAX_ARCHITECTURE_VALUES) as Record<
    string,
    unknown
  > | null;
  const optimizer = metaJSON(meta, 'optimizer', FIXED_VALUES);
  if (typeof architecture !== 'object' || architecture === null || Array.isArray(architecture)) {
    throw new SafetensorsError(`metadata 'architecture' is not a JSON object`);
  }
  if (typeof optimizer !== 'object' || optimizer === null || Array.isArray(optimizer)) {
    throw new SafetensorsError(`metadata 'optimizer' is not a JSON object`);
  }
  const loss = metaString(meta, 'loss');
  const seed = metaInteger(meta, 'seed');
  // written since losses took settings; a file from before reads as huber's default
  const huberDelta = meta.huberDelta === undefined ? undefined : metaJSON(meta, 'huberDelta', FIXED_VALUES);
  let spec: ResolvedSpec;
  try {
    const architectureFields = { inputs: architecture.inputs, layers: architecture.layers };
    spec = resolveSaved({ ...architectureFields, loss, optimizer, seed, huberDelta });
  } catch (cause) {
    throw new SafetensorsError(`the metadata does not describe a valid network: ${(cause as Error).message}`);
  }
  const { slots, params, total } = tensorSlots(spec);
  const expected = new Map(slots.map((slot) => [slot.name, slot]));
  for (const tensor of header.tensors) {
    const slot = expected.get(tensor.name);
    if (!slot) throw new SafetensorsError(`unknown tensor '${clip(tensor.name)}' for this architecture`);
    if (tensor.shape.join() !== slot.shape.join() || tensor.shape.length !== slot.shape.length) {
      throw new SafetensorsError(
        `tensor '${slot.name}' has shape [${tensor.shape.join(', ')}] but the architecture needs [${slot.shape.join(', ')}]`,
      );
    }
  }
  const present = new Set(header.tensors.map((t) => t.name));
  const missing = slots.find((slot) => !present.has(slot.name));
  if (missing) throw new SafetensorsError(`missing tensor '${missing.name}'`);
  return { spec, steps: metaInteger(meta, 'steps'), metadata: metadataOf(meta, spec), slots, params, total };
}

// --- metadata values (strings, per the format)

/** Each metadata field, checked by its own rule; a format violation names the field. */
function metadataOf(meta: Record<string, string>, spec: ResolvedSpec): ModelMetadata {
  const out = {} as Record<keyof ModelMetadata, unknown>;
  for (const key of METADATA_KEYS) {
    const field = METADATA_FIELDS[key];
    const value =
      meta[key] === undefined && field.optional ? null : metaJSON(meta, key, maxMetadataValues(spec));
    try {
      out[key] = value === null ? null : field.check(value as never, spec);
    } catch {
      throw new SafetensorsError(`metadata '${key}' is not null nor ${field.expected(spec)}`);
    }
  }
  return out as unknown as ModelMetadata;
}

function metaString(meta: Record<string, string>, key: string): string {
  const value = meta[key];
  if (value === undefined) throw new SafetensorsError(`metadata '${key}' is missing`);
  return value;
}

function metaJSON(meta: Record<string, string>, key: string, maxValues: number): unknown {
  return parseJSONText(metaString(meta, key), `metadata '${key}'`, maxValues);
}

function metaInteger(meta: Record<string, string>, key: string): number {
  const text = metaString(meta, key);
  const value = Number(text);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(value)) {
    throw new SafetensorsError(`metadata '${key}' is ${brief(text)}; expected a non-negative integer`);
  }
  return value;
}
