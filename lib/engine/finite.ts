// Engine.scanFinite in TypeScript (the TS engine's, and the native engine's when its addon has
// none): the index of the first non-finite value of src, or -1, copying src into dst on the way.

/**
 * v - v is 0 for a finite v and NaN for NaN or +-Infinity: sums of it over blocks tell whether a
 * block holds a non-finite value without a branch per element (four sums let V8 pipeline the
 * loop); only such a block is searched value by value.
 */
export function scanFinite(src: Float32Array, dst: Float32Array | null): number {
  if (dst !== null) {
    if (dst.length < src.length) {
      throw new RangeError(
        `Expected a dst of length >= ${src.length} (src's length) but received ${dst.length}`,
      );
    }
    dst.set(src);
  }
  const n = src.length;
  const BLOCK = 4096;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      s0 += src[i] - src[i];
      s1 += src[i + 1] - src[i + 1];
      s2 += src[i + 2] - src[i + 2];
      s3 += src[i + 3] - src[i + 3];
    }
    for (; i < end; i++) s0 += src[i] - src[i];
    if (s0 + s1 + s2 + s3 === 0) continue;
    for (let j = start; j < end; j++) if (!Number.isFinite(src[j])) return j;
  }
  return -1;
}
