// Network.importPyTorch: a torch.nn.Sequential's state dict (safetensors; F32, or F64, F16, BF16
// converted to float32) read into the flat parameters of a given architecture. Every tensor's
// name and shape is checked against the Sequential that architecture makes (sequential.ts): an
// extra, a missing or a misshapen tensor is an error naming it and what was expected.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { taskOf } from '../../engine/contract.js';
import { layoutOf, METADATA_FIELDS } from '../../model-state.js';
import type { ResolvedSpec } from '../../spec.js';
import { allocate } from '../../weights.js';
import { MAX_MODEL_FILE_BYTES } from '../model-file.js';
import {
  brief,
  clip,
  DTYPE_BYTES,
  type Dtype,
  decodeAsFloat32,
  parseHeader,
  parseJSONText,
  readHeaderLength,
  SafetensorsError,
} from '../safetensors.js';
import { type StateTensor, sequentialOf } from './sequential.js';
import { PYTORCH_METADATA_KEYS } from './write.js';

export interface ImportedWeights {
  /** In the flat layout (per layer W (inputs, units) row-major, then b). */
  params: Float32Array;
  /** What the file's __metadata__ says of these (checked), null when it says nothing. */
  metadata: Record<(typeof PYTORCH_METADATA_KEYS)[number], unknown>;
}

const DTYPES = Object.keys(DTYPE_BYTES) as Dtype[];

export async function readPyTorch(path: string, spec: ResolvedSpec): Promise<ImportedWeights> {
  const data = await readWhole(path);
  try {
    return interpret(data, spec);
  } catch (cause) {
    if (cause instanceof SafetensorsError) {
      throw new Error(`Invalid PyTorch state dict ${path}: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

function interpret(data: Uint8Array, spec: ResolvedSpec): ImportedWeights {
  const { modules, tensors: expected } = sequentialOf(spec.layers);
  const headerBytes = readHeaderLength(data.subarray(0, 8), data.length);
  const dataStart = 8 + headerBytes;
  // a tensor entry takes at most 8 JSON values (see model-format.ts); metadata values are strings
  const maxValues = 16 * (expected.length + 8) + 64;
  const header = parseHeader(data.subarray(8, dataStart), data.length - dataStart, maxValues, DTYPES);
  const architecture = (t: StateTensor) =>
    `${t.name} [${t.shape.join(', ')}] (layers[${t.layer}]'s ${t.kind === 'weight' ? 'weights' : 'biases'})`;
  const wanted = new Map(expected.map((t) => [t.name, t]));
  const found = new Set<string>();
  for (const tensor of header.tensors) {
    const slot = wanted.get(tensor.name);
    if (!slot) {
      throw new SafetensorsError(
        `unexpected tensor '${clip(tensor.name)}'; the architecture's Sequential holds ${expected.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ')}`,
      );
    }
    if (tensor.shape.join() !== slot.shape.join() || tensor.shape.length !== slot.shape.length) {
      throw new SafetensorsError(
        `tensor '${slot.name}' has shape [${tensor.shape.join(', ')}]; expected ${architecture(slot)}`,
      );
    }
    found.add(tensor.name);
  }
  const missing = expected.find((t) => !found.has(t.name));
  if (missing) throw new SafetensorsError(`missing tensor ${architecture(missing)}`);
  checkModules(header.metadata.modules, modules);

  const layout = layoutOf(spec);
  const params = allocate(layout.size, 'parameters');
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  for (const slot of expected) {
    const entry = byName.get(slot.name)!;
    const values = decodeAsFloat32(
      data.subarray(dataStart + entry.begin, dataStart + entry.end),
      entry.dtype,
    );
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new SafetensorsError(
        `tensor '${slot.name}' holds ${values[bad]} at index ${bad} (as float32); expected finite numbers`,
      );
    }
    const { w, b, inputs, units } = layout.layers[slot.layer];
    if (slot.kind === 'bias') params.set(values, b);
    else {
      // PyTorch's weight is (units, inputs) row-major, ours W (inputs, units)
      for (let j = 0; j < units; j++) {
        for (let i = 0; i < inputs; i++) params[w + i * units + j] = values[j * inputs + i];
      }
    }
  }
  return { params, metadata: metadataOf(header.metadata, spec) };
}

/** An export's module list (when the file has one) must be the architecture's, module by module. */
function checkModules(text: string | undefined, modules: string[]): void {
  if (text === undefined) return;
  const listed = parseJSONText(text, `metadata 'modules'`, 4 * modules.length + 64);
  if (!Array.isArray(listed) || !listed.every((m) => typeof m === 'string')) {
    throw new SafetensorsError(`metadata 'modules' is not an array of strings`);
  }
  const at = modules.findIndex((m, i) => listed[i] !== m);
  if (at >= 0 || listed.length !== modules.length) {
    const i = at >= 0 ? at : modules.length;
    throw new SafetensorsError(
      `the file's Sequential differs from the architecture at module ${i}: the file has ${brief(listed[i])}, the options make ${brief(modules[i])}`,
    );
  }
}

/** inputScaling, targetScaling and classNames from an export's metadata, each checked; absent: null. */
function metadataOf(meta: Record<string, string>, spec: ResolvedSpec): ImportedWeights['metadata'] {
  const out = {} as ImportedWeights['metadata'];
  const maxValues = 2 * (2 * spec.inputs + 2 * spec.layers[spec.layers.length - 1].units + 2) + 64;
  for (const key of PYTORCH_METADATA_KEYS) {
    const text = meta[key];
    const value = text === undefined ? null : parseJSONText(text, `metadata '${key}'`, maxValues);
    const field = METADATA_FIELDS[key];
    try {
      out[key] = value === null ? null : field.check(value as never, spec);
    } catch {
      throw new SafetensorsError(`metadata '${key}' is not null nor ${field.expected(spec)}`);
    }
  }
  const last = spec.layers[spec.layers.length - 1];
  const task = taskOf(last.activation, last.units, spec.loss);
  if (out.targetScaling !== null && task !== 'regression') {
    throw new SafetensorsError(
      `metadata 'targetScaling' is set but the architecture is ${task}, not regression`,
    );
  }
  return out;
}

/** The whole file (a state dict is as large as its weights: no streaming needed). */
async function readWhole(path: string): Promise<Uint8Array> {
  const failed = (cause: unknown) =>
    new Error(`Cannot read PyTorch state dict ${path}: ${(cause as Error).message ?? cause}`, { cause });
  let file: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw failed(cause);
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size < 8 || info.size > MAX_MODEL_FILE_BYTES) {
      throw new SafetensorsError(
        `the file holds ${info.size} bytes; expected 8 to ${MAX_MODEL_FILE_BYTES} (a safetensors file)`,
      );
    }
    const bytes = new Uint8Array(info.size);
    for (let at = 0; at < bytes.length; ) {
      const { bytesRead } = await file.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) throw new Error(`the file ended at byte ${at} (did it change while being read?)`);
      at += bytesRead;
    }
    return bytes;
  } catch (cause) {
    if (cause instanceof SafetensorsError)
      throw new Error(`Invalid PyTorch state dict ${path}: ${cause.message}`);
    throw failed(cause);
  } finally {
    await file.close();
  }
}
