// fit on a stream: batches { X, y } pulled from an iterable (a database cursor, a generator,
// datasets.streamCSV), read again from the start each epoch. Each batch is checked like fit's
// arrays, scaled like them, copied into buffers reused for the whole fit, and trained in batches of
// batchSize in the order the source gives its rows: the batches are exactly those of the array fit
// with shuffle off on the same rows (rows left over at the end of a source batch wait for the next
// one; the epoch's last batch may be smaller). The bookkeeping between epochs is train.ts's.
import type { FloatAllocator, TrainChunk, Trainer } from './engine/engine.js';
import { type DataShape, features, type TrainingData, targets } from './fit-data.js';
import type { Features, Targets } from './inputs.js';
import { validationWeights } from './sample-weights.js';
import { type InputScaling, scaleTargets } from './scaling.js';
import type { ScheduleState } from './schedule.js';
import { checkSchema, type TableSchema } from './schema.js';
import { EpochLoop, type FitLoop, type FitRequest, type FitTarget, type Trained } from './train.js';
import type { FitOptions, ResolvedFitOptions } from './train-options.js';
import { invalidArgument, isPlainObject } from './validate.js';

/** One batch of a stream: samples and their targets, as fit takes them. */
export interface Batch {
  X: Features;
  y: Targets;
}

/**
 * What fit trains on besides arrays: an iterable of batches (async or not) that starts again each
 * time it is iterated, or a function returning a fresh one (called once per epoch). A generator
 * object can be read only once: pass `() => batches()` for more than one epoch.
 */
export type BatchSource =
  | AsyncIterable<Batch>
  | Iterable<Batch>
  | (() => AsyncIterable<Batch> | Iterable<Batch>);

/**
 * True for what fit takes as a stream: a function, or an iterable that is not an array of rows,
 * given without targets (fit(source) or fit(source, options)); with anything else second, or with a
 * third argument, it is fit(X, y, options), whose checks name a bad X.
 */
export function isBatchSource(value: unknown, second?: unknown, third?: unknown): value is BatchSource {
  if (second !== undefined && !isPlainObject(second)) return false; // targets (or a bad y): fit(X, y)
  if (third !== undefined) return false; // fit(X, y, options): the array form, whatever X is
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    return false;
  }
  // a Map or Set is a collection passed as X by mistake far more often than a source of batches
  // (fit(set.values()) streams one): fit(X, y)'s checks name it
  if (value instanceof Map || value instanceof Set) return false;
  const o = value as Record<symbol, unknown>;
  return typeof o[Symbol.asyncIterator] === 'function' || typeof o[Symbol.iterator] === 'function';
}

/**
 * The schema a source carries (streamCSV's data.schema), checked against the network's inputs;
 * null when it has none.
 */
export function streamSchema(source: BatchSource, inputs: number): TableSchema | null {
  const schema = (source as { schema?: unknown }).schema;
  return schema === undefined || schema === null ? null : checkSchema(schema, inputs, 'source.schema');
}

/** The fit options that need the whole data set at once, refused for a stream with the reason. */
const WHOLE_DATA_OPTIONS: Record<string, string> = {
  validationSplit: 'pass validationData (arrays) instead',
  sampleWeight: 'it holds one weight per row of the whole data',
  classWeight: "'balanced' counts the whole data; weigh rows in the source instead",
};

/**
 * Refuses, before anything trains, the options a stream cannot honour (raw: whether the caller
 * set shuffle). `batchSize` must be a number; `shuffle` is the source's (streamCSV's shuffleBuffer).
 */
export function checkStreamOptions(raw: FitOptions | undefined, opts: ResolvedFitOptions): void {
  for (const [key, why] of Object.entries(WHOLE_DATA_OPTIONS)) {
    const value = raw?.[key as keyof FitOptions];
    if (value !== undefined && !(key === 'validationSplit' && value === 0)) {
      throw new TypeError(`Expected no ${key} when fit trains on a stream of batches (${why})`);
    }
  }
  if (raw?.shuffle === true) {
    throw new TypeError(
      "Expected no shuffle: true when fit trains on a stream of batches: rows train in the source's order (shuffle in the source, e.g. streamCSV's shuffleBuffer)",
    );
  }
  if (opts.batchSize === 'full') {
    throw invalidArgument(
      'batchSize',
      "a number of rows for a stream of batches ('full' needs the whole data)",
      'full',
    );
  }
  if (opts.schedule?.name === 'cosine') {
    throw new TypeError(
      "Expected a schedule other than 'cosine' when fit trains on a stream of batches: cosine spans the fit's steps, unknown before the stream is read",
    );
  }
}

/** The checked validation data of a stream fit (validationData only), scaled like the batches. */
export function streamValidation(opts: ResolvedFitOptions, shape: DataShape): TrainingData['validation'] {
  if (!opts.validationData) return null;
  const X = features(opts.validationData[0], 'validationData[0]', shape);
  const Y = targets(opts.validationData[1], 'validationData[1]', X.rows, shape);
  return { X, Y, weights: validationWeights(opts.validationSampleWeight, X.rows) };
}

