// The one validation module: small predicates and one message shape for every bad argument,
// "Expected <what> for <name> but received <value>". Checks run before any state changes.
// The rule for error classes, everywhere: a wrong type is a TypeError; a value of the right type
// that is non-finite, out of range or not one of the names allowed is a RangeError.
import { inRange, type NumberRange } from './engine/contract.js';

/** Describes a received value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (typeof value === 'boolean' || typeof value === 'bigint')
    return `${String(value)} of type ${typeof value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return `a ${value.constructor.name} of length ${length}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}

export function invalidArgument(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function outOfRange(name: string, expected: string, actual: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

// --- predicates -----------------------------------------------------------------------------

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Stays finite when stored as float32 (|v| <= 3.4028235e38 after rounding): 1e300 does not. */
export const isFiniteFloat32 = (v: number): boolean => Number.isFinite(Math.fround(v));
export const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

// --- guards that throw ----------------------------------------------------------------------

export function expectObject(value: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidArgument(name, 'an object', value);
  return value;
}

/** An integer in 1..max (max from the contract): a TypeError when no number, else a RangeError. */
export function expectPositiveInteger(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number') throw invalidArgument(name, 'a positive integer', value);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw outOfRange(name, `an integer in 1..${max}`, value);
  }
  return value;
}

export function expectNumber(
  value: unknown,
  name: string,
  expected: string,
  ok: (v: number) => boolean,
): number {
  if (typeof value !== 'number') throw invalidArgument(name, expected, value);
  if (!Number.isFinite(value) || !ok(value)) throw outOfRange(name, expected, value);
  return value;
}

/** A number inside one of the contract's ranges (lib/engine/contract.ts), stated in its words. */
export function expectInRange(value: unknown, name: string, range: NumberRange): number {
  if (typeof value !== 'number') throw invalidArgument(name, range.expected, value);
  if (!inRange(range, value)) throw outOfRange(name, range.expected, value);
  return value;
}

export function expectBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(name, 'a boolean', value);
  return value;
}

export function expectOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    const list = allowed.map((a) => `'${a}'`).join(', ');
    const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
    const error = invalidArgument(name, `one of ${list}`, value);
    error.message += hint;
    throw typeof value === 'string' ? new RangeError(error.message) : error;
  }
  return value as T;
}

/** Rejects keys of options that are not in allowed, naming the closest valid key. */
export function rejectUnknownKeys(
  options: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`Unknown option '${key}' for ${where}${didYouMean(key, allowed)}`);
    }
  }
}

function didYouMean(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
