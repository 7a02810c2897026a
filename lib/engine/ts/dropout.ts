// Dropout of the TS engine: masks drawn from the chunk's xoshiro128** state (a Uint32Array of 4
// words, advanced in place) in the order engine.ts specifies, so the native engine
// (native/core/dropout.cpp) draws the same masks from the same state.
import { checkArray, checkFixedLength, checkLength } from './checks.js';

/** Words below this are dropped: floor(p * 2^32), exact for any p in [0, 1). */
export function dropoutThreshold(p: number): number {
  return Math.floor(p * 4294967296);
}

/** What a kept element is multiplied by: 1 / (1 - p) rounded once to float32. */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/**
 * Fills mask[0, n) with scale (kept) or 0 (dropped), one xoshiro128** word per element in order;
 * the state's four words are read once and written back once.
 */
export function drawMask(
  rng: Uint32Array,
  mask: Float32Array,
  n: number,
  threshold: number,
  scale: number,
): void {
  let s0 = rng[0] | 0;
  let s1 = rng[1] | 0;
  let s2 = rng[2] | 0;
  let s3 = rng[3] | 0;
  for (let i = 0; i < n; i++) {
    // xoshiro128** (lib/random.ts nextUint32), with the state in locals
    const r = Math.imul(s1, 5);
    const word = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    mask[i] = word >= threshold ? scale : 0;
  }
  rng[0] = s0;
  rng[1] = s1;
  rng[2] = s2;
  rng[3] = s3;
}

/** out[i] = a[i] * mask[i] for i in [0, n) (float32 products). */
export function applyMask(out: Float32Array, a: Float32Array, mask: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] * mask[i];
}

/** A chunk's generator state: a Uint32Array of (at least) 4 words, not all zero (as the addon's). */
export function checkRng(rng: unknown): Uint32Array {
  checkArray('rng', rng, Uint32Array);
  const words = rng as Uint32Array;
  checkFixedLength('rng', words, 'Uint32Array');
  checkLength('rng', words, 4, 'the 4 words of a xoshiro128** state');
  if ((words[0] | words[1] | words[2] | words[3]) === 0) {
    throw new RangeError('Expected a xoshiro128** state not all zero for rng but received all zeros');
  }
  return words;
}
