// The safetensors format (F32 written; F32 read, and F64, F16, BF16 when a caller asks), and nothing about networks: an 8-byte little-endian u64 header
// length N, N bytes of JSON header (starts with '{', space-padded so the data is 8-byte aligned),
// then the tensors' raw little-endian bytes, contiguous, row-major, with no holes. The reader
// checks every claim in the header against the real data size before anything is allocated.
import { endianness } from 'node:os';

/** Readers cap the header (the reference implementation uses the same 100 MB limit). */
export const MAX_HEADER_BYTES = 100_000_000;
/** Deepest JSON nesting accepted in the header or a metadata value (ours needs 3). */
export const MAX_JSON_DEPTH = 32;

export const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A format violation; the caller prefixes it with the file's name. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Bytes per element of each dtype a reader may accept; only F32 is ever written. */
export const DTYPE_BYTES = { F32: 4, F64: 8, F16: 2, BF16: 2 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;

export interface TensorEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte offsets relative to the start of the data section: [begin, end). */
  begin: number;
  end: number;
}

export interface Header {
  /** Sorted by offset; they tile the data section exactly. */
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

// --- writing

/**
 * The 8-byte length and the JSON header for tensors laid out in the given order, padded with
 * spaces so that the data section starts at a multiple of 8 bytes.
 */
export function encodeHeader(
  tensors: readonly { name: string; shape: readonly number[] }[],
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { name, shape } of tensors) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/**
 * A whole file in one buffer: the header, then each tensor's values in the given order, copied
 * (so the bytes are a snapshot, whatever happens to the arrays afterwards).
 */
export function encodeFile(
  tensors: readonly { name: string; shape: readonly number[]; values: Float32Array }[],
  metadata: Record<string, string>,
): Uint8Array {
  const header = encodeHeader(tensors, metadata);
  const dataBytes = tensors.reduce((sum, t) => sum + t.values.byteLength, 0);
  // Not zero-filled: the header and the tensors that follow it write every byte.
  let out: Uint8Array;
  try {
    out = new Uint8Array(Buffer.allocUnsafeSlow(header.length + dataBytes).buffer);
  } catch (cause) {
    throw new RangeError(`Could not allocate ${header.length + dataBytes} bytes for the file's contents`, {
      cause,
    });
  }
  out.set(header);
  let at = header.length; // a multiple of 8: the header is padded
  for (const { values } of tensors) {
    if (LITTLE_ENDIAN_HOST) new Float32Array(out.buffer, at, values.length).set(values);
    else {
      const view = new DataView(out.buffer, at, values.byteLength);
      for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    }
    at += values.byteLength;
  }
  return out;
}

// --- reading

/** N from the first 8 bytes, checked against the cap and the size of the file. */
export function readHeaderLength(first8: Uint8Array, fileBytes: number): number {
  const claimed = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`header length ${claimed} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(claimed);
  if (n > fileBytes - 8) {
    throw new SafetensorsError(`header length ${n} exceeds the file size ${fileBytes}`);
  }
  if (n < 2) throw new SafetensorsError(`header length ${n} is too small for a JSON object`);
  return n;
}

/**
 * Parses and checks the header; dataBytes is the size of the data section that follows it,
 * maxValues the most JSON values (tensor fields, metadata entries) the caller can need: the
 * bytes are counted before they are decoded, so a header of millions of entries costs one scan.
 */
export function parseHeader(
  bytes: Uint8Array,
  dataBytes: number,
  maxValues: number,
  dtypes: readonly Dtype[] = ['F32'],
): Header {
  checkStructure((i) => bytes[i], bytes.length, 'header', maxValues);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError(`header does not start with '{'`);
  const root = parseChecked(text, 'header');
  if (!isRecord(root)) throw new SafetensorsError('header is not a JSON object');
  const metadata: Record<string, string> = Object.create(null);
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(root)) {
    if (name === '__metadata__') {
      if (!isRecord(value)) throw new SafetensorsError(`'__metadata__' is not an object of strings`);
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new SafetensorsError(`metadata '${key}' is not a string`);
        metadata[key] = v;
      }
    } else {
      tensors.push(parseEntry(name, value, dataBytes, dtypes));
    }
  }
  checkTiling(tensors, dataBytes);
  return { tensors, metadata };
}

function parseEntry(name: string, value: unknown, dataBytes: number, dtypes: readonly Dtype[]): TensorEntry {
  const where = `tensor '${clip(name)}'`;
  if (!isRecord(value)) throw new SafetensorsError(`${where} is not an object`);
  for (const key of Object.keys(value)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') {
      throw new SafetensorsError(`${where} has an unknown field '${clip(key)}'`);
    }
  }
  const dtype = value.dtype as Dtype;
  if (!dtypes.includes(dtype)) {
    const accepted = dtypes.length === 1 ? `${dtypes[0]} only` : `${dtypes.join(', ')} only`;
    throw new SafetensorsError(`${where} has dtype ${brief(value.dtype)}; fastmlp reads ${accepted}`);
  }
  const size = DTYPE_BYTES[dtype];
  const { shape, data_offsets: offsets } = value;
  if (!Array.isArray(shape) || shape.length > 8 || !shape.every(isCount)) {
    throw new SafetensorsError(`${where} has shape ${brief(shape)}; expected up to 8 non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new SafetensorsError(`${where} has data_offsets ${brief(offsets)}; expected [begin, end] integers`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end || end > dataBytes) {
    throw new SafetensorsError(
      `${where} has data_offsets [${begin}, ${end}] outside the data section of ${dataBytes} bytes`,
    );
  }
  // Multiply with a bound so a hostile shape can neither overflow nor be believed.
  let elements = (shape as number[]).includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (elements > dataBytes) break;
    elements *= d;
  }
  if (elements * size !== end - begin) {
    throw new SafetensorsError(
      `${where} has shape [${shape.join(', ')}] which needs ${elements > dataBytes ? 'more than the file holds' : `${elements * size} bytes`} but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

/** Sorted by offset, the tensors must follow each other with no gap or overlap and fill the data. */
function checkTiling(tensors: TensorEntry[], dataBytes: number): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of tensors) {
    if (t.begin < at) {
      throw new SafetensorsError(`tensor '${clip(t.name)}' at bytes [${t.begin}, ${t.end}) overlaps another`);
    }
    if (t.begin > at) throw new SafetensorsError(`the data section has a hole at bytes [${at}, ${t.begin})`);
    at = t.end;
  }
  if (at !== dataBytes) {
    throw new SafetensorsError(
      `the tensors cover ${at} bytes but the data section holds ${dataBytes} (a hole or trailing bytes)`,
    );
  }
}

/** Little-endian float32 bytes (any alignment) as floats. */
export function decodeFloats(bytes: Uint8Array): Float32Array {
  const count = bytes.byteLength >>> 2;
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  }
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Little-endian values of any readable dtype as float32: F16 and BF16 widen exactly, F64 rounds to
 * the nearest float32 (a value beyond float32's range becomes an infinity, for the caller to refuse).
 */
export function decodeAsFloat32(bytes: Uint8Array, dtype: Dtype): Float32Array {
  if (dtype === 'F32') return decodeFloats(bytes);
  const count = bytes.byteLength / DTYPE_BYTES[dtype];
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  else {
    // bfloat16 is the top half of a float32's bits
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

/** IEEE 754 binary16 bits as a number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// --- JSON, defensively

/**
 * JSON.parse after a linear scan that rejects nesting deeper than MAX_JSON_DEPTH and more than
 * `maxValues` values, so a hostile text can neither recurse deeply nor make JSON.parse build
 * millions of objects: what the scan refuses costs at most one pass, stopped at the first excess.
 */
export function parseJSONText(text: string, what: string, maxValues: number): unknown {
  checkStructure((i) => text.charCodeAt(i), text.length, what, maxValues);
  return parseChecked(text, what);
}

function parseChecked(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SafetensorsError(`${what} is not valid JSON (${(cause as Error).message})`);
  }
}

/**
 * Depth and size of a JSON text, from its code units (UTF-16 or UTF-8 bytes alike: the
 * characters looked at are ASCII, never part of a multi-byte sequence). Values are counted as
 * the '[', '{' and ',' outside strings, an upper bound on what JSON.parse would allocate.
 */
function checkStructure(
  codeAt: (i: number) => number,
  length: number,
  what: string,
  maxValues: number,
): void {
  let depth = 0;
  let values = 1;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = codeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b || c === 0x2c) {
      if (++values > maxValues) {
        throw new SafetensorsError(
          `${what} holds more than ${maxValues} JSON values; no network needs that many`,
        );
      }
      if (c !== 0x2c && ++depth > MAX_JSON_DEPTH) {
        throw new SafetensorsError(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A short rendering of a value from an untrusted header for an error message. */
export function brief(value: unknown): string {
  if (typeof value === 'string') return `'${clip(value)}'`;
  if (Array.isArray(value)) {
    return value.length <= 8 && value.every((v) => typeof v === 'number')
      ? `[${value.join(', ')}]`
      : `an array of length ${value.length}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value === undefined ? 'missing' : 'an object';
}

export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