/**
 * Views of one buffer from an engine's allocator, replaced by a larger one only when a request
 * exceeds it: what features and targets need to convert a batch (floats and the check), no more.
 */
class Staging implements FloatAllocator {
  private buffer: Float32Array;
  constructor(
    private readonly from: FloatAllocator,
    size: number,
  ) {
    this.buffer = from.allocateFloat32(size);
  }

  /** n zeroed elements (what toTargets expects of a fresh array). */
  allocateFloat32(n: number): Float32Array {
    if (n > this.buffer.length) this.buffer = this.from.allocateFloat32(n);
    const view = this.buffer.subarray(0, n);
    view.fill(0);
    return view;
  }

  scanFinite(src: Float32Array, dst: Float32Array | null): number {
    return this.from.scanFinite(src, dst);
  }
}

/** What the stream fit restores after a bad batch or a failing source: the network as before the fit. */
interface Snapshot {
  params: Float32Array;
  state: Float32Array;
  rng: Uint32Array | null;
  steps: number;
  scheduleState: ScheduleState | null;
}

export class StreamFit extends EpochLoop {
  private readonly trainer: Trainer;
  private readonly batchSize: number;
  private readonly inX: Staging;
  private readonly inY: Staging;
  /** Rows left over from the last source batch, waiting for a full batch. */
  private readonly pendingX: Float32Array;
  private readonly pendingY: Float32Array;
  private pending = 0;
  /** One engine call's arguments and results, reused. */
  private readonly call: TrainChunk;
  private readonly start: Snapshot;
  /** The epoch so far: loss (times rows for a mean loss), metric sum, rows, step count. */
  private epochLoss = 0;
  private epochMetric = 0;
  private epochRows = 0;
  private stepNow: number;
  /** The iterator being read, until it is done (closed by close() otherwise). */
  private iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;

  constructor(
    target: FitTarget,
    private readonly source: BatchSource,
    options: ResolvedFitOptions,
    validation: TrainingData['validation'],
    private readonly shape: DataShape,
    private readonly targetScaling: InputScaling | null,
    /** fitSync: the source must be a synchronous iterable. */
    private readonly sync: boolean,
  ) {
    super(target, options, validation, true, 1, 1);
    this.batchSize = options.batchSize as number; // checkStreamOptions refused 'full'
    this.trainer = target.trainer(this.batchSize);
    const { inputs, outputs } = shape;
    this.inX = new Staging(target.allocator, this.batchSize * inputs);
    this.inY = new Staging(target.allocator, this.batchSize * outputs);
    this.pendingX = target.allocator.allocateFloat32(this.batchSize * inputs);
    this.pendingY = target.allocator.allocateFloat32(this.batchSize * outputs);
    this.call = {
      X: this.pendingX,
      Y: this.pendingY,
      rows: 0,
      order: null,
      epochs: 1,
      batchSize: this.batchSize,
      step: 0,
      losses: new Float64Array(1),
      metric: new Float64Array(1),
      schedule: null,
      rng: target.rng,
      learningRates: new Float64Array(1),
      weights: null,
    };
    this.stepNow = target.steps;
    this.start = {
      params: target.params.slice(),
      state: target.state.slice(),
      rng: target.rng ? target.rng.slice() : null,
      steps: target.steps,
      scheduleState: target.scheduleState,
    };
  }

  loop(): FitLoop {
    return this.run();
  }

  /** Ends the iteration the fit left open (an error, an abort mid-epoch): a cursor is released. */
  async close(): Promise<void> {
    const iterator = this.iterator;
    this.iterator = null;
    await iterator?.return?.();
  }

  /** One epoch: every batch of the source, then the rows left over as the last batch. */
  protected *trainChunk(): Generator<FitRequest, Trained, unknown> {
    this.epochLoss = 0;
    this.epochMetric = 0;
    this.epochRows = 0;
    this.pending = 0;
    try {
      const iterator = this.open();
      this.iterator = iterator;
      for (let index = 0; ; index++) {
        const result = (yield { kind: 'pull', iterator }) as IteratorResult<unknown> | unknown;
        if (result === null || typeof result !== 'object') {
          throw invalidArgument(`the source's next()`, '{ value, done }', result);
        }
        if ((result as IteratorResult<unknown>).done) break;
        yield* this.take((result as IteratorResult<unknown>).value, index);
        if (!Number.isFinite(this.call.losses[0])) break; // diverged: run() undoes the epoch
        // an abort ends a long epoch here; the rows trained so far count as the epoch
        if (this.options.signal?.aborted) break;
      }
      if (this.epochRows === 0 && this.pending === 0) {
        throw new RangeError(
          `Expected the source to give at least one batch in epoch ${this.history.epochs} but it gave none`,
        );
      }
    } catch (error) {
      this.restoreStart();
      throw error;
    }
    const diverged = !Number.isFinite(this.call.losses[0]);
    if (!diverged) {
      if (!this.options.signal?.aborted) this.iterator = null; // read to its end
      if (this.pending > 0) yield* this.trainRows(this.pendingX, this.pendingY, this.pending);
    }
    this.losses[0] = diverged
      ? this.call.losses[0]
      : this.target.sumLoss
        ? this.epochLoss
        : this.epochLoss / this.epochRows;
    this.metric[0] = this.epochMetric;
    this.learningRates[0] = this.call.learningRates?.[0] ?? 0;
    return { epochs: 1, rows: this.epochRows, step: this.stepNow };
  }

