// Model files: a NetworkJSON as safetensors (weights and optimizer state as F32 tensors, the
// architecture and everything else as strings in __metadata__), and reading one back with every
// claim checked before it is trusted: the file's size first, then the header, then the data.
// The format itself lives in safetensors.ts; Network.fromJSON checks the result once more.
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { LayerPlan, OptimizerKind, OptimizerPlan } from '../engine/engine.js';
import { paramLayout, stateSize } from '../engine/layout.js';
import { JSON_FORMAT, JSON_VERSION, type NetworkJSON, optimizerOptions } from '../serialize.js';
import { type NetworkOptions, resolveSpec } from '../spec.js';
import { invalidArgument } from '../validate.js';
import {
  brief,
  clip,
  decodeFloats,
  encodeHeader,
  floatBytes,
  type Header,
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

/** One tensor of the file and where its values live in the flat params or optimizer state. */
interface Slot {
  name: string;
  shape: number[];
  into: 'params' | 'state';
  offset: number;
}

/**
 * The tensors of a network in the flat layout's order: per layer `layers.<i>.weight`
 * (inputs, units) and `layers.<i>.bias` (units), then the optimizer state as flat 1-D tensors:
 * `optimizer.m` and `optimizer.v` (adam) or `optimizer.velocity` (momentum, nesterov).
 */
function tensorSlots(layers: readonly LayerPlan[], kind: OptimizerKind): { slots: Slot[]; size: number } {
  const layout = paramLayout(layers);
  const slots: Slot[] = [];
  layout.layers.forEach((at, i) => {
    slots.push({ name: `layers.${i}.weight`, shape: [at.inputs, at.units], into: 'params', offset: at.w });
    if (at.b >= 0) slots.push({ name: `layers.${i}.bias`, shape: [at.units], into: 'params', offset: at.b });
  });
  const P = layout.size;
  const names =
    kind === 'adam' ? ['optimizer.m', 'optimizer.v'] : stateSize(kind, P) > 0 ? ['optimizer.velocity'] : [];
  names.forEach((name, k) => slots.push({ name, shape: [P], into: 'state', offset: k * P }));
  return { slots, size: P };
}

function layerPlans(inputs: number, layers: NetworkJSON['layers']): LayerPlan[] {
  return layers.map((layer, i) => ({ ...layer, inputs: i === 0 ? inputs : layers[i - 1].units }));
}

// --- writing

/** Writes json as a safetensors file; through a temporary file, so a failed save leaves no half file. */
export async function saveModel(path: string, json: NetworkJSON): Promise<void> {
  checkPath(path);
  const { slots, size } = tensorSlots(layerPlans(json.inputs, json.layers), json.optimizer.kind);
  const stateLength = stateSize(json.optimizer.kind, size);
  if (json.params.length !== size || json.optimizerState.length !== stateLength) {
    throw new RangeError(
      `Expected ${size} parameters and ${stateLength} optimizer state values for the model but received ${json.params.length} and ${json.optimizerState.length}`,
    );
  }
  const values = { params: Float32Array.from(json.params), state: Float32Array.from(json.optimizerState) };
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    architecture: JSON.stringify({ inputs: json.inputs, layers: json.layers }),
    loss: json.loss,
    optimizer: JSON.stringify(json.optimizer),
    seed: String(json.seed),
    steps: String(json.steps),
    inputScaling: JSON.stringify(json.metadata.inputScaling),
    classNames: JSON.stringify(json.metadata.classNames),
    shuffleState: JSON.stringify(json.metadata.shuffleState ?? null),
  };
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const file = await open(temporary, 'wx');
    try {
      await writeAll(file, encodeHeader(slots, metadata));
      for (const slot of slots) {
        const length = slot.shape.reduce((a, b) => a * b, 1);
        await writeAll(file, floatBytes(values[slot.into].subarray(slot.offset, slot.offset + length)));
      }
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new Error(`Cannot write model file ${path}: ${reason(cause)}`, { cause });
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, at, Math.min(IO_CHUNK, bytes.length - at));
    at += bytesWritten;
  }
}

// --- reading

/**
 * Reads a model file into a NetworkJSON-shaped object. Every failure is an Error naming the file
 * and what is wrong; nothing larger than the file itself is ever allocated, and the data is
 * read only after the header has been checked against the architecture it declares.
 */
