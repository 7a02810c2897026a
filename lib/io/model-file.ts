// Model files: a ModelState saved as safetensors (weights and optimizer state as F32 tensors, the
// architecture and metadata as strings in __metadata__), durably, and read back with every claim
// checked before it is trusted: the file's size first, then the header, then the data. The
// format lives in safetensors.ts, the mapping of a state onto it in model-format.ts.

import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ModelState } from '../model-state.js';
import { invalidArgument } from '../validate.js';
import { allocate } from '../weights.js';
import { reason } from './file-reason.js';
import { encodeModel, interpret, MAX_HEADER_VALUES, type Slot } from './model-format.js';
import { IO_CHUNK, replaceFile } from './replace-file.js';
import {
  decodeFloats,
  type Header,
  LITTLE_ENDIAN_HOST,
  parseHeader,
  readHeaderLength,
  SafetensorsError,
} from './safetensors.js';

/** Largest model file read: the biggest network (2^28 weights, adam state) takes about 3 GiB. */
export const MAX_MODEL_FILE_BYTES = 4 * 2 ** 30;

// --- writing

/**
 * Writes the state as a safetensors file, durably: through a temporary file, flushed to disk
 * before it replaces `path`, so a failed or interrupted save leaves no half file. The file's
 * bytes are taken from the state before the first await: training that runs while the write
 * is under way changes the network, not the file. A symlink is followed (its target is
 * replaced, the link kept); anything but a regular file or a missing one is refused before
 * anything is written; an existing file keeps its mode.
 */
export async function saveModel(path: string, state: ModelState): Promise<void> {
  checkPath(path);
  let bytes: Uint8Array;
  try {
    bytes = encodeModel(state);
  } catch (cause) {
    throw new Error(`Cannot write model file ${path}: ${reason(cause)}`, { cause });
  }
  try {
    await replaceFile(path, bytes);
  } catch (cause) {
    throw new Error(`Cannot write model file ${path}: ${reason(cause)}`, { cause });
  }
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
  let file: FileHandle;
  let bytes: number;
  try {
    // Size and bytes from one descriptor, so a file replaced meanwhile is read whole, old or new.
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    bytes = info.size;
  } catch (cause) {
    await file.close();
    throw new Error(`Cannot read model file ${path}: ${reason(cause)}`, { cause });
  }
  const invalid = (message: string) => new Error(`Invalid model file ${path}: ${message}`);
  if (bytes < 8 || bytes > MAX_MODEL_FILE_BYTES) {
    await file.close();
    throw invalid(
      bytes < 8
        ? `the file holds ${bytes} bytes, fewer than the 8 of the header length`
        : `the file holds ${bytes} bytes, more than the ${MAX_MODEL_FILE_BYTES} a model can need`,
    );
  }
  try {
    const headerBytes = readHeaderLength(await readExactly(file, 0, new Uint8Array(8)), bytes);
    const dataBytes = bytes - 8 - headerBytes;
    const header = parseHeader(
      await readExactly(file, 8, new Uint8Array(headerBytes)),
      dataBytes,
      MAX_HEADER_VALUES,
    );
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
  const values = allocate(total, 'parameters and optimizer state', false);
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
  for (const slot of slots) {
    if (!slot.nonNegative) continue;
    const end = slot.at + slot.length;
    for (let i = slot.at; i < end; i++) {
      if (values[i] < 0) {
        throw new SafetensorsError(
          `tensor '${slot.name}' holds ${values[i]} at index ${i - slot.at}; expected a non-negative number`,
        );
      }
    }
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

// --- paths and system errors

export function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidArgument('path', 'a file path', path);
  }
}