  /** This epoch's iterator: from the function, or from the iterable (which must start anew each epoch). */
  private open(): Iterator<unknown> | AsyncIterator<unknown> {
    const called = typeof this.source === 'function';
    const iterable: unknown = called ? (this.source as () => unknown)() : this.source;
    const name = called ? 'source()' : 'source';
    const o = (iterable ?? {}) as Record<symbol, unknown>;
    const isAsync = typeof o[Symbol.asyncIterator] === 'function';
    if (this.sync && typeof o[Symbol.iterator] !== 'function') {
      throw invalidArgument(
        name,
        'a synchronous iterable of batches for fitSync (an async one needs fit())',
        iterable,
      );
    }
    if (!isAsync && typeof o[Symbol.iterator] !== 'function') {
      throw invalidArgument(name, 'an iterable or async iterable of { X, y } batches', iterable);
    }
    const iterator = (
      isAsync && !this.sync
        ? (o[Symbol.asyncIterator] as () => AsyncIterator<unknown>).call(iterable)
        : (o[Symbol.iterator] as () => Iterator<unknown>).call(iterable)
    ) as Iterator<unknown> | AsyncIterator<unknown>;
    if (!called && this.options.epochs > 1 && (iterator as unknown) === iterable) {
      throw new TypeError(
        `Expected a source that starts anew each epoch for ${this.options.epochs} epochs but received an iterator (a generator object can be read once): pass a function returning a fresh one, e.g. fit(() => batches(), options)`,
      );
    }
    return iterator;
  }

  /** Checks one source batch into the staging buffers, then trains it in batches of batchSize. */
  private *take(batch: unknown, index: number): Generator<FitRequest, void, unknown> {
    const name = `batch[${index}]`;
    if (batch === null || typeof batch !== 'object' || !('X' in batch) || !('y' in batch)) {
      throw invalidArgument(name, 'an object { X, y } (samples and their targets)', batch);
    }
    const { X, y } = batch as Batch;
    const { inputs: cols, outputs } = this.shape;
    // copied into the staging buffer (and scaled there), as the array fit copies its data
    const m = features(X, `${name}.X`, this.shape, this.inX);
    const scaledY = this.targetScaling ? scaleTargets(y, this.targetScaling) : y;
    const Y = targets(scaledY, `${name}.y`, m.rows, this.shape, this.inY);
    const rows = m.rows;
    const bs = this.batchSize;
    let r = 0;
    if (this.pending > 0) {
      r = Math.min(bs - this.pending, rows);
      this.pendingX.set(m.data.subarray(0, r * cols), this.pending * cols);
      this.pendingY.set(Y.subarray(0, r * outputs), this.pending * outputs);
      this.pending += r;
      if (this.pending < bs) return;
      this.pending = 0;
      yield* this.trainRows(this.pendingX, this.pendingY, bs);
    }
    const full = Math.floor((rows - r) / bs) * bs;
    if (full > 0) {
      const X0 = m.data.subarray(r * cols, (r + full) * cols);
      yield* this.trainRows(X0, Y.subarray(r * outputs, (r + full) * outputs), full);
      r += full;
    }
    if (r < rows) {
      this.pendingX.set(m.data.subarray(r * cols, rows * cols));
      this.pendingY.set(Y.subarray(r * outputs, rows * outputs));
      this.pending = rows - r;
    }
  }

  /** One engine call on `rows` rows (whole batches, or the epoch's last rows), booked into the epoch. */
  private *trainRows(X: Float32Array, Y: Float32Array, rows: number): Generator<FitRequest, void, unknown> {
    const call = this.call;
    call.X = X;
    call.Y = Y;
    call.rows = rows;
    call.step = this.stepNow;
    const schedule = this.schedule?.chunk() ?? null;
    // the schedule stands at the epoch's start; its position moves with the steps taken since
    if (schedule) schedule.position += this.stepNow - this.step;
    call.schedule = schedule;
    this.stepNow = (yield { kind: 'train', trainer: this.trainer, chunk: call }) as number;
    const loss = call.losses[0];
    this.epochLoss += this.target.sumLoss ? loss : loss * rows;
    this.epochMetric += call.metric?.[0] ?? 0;
    this.epochRows += rows;
  }

  /** The network as it was before the fit: weights, optimizer state, steps, dropout stream, schedule. */
  private restoreStart(): void {
    const { params, state, rng, steps, scheduleState } = this.start;
    this.target.params.set(params);
    this.target.state.set(state);
    if (rng && this.target.rng) this.target.rng.set(rng);
    this.target.advance(steps);
    this.target.setScheduleState(scheduleState);
  }
}
