// Model files: a ModelState as safetensors (weights and optimizer state as F32 tensors, the
// architecture and metadata as strings in __metadata__), and reading one back with every claim
// checked before it is trusted: the file's size first, then the header, then the data. The
// format itself lives in safetensors.ts; this file knows networks only through model-state.ts.
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm, stat } from 'node:fs/promises';
import {
  layoutOf,
  METADATA_FIELDS,
  METADATA_KEYS,
  type ModelMetadata,
  type ModelState,
  resolveSaved,
  savedArchitecture,
} from '../model-state.js';
import type { ResolvedSpec } from '../spec.js';
import { invalidArgument } from '../validate.js';
import {
  brief,
  clip,
  decodeFloats,
  encodeFile,
  type Header,
  LITTLE_ENDIAN_HOST,
  parseHeader,
  parseJSONText,
  readHeaderLength,
  SafetensorsError,
} from './safetensors.js';

/** The metadata's 'format' and 'version' values this reader understands. */
export const MODEL_FORMAT = 'fastmlp';
export const MODEL_VERSION = '1';
/** Largest model file read: the biggest network (2^28 weights, adam state) takes about 3 GiB. */
export const MAX_MODEL_FILE_BYTES = 4 * 2 ** 30;
/** Largest single read or write: fs calls take at most 2^31 - 1 bytes. */
const IO_CHUNK = 1 << 30;

/**
 * One tensor of the file and where its values live: at float `at` of the parameters followed by
 * the optimizer state (the order save writes them, so a file of ours reads in one piece).
 */
interface Slot {
  name: string;
  shape: number[];
  at: number;
  length: number;
}

/**
 * The tensors of a network in the flat layout's order: per layer `layers.<i>.weight`
 * (inputs, units) and `layers.<i>.bias` (units), then the optimizer state as flat 1-D tensors:
 * `optimizer.m` and `optimizer.v` (adam) or `optimizer.velocity` (momentum, nesterov).
 */
function tensorSlots(spec: ResolvedSpec): { slots: Slot[]; params: number; total: number } {
  const layout = layoutOf(spec);
  const slots: Slot[] = [];
  layout.layers.forEach(({ w, b, inputs, units }, i) => {
    slots.push({ name: `layers.${i}.weight`, shape: [inputs, units], at: w, length: inputs * units });
    if (b >= 0) slots.push({ name: `layers.${i}.bias`, shape: [units], at: b, length: units });
  });
  const P = layout.size;
  const names =
    spec.optimizer.kind === 'adam'
      ? ['optimizer.m', 'optimizer.v']
      : layout.optimizerState > 0
        ? ['optimizer.velocity']
        : [];
  names.forEach((name, k) => slots.push({ name, shape: [P], at: P + k * P, length: P }));
  return { slots, params: P, total: P + layout.optimizerState };
}

// --- writing

/**
 * Writes the state as a safetensors file, durably: through a temporary file, flushed to disk
 * before it replaces `path`, so a failed or interrupted save leaves no half file. The file's
 * bytes are taken from the state before the first await: training that runs while the write
 * is under way changes the network, not the file.
 */