export async function loadModel(path: string): Promise<unknown> {
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
    const headerBytes = readHeaderLength(await readExactly(file, 0, 8), bytes);
    const dataBytes = bytes - 8 - headerBytes;
    const header = parseHeader(await readExactly(file, 8, headerBytes), dataBytes);
    const model = interpret(header);
    return assemble(model, header, await readExactly(file, 8 + headerBytes, dataBytes));
  } catch (cause) {
    if (cause instanceof SafetensorsError) throw invalid(cause.message);
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  } finally {
    await file.close();
  }
}

/** A fresh (so 8-byte aligned) buffer holding `length` bytes of the file from `position`. */
async function readExactly(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; ) {
    const { bytesRead } = await file.read(out, at, Math.min(IO_CHUNK, length - at), position + at);
    if (bytesRead === 0) {
      throw new SafetensorsError(`the file ended at byte ${position + at} (did it change while being read?)`);
    }
    at += bytesRead;
  }
  return out;
}

type Model = Omit<NetworkJSON, 'params' | 'optimizerState'> & { slots: Slot[]; size: number };

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
  const options: NetworkOptions = {
    inputs: architecture.inputs as number,
    layers: architecture.layers as NetworkOptions['layers'],
    loss: metaString(meta, 'loss') as NetworkOptions['loss'],
    optimizer: optimizerOptions(optimizer as OptimizerPlan),
    seed: metaInteger(meta, 'seed'),
  };
  let spec: ReturnType<typeof resolveSpec>;
  try {
    spec = resolveSpec(options);
  } catch (cause) {
    throw new SafetensorsError(`the metadata does not describe a valid network: ${(cause as Error).message}`);
  }
  const { slots, size } = tensorSlots(spec.layers, spec.optimizer.kind);
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
  const last = spec.layers[spec.layers.length - 1];
  return {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    inputs: spec.inputs,
    layers: spec.layers.map(({ units, activation, useBias }) => ({ units, activation, useBias })),
    loss: spec.loss,
    optimizer: spec.optimizer,
    seed: spec.seed,
    steps: metaInteger(meta, 'steps'),
    metadata: {
      inputScaling: checkScaling(metaJSON(meta, 'inputScaling'), spec.inputs),
      classNames: checkClassNames(metaJSON(meta, 'classNames'), last.units === 1 ? 2 : last.units),
      ...shuffleState(meta),
    },
    slots,
    size,
  };
}

/** Copies each tensor into its place in the flat layout, refusing non-finite values. */
function assemble(model: Model, header: Header, data: Uint8Array): NetworkJSON {
  const { slots, size, ...rest } = model;
  const params = new Float32Array(size);
  const state = new Float32Array(stateSize(model.optimizer.kind, size));
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  for (const slot of slots) {
    const tensor = byName.get(slot.name)!;
    const values = decodeFloats(data.subarray(tensor.begin, tensor.end));
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new SafetensorsError(`tensor '${slot.name}' holds ${values[i]} at index ${i}`);
      }
    }
    (slot.into === 'params' ? params : state).set(values, slot.offset);
  }
  return { ...rest, params: toArray(params), optimizerState: toArray(state) };
}

/** Same as Array.from(values), several times faster on large arrays (no iterator). */
function toArray(values: Float32Array): number[] {
  const out: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

// --- metadata values (strings, per the format)

/** Optional (older files lack it): four 32-bit words, checked again by Random.setState. */
function shuffleState(meta: Record<string, string>): { shuffleState?: number[] } {
  if (meta.shuffleState === undefined) return {};
  const value = metaJSON(meta, 'shuffleState');
  if (value === null) return {};
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !value.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)
  ) {
    throw new SafetensorsError(`metadata 'shuffleState' is not null nor four 32-bit unsigned integers`);
  }
  return { shuffleState: value as number[] };
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

function checkScaling(value: unknown, inputs: number): { mean: number[]; std: number[] } | null {
  if (value === null) return null;
  const v = value as Record<string, unknown>;
  const ok = (list: unknown, positive: boolean): list is number[] =>
    Array.isArray(list) &&
    list.length === inputs &&
    list.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (typeof v !== 'object' || Array.isArray(v) || !ok(v.mean, false) || !ok(v.std, true)) {
    throw new SafetensorsError(
      `metadata 'inputScaling' is not null nor { mean, std } of ${inputs} finite numbers (std > 0)`,
    );
  }
  return { mean: v.mean, std: v.std };
}

function checkClassNames(value: unknown, count: number): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length !== count || !value.every((v) => typeof v === 'string')) {
    throw new SafetensorsError(`metadata 'classNames' is not null nor an array of ${count} strings`);
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
