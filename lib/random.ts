// Seeded pseudo-random numbers: every random choice in fastmlp (initial weights, shuffles, data
// generators, splits) flows from one of these, so the same seed gives the same run.
// xoshiro128** (Blackman & Vigna, 2018), seeded through splitmix32; 32-bit integer math only.

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small seed over the 128-bit state
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The generator's position: four 32-bit words (a pending normal draw is not kept). */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Continues from a position getState() returned. */
  setState(state: readonly number[]): void {
    // Array.from: a hole of a sparse array reads as undefined (every alone would skip it)
    if (state.length !== 4 || !Array.from(state).every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw new RangeError(
        `Expected four 32-bit unsigned integers for state but received ${JSON.stringify(state)}`,
      );
    }
    if (state.every((w) => w === 0))
      throw new RangeError('Expected a non-zero state for state but received all zeros');
    [this.s0, this.s1, this.s2, this.s3] = state;
    this.spareNormal = null;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** Normal(mean, std) by the Box-Muller transform; the second value is kept for the next call. */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle of out[offset, offset + n) in place. */
  shuffle(out: Uint32Array | number[], n = out.length, offset = 0): void {
    this.shuffleSteps(out, offset, n - 1, 0);
  }

  /**
   * Steps i = from, from - 1, ..., to + 1 of shuffle(out, n, offset), whose steps run from n - 1
   * down to 1: parts that cover them in order leave out, and the generator, exactly as one
   * shuffle does, so a long shuffle can be split across turns of the event loop (train.ts).
   */
  shuffleSteps(out: Uint32Array | number[], offset: number, from: number, to: number): void {
    for (let i = from; i > to; i--) {
      const j = offset + this.int(i + 1);
      const tmp = out[offset + i] as number;
      out[offset + i] = out[j] as number;
      out[j] = tmp;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
