// The arrays a fit owns (its copy of X, Y, the shuffled order, the weights), recycled from one fit
// to the next: a training loop that calls fit() epoch by epoch would otherwise allocate and first-
// touch a fresh copy of its data every call, which costs about as much as an epoch (page faults on
// tens of MB; bench/api-speed.ts). The previous fit's arrays are kept for SPARE_GRACE_MS after it
// settles: fits back to back, or separated by other awaits (a log write, a timer: Benchmark.js
// samples a fit per setTimeout), reuse them, and a network that is not fitted again lets them go
// then (freed with the garbage, as before). Between fits that is at most one copy of the rows, as
// during one. The loop's copies of the weights and optimizer state (what undoes a diverging chunk)
// are recycled the same way: 22 MB of fresh pages a fit for 784-1024-1024-10 with Adam otherwise.
import type { Allocator } from './engine/engine.js';

/**
 * How long the last fit's arrays wait for the next fit, in ms. Long enough for a loop that awaits
 * something between one-epoch fits; short enough that an idle network soon holds no copy.
 */
export const SPARE_GRACE_MS = 1000;

/** copy: a copy of the weights or optimizer state, a fixed size whatever the rows (not in spareBytes). */
type Kind = 'float32' | 'uint32' | 'copy';
type Array32 = Float32Array | Uint32Array;

export class FitArrays implements Allocator {
  /** Handed out to the running fit. */
  private inUse: { kind: Kind; array: Array32 }[] = [];
  /** The last fit's, free to hand out again until `release` runs. */
  private spare: { kind: Kind; array: Array32 }[] = [];
  private release: NodeJS.Timeout | null = null;

  /**
   * source: where new arrays come from (the engine: addon memory its async calls read in place).
   * graceMs: how long a settled fit's arrays stay spare (SPARE_GRACE_MS).
   */
  constructor(
    private readonly source: Allocator,
    private readonly graceMs = SPARE_GRACE_MS,
  ) {}

  /** A fit starts: the last fit's arrays stay available to it. */
  begin(): void {
    if (this.release !== null) clearTimeout(this.release);
    this.release = null;
  }

  /** The fit settled: its arrays are spare for graceMs, or until the next fit takes them. */
  end(): void {
    this.spare.push(...this.inUse);
    this.inUse = [];
    if (this.release === null && this.spare.length > 0) {
      this.release = setTimeout(() => this.drop(), this.graceMs);
      this.release.unref(); // never keeps the process alive
    }
  }

  /** Lets every spare array go now (Network.dispose). */
  drop(): void {
    if (this.release !== null) clearTimeout(this.release);
    this.release = null;
    this.spare = [];
  }

  /** How many arrays of the rows are spare now (tests). */
  get spareCount(): number {
    return this.perRow(this.spare).length;
  }

  /** Bytes of the spare copies of the weights and optimizer state (allocateCopy). */
  get spareCopyBytes(): number {
    return bytes(this.spare.filter((s) => s.kind === 'copy'));
  }

  /**
   * Bytes of the spare arrays: right after a fit settles, every array it took (its copy of X,
   * the targets, the shuffled order, the row weights). The bench's and tests' count of what a
   * fit holds per row (bench/fit-memory-parts.ts, test/89).
   */
  get spareBytes(): number {
    return bytes(this.perRow(this.spare));
  }

  allocateFloat32(n: number, overwrite = false): Float32Array {
    return this.take('float32', n, !overwrite) as Float32Array;
  }

  allocateUint32(n: number): Uint32Array {
    return this.take('uint32', n, true) as Uint32Array;
  }

  /**
   * n floats for a copy of the weights or optimizer state (the caller overwrites all of them
   * before reading): the last fit's when its length matches, else new.
   */
  allocateCopy(n: number): Float32Array {
    return this.take('copy', n, false) as Float32Array;
  }

  scanFinite(src: Float32Array, dst: Float32Array | null): number {
    return this.source.scanFinite(src, dst);
  }

  private perRow(list: { kind: Kind; array: Array32 }[]): { kind: Kind; array: Array32 }[] {
    return list.filter((s) => s.kind !== 'copy');
  }

  /**
   * A spare array of this kind and exact length, zeroed (the allocator's contract) unless `zero`
   * is false (the caller overwrites all of it), else a new one.
   */
  private take(kind: Kind, n: number, zero: boolean): Array32 {
    const at = this.spare.findIndex((s) => s.kind === kind && s.array.length === n);
    let array: Array32;
    if (at >= 0) {
      array = this.spare[at].array;
      this.spare.splice(at, 1);
      if (zero) array.fill(0);
    } else {
      array = kind === 'uint32' ? this.source.allocateUint32(n) : this.source.allocateFloat32(n);
    }
    this.inUse.push({ kind, array });
    return array;
  }
}

const bytes = (list: { array: Array32 }[]): number => list.reduce((sum, s) => sum + s.array.byteLength, 0);