export async function saveModel(path: string, state: ModelState): Promise<void> {
  checkPath(path);
  let bytes: Uint8Array;
  try {
    bytes = encodeModel(state);
  } catch (cause) {
    throw new Error(`Cannot write model file ${path}: ${reason(cause)}`, { cause });
  }
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const file = await open(temporary, 'wx');
    try {
      for (let at = 0; at < bytes.length; ) {
        const { bytesWritten } = await file.write(bytes, at, Math.min(IO_CHUNK, bytes.length - at));
        at += bytesWritten;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new Error(`Cannot write model file ${path}: ${reason(cause)}`, { cause });
  }
}

/** The whole file in one buffer (a copy of the arrays: the snapshot save writes). */
function encodeModel(state: ModelState): Uint8Array {
  const { slots, params, total } = tensorSlots(state.spec);
  if (state.params.length !== params || state.optimizerState.length !== total - params) {
    throw new RangeError(
      `Expected ${params} parameters and ${total - params} optimizer state values for the model but received ${state.params.length} and ${state.optimizerState.length}`,
    );
  }
  const { inputs, layers, loss, optimizer, seed } = savedArchitecture(state.spec);
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    architecture: JSON.stringify({ inputs, layers }),
    loss,
    optimizer: JSON.stringify(optimizer),
    seed: String(seed),
    steps: String(state.steps),
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

/**
 * Reads a model file into a ModelState. Every failure is an Error naming the file and what is
 * wrong; nothing larger than the file itself is allocated, and the data is read only after the
 * header has been checked against the architecture it declares, straight into the one
 * Float32Array that holds the parameters and the optimizer state.
 */
export async function loadModel(path: string): Promise<ModelState> {
  checkPath(path);
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    bytes = info.size;
  } catch (cause) {
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  }
  const invalid = (message: string) => new Error(`Invalid model file ${path}: ${message}`);
  if (bytes < 8) throw invalid(`the file holds ${bytes} bytes, fewer than the 8 of the header length`);
  if (bytes > MAX_MODEL_FILE_BYTES) {
    throw invalid(`the file holds ${bytes} bytes, more than the ${MAX_MODEL_FILE_BYTES} a model can need`);
  }
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (cause) {
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  }
  try {
    const headerBytes = readHeaderLength(await readExactly(file, 0, new Uint8Array(8)), bytes);
    const dataBytes = bytes - 8 - headerBytes;
    const header = parseHeader(await readExactly(file, 8, new Uint8Array(headerBytes)), dataBytes);
    const model = interpret(header);
    const values = await readValues(file, 8 + headerBytes, dataBytes, model.slots, header, model.total);
    const { params } = model;
    return {
      spec: model.spec,
      params: values.subarray(0, params),
      optimizerState: model.total > params ? values.subarray(params) : new Float32Array(0),
      steps: model.steps,
      metadata: model.metadata,
    };
  } catch (cause) {
    if (cause instanceof SafetensorsError) throw invalid(cause.message);
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  } finally {
    await file.close();
  }
}

/** Fills `out` with bytes of the file from `position`. */
async function readExactly(file: FileHandle, position: number, out: Uint8Array): Promise<Uint8Array> {
  for (let at = 0; at < out.length; ) {
    const { bytesRead } = await file.read(out, at, Math.min(IO_CHUNK, out.length - at), position + at);
    if (bytesRead === 0) {
      throw new SafetensorsError(`the file ended at byte ${position + at} (did it change while being read?)`);
    }
    at += bytesRead;
  }
  return out;
}

/**
 * The data section as the parameters followed by the optimizer state, in one Float32Array.
 * A file whose tensors lie in that order (every file save writes) is read straight into it; any
 * other order the format allows goes through a copy. Non-finite values are refused.
 */
async function readValues(
  file: FileHandle,
  position: number,
  dataBytes: number,
  slots: Slot[],
  header: Header,
  total: number,
): Promise<Float32Array> {
  // Not zero-filled: every value is written below (the checked tensors tile exactly the data
  // section, and the slots exactly the layout). Zeroing first would touch every page twice.
  if (dataBytes !== 4 * total)
    throw new SafetensorsError(`the data section holds ${dataBytes} bytes, not ${4 * total}`);
  const values = new Float32Array(Buffer.allocUnsafeSlow(dataBytes).buffer, 0, total);
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const inOrder = slots.every((slot) => byName.get(slot.name)!.begin === 4 * slot.at);
  if (LITTLE_ENDIAN_HOST && inOrder) {
    await readExactly(file, position, new Uint8Array(values.buffer, 0, dataBytes));
  } else {
    const data = await readExactly(file, position, Buffer.allocUnsafeSlow(dataBytes));
    for (const slot of slots) {
      const tensor = byName.get(slot.name)!;
      values.set(decodeFloats(data.subarray(tensor.begin, tensor.end)), slot.at);
    }
  }
  const bad = firstNonFinite(values);
  if (bad >= 0) {
    const slot = slots.find((s) => bad < s.at + s.length)!;
    throw new SafetensorsError(`tensor '${slot.name}' holds ${values[bad]} at index ${bad - slot.at}`);
  }
  return values;
}

/**
 * Index of the first NaN or infinity, or -1. x * 0 is 0 for every finite x and NaN otherwise, so
 * four running sums tell whether to look, without a branch per value (twice as fast).
 */
function firstNonFinite(v: Float32Array): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const n = v.length - (v.length % 4);
  for (let i = 0; i < n; i += 4) {
    a += v[i] * 0;
    b += v[i + 1] * 0;
    c += v[i + 2] * 0;
    d += v[i + 3] * 0;
  }
  for (let i = n; i < v.length; i++) a += v[i] * 0;
  return a + b + c + d === 0 ? -1 : v.findIndex((x) => !Number.isFinite(x));
}

interface Model {
  spec: ResolvedSpec;
  steps: number;
  metadata: ModelMetadata;
  slots: Slot[];
  params: number;
  total: number;
}

/** Checks the metadata and that the tensors are exactly those its architecture needs. */
function interpret(header: Header): Model {
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
  const architecture = metaJSON(meta, 'architecture') as Record<string, unknown> | null;
  const optimizer = metaJSON(meta, 'optimizer');
  if (typeof architecture !== 'object' || architecture === null || Array.isArray(architecture)) {
    throw new SafetensorsError(`metadata 'architecture' is not a JSON object`);
  }
  if (typeof optimizer !== 'object' || optimizer === null || Array.isArray(optimizer)) {
    throw new SafetensorsError(`metadata 'optimizer' is not a JSON object`);
  }
  const loss = metaString(meta, 'loss');
  const seed = metaInteger(meta, 'seed');
  let spec: ResolvedSpec;
  try {
    spec = resolveSaved({ inputs: architecture.inputs, layers: architecture.layers, loss, optimizer, seed });
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
    const value = meta[key] === undefined && field.optional ? null : metaJSON(meta, key);
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

function metaJSON(meta: Record<string, string>, key: string): unknown {
  return parseJSONText(metaString(meta, key), `metadata '${key}'`);
}

function metaInteger(meta: Record<string, string>, key: string): number {
  const text = metaString(meta, key);
  const value = Number(text);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(value)) {
    throw new SafetensorsError(`metadata '${key}' is ${brief(text)}; expected a non-negative integer`);
  }
  return value;
}

// --- paths and system errors

function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidArgument('path', 'a file path', path);
  }
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'not a regular file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return error instanceof Error ? error.message : String(error);
}
