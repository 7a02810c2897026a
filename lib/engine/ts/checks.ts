// Size guards of the TS engine. The engine does not validate user input (lib/validate.ts does),
// but it must never loop forever or index out of bounds on inconsistent sizes: these throw a
// RangeError naming the argument instead.

/** value must be an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`Expected ${name} to be an integer ${range} but received ${String(value)}`);
  }
}

/** array must hold at least `needed` elements. */
export function checkLength(name: string, array: ArrayLike<number>, needed: number): void {
  if (array.length < needed) {
    throw new RangeError(`Expected ${name} to have at least ${needed} elements but received ${array.length}`);
  }
}
