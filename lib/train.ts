// The fit loop: splits training into chunks of whole epochs handed to the engine in one call,
// and between chunks does what needs TS: history, validation, callbacks, early stopping,
// logging, abort. One generator owns all of it; fitSync and fit only differ in how they answer
// its requests (run a chunk here or off the event loop, settle a callback's promise or refuse it).
import { channel } from 'node:diagnostics_channel';
import { RANGES, type TaskName } from './engine/contract.js';
import type { Allocator, TrainChunk, Trainer } from './engine/engine.js';
import type { TrainingData } from './fit-data.js';
import type { Matrix } from './inputs.js';
import { type Evaluation, evaluationOf } from './metrics.js';
import type { Random } from './random.js';
import { type InputScaling, unscaleOutputs } from './scaling.js';
import { FitSchedule, type ScheduleState } from './schedule.js';
import type { EpochLogs, ResolvedFitOptions } from './train-options.js';

export type StopReason = 'completed' | 'early-stopping' | 'callback' | 'aborted';

export interface History {
  /** Per-epoch training loss (each batch's loss taken before its update, as the seeds print it). */
  loss: number[];
  /**
   * Per-epoch training accuracy, counted like the loss: each batch before its update. binary and
   * multiclass: samples classified right; multilabel: labels right (each at 0.5), over all samples
   * and labels. Empty for regression (see mae).
   */
  accuracy: number[];
  val_loss: number[];
  /** evaluate's accuracy on the validation data after each epoch (classification tasks). */
  val_accuracy: number[];
  /**
   * Per-epoch training mean absolute error, counted like the loss (regression only; else empty).
   * In the targets' units when the network has targetScaling (the engines measure it on the
   * standardized scale; it is multiplied by the target's std, or by the mean of the outputs' stds
   * when several outputs have different ones, where val_mae is the exact figure).
   */
  mae: number[];
  /** evaluate's mae on the validation data after each epoch (regression only), in the targets' units. */
  val_mae: number[];
  /** Epochs actually run. */
  epochs: number;
  stopReason: StopReason;
  /** The epoch (0-based) early stopping judged best, or -1. */
  bestEpoch: number;
  /** Per epoch, the learning rate its last optimizer step used (the optimizer's rate without a schedule). */
  learningRate: number[];
}

/** What the loop needs from the network: its buffers and steps, a trainer, and evaluation. */
export interface FitTarget {
  readonly params: Float32Array;
  readonly state: Float32Array;
  /** Optimizer steps taken before this fit. */
  readonly steps: number;
  /** Decides the training metric: accuracy, or mae for regression. */
  readonly task: TaskName;
  /**
   * The loss is bce or cross-entropy: chunks of one epoch, as fit has always run them (the event
   * loop turns between epochs on the TS engine). The training metric does not need it: the engines
   * report it for every epoch of a chunk.
   */
  readonly classification: boolean;
  trainer(batchSize: number): Trainer;
  /** Where the loop's shuffled order comes from (the engine's allocator: read in place by async calls). */
  readonly allocator: Allocator;
  /** n floats for the loop's copy of params or state, contents undefined (FitArrays.allocateCopy: recycled across fits). */
  copyBuffer(n: number): Float32Array;
  /** weights: null, or one per row (validationSampleWeight). */
  evaluate(data: Matrix, Y: Float32Array, weights: Float32Array | null): Evaluation;
  /** evaluate's loss alone, the outputs written into out (rows x outputs): a block of a larger evaluation. */
  evaluateInto(data: Matrix, Y: Float32Array, weights: Float32Array | null, out: Float32Array): number;
  /** The loss is a sum over rows (sse, half-sse), not a mean: blocks' losses add. */
  readonly sumLoss: boolean;
  /** Records the step count after a chunk is accepted, before history and callbacks see it. */
  advance(steps: number): void;
  /** The optimizer's learning rate (what a schedule scales). */
  readonly learningRate: number;
  /** The dropout generator's 4 words, live (the engine advances them); null: no layer has dropout. */
  readonly rng: Uint32Array | null;
  /** Where the last fit's schedule stopped. */
  readonly scheduleState: ScheduleState | null;
  /** Records where this fit's schedule stands (null: this fit has none) after a chunk is accepted. */
  setScheduleState(state: ScheduleState | null): void;
  /**
   * A regression target's scaling (net.targetScaling: fit trains on standardized targets): mae and
   * val_mae are then reported in the targets' units, as evaluate reports them. Absent or null: none.
   */
  readonly targetScaling?: InputScaling | null;
}

/**
 * What the loop asks of its driver. 'train': run the chunk on the trainer and answer with the
 * step count it returns. 'settle': onEpochEnd returned this promise; answer with its value, or
 * with undefined once `signal` aborts (the callback is abandoned; the loop then stops as aborted).
 * 'turn': the loop has done a slice of work on the calling thread (at most SLICE_WORK); fit lets
 * the event loop turn before answering, fitSync answers at once. 'pull': a stream fit wants the
 * iterator's next result (fit awaits it; fitSync takes it only when it is not a promise).
 */
export type FitRequest =
  | { kind: 'train'; trainer: Trainer; chunk: TrainChunk }
  | { kind: 'pull'; iterator: Iterator<unknown> | AsyncIterator<unknown> }
  | { kind: 'settle'; answer: Promise<unknown>; signal: AbortSignal | null }
  | { kind: 'turn' };

export type FitLoop = Generator<FitRequest, History, unknown>;

/** Work handed to the engine per call, in multiply-adds; bounds how long a chunk blocks (TS engine). */
const CHUNK_WORK = 2e7;
/**
 * The most work, in multiply-adds (rows x parameters), the loop does on the calling thread
 * between two turns of the event loop: validation is evaluated in blocks of rows this size, so
 * a server's event loop is not stalled by a large validation set (fit; fitSync runs the same
 * blocks without turns, so both give the same history).
 */
export const SLICE_WORK = CHUNK_WORK;
/**
 * The most entries of a chunk's shuffled order the loop writes between two turns of the event
 * loop (fit), counting each index filled in and each shuffle step: the order holds one epoch's
 * rows or up to MAX_ORDER indices, whose shuffle in JS takes hundreds of milliseconds for
 * millions of rows.
 */
export const SLICE_SHUFFLE = 1 << 16;
/**
 * Cap on one chunk's shuffled order (4 bytes an entry) when its epochs hold more than one index
 * per row: a chunk of several epochs keeps one order per epoch, so its order is at most
 * max(rows, MAX_ORDER) entries, one index per row (what every shuffled fit needs) or a fixed
 * 256 KiB. At 2^22 a small regression network's chunk held up to 16 MB of order, several
 * copies of its data (2 columns and a target: 12 bytes a row; issue 13's memory goal, test/89).
 * Chunks of several epochs only pay off where an epoch is short: at 2^16 indices a chunk still
 * holds 64 epochs of 1,000 rows.
 */
export const MAX_ORDER = 1 << 16;

/**
 * Starts a fit: sizes the chunks and allocates everything the loop touches (once per fit), then
 * returns the loop. Throws before anything runs when the trainer cannot be built.
 */
export function fitLoop(
  target: FitTarget,
  data: TrainingData,
  options: ResolvedFitOptions,
  random: Random,
): FitLoop {
  return new Fit(target, data, options, random).run();
}

/**
 * Refuses, before anything trains, a fit whose steps would pass the contract's cap: otherwise
 * the engine refuses the chunk that crosses it, mid-fit, after earlier chunks changed the weights.
 */
function checkStepRoom(steps: number, epochs: number, perEpoch: number): void {
  const room = RANGES.step.max - steps; // exact: both are safe integers
  // epochs * perEpoch may round above 2^53, but then it is above room too
  if (epochs * perEpoch > room) {
    throw new RangeError(
      `Cannot fit ${epochs} epochs of ${perEpoch} optimizer steps each: the network's steps (now ${steps}) must stay ${RANGES.step.expected}, which leaves room for ${room} more`,
    );
  }
}

/** Refuses early stopping on a metric the task does not report (accuracy for regression, mae otherwise). */
function checkMonitor(monitor: string | undefined, metric: 'accuracy' | 'mae', task: TaskName): void {
  if (monitor === undefined || monitor === 'loss' || monitor === 'val_loss') return;
  if (monitor === metric || monitor === `val_${metric}`) return;
  throw new TypeError(
    `Expected 'loss', 'val_loss', '${metric}' or 'val_${metric}' for earlyStopping.monitor of a ${task} network but received '${monitor}'`,
  );
}

/** What a subclass reports after training one chunk: its epochs, the rows of each, the step count after it. */
export interface Trained {
  epochs: number;
  rows: number;
  step: number;
}

/**
 * The loop around the engine calls, whatever feeds them: history, divergence, schedule,
 * validation, callbacks, early stopping and progress, after each chunk of whole epochs. Fit
 * trains arrays; StreamFit (stream-fit.ts) trains batches pulled from an iterable.
 */
export abstract class EpochLoop {
  protected readonly history: History = {
    loss: [],
    accuracy: [],
    val_loss: [],
    val_accuracy: [],
    mae: [],
    val_mae: [],
    epochs: 0,
    stopReason: 'completed',
    bestEpoch: -1,
    learningRate: [],
  };
  /** Receives each epoch's loss, training metric and last learning rate of a chunk. */
  protected readonly losses: Float64Array;
  /** The engine's per-epoch training metric (TrainChunk.metric); divided by rows: accuracy or mae. */
  protected readonly metric: Float64Array;
  protected readonly learningRates: Float64Array;
  /** The validation targets in their units (with targetScaling), made on first use. */
  private validationTargets: Float32Array | null = null;
  /** What the training mae is multiplied by: the target's std (with targetScaling), else 1. */
  private readonly metricUnit: number;
  /** The validation outputs when validation runs in blocks (validate), allocated on first use. */
  private validationOut: Float32Array | null = null;
  /** The history field and log key of the headline metric: 'accuracy', or 'mae' for regression. */
  private readonly metricName: 'accuracy' | 'mae';
  private readonly backupParams: Float32Array;
  private readonly backupState: Float32Array;
  private readonly backupRng: Uint32Array | null;
  private readonly bestParams: Float32Array | null;
  protected readonly schedule: FitSchedule | null;
  protected step: number;
  private best = Number.POSITIVE_INFINITY;
  private sinceBest = 0;
  protected done = false;

  constructor(
    protected readonly target: FitTarget,
    protected readonly options: ResolvedFitOptions,
    protected readonly validation: TrainingData['validation'],
    /** Validation, callbacks and early stopping after every epoch (chunks of one epoch). */
    protected readonly perEpoch: boolean,
    /** The most epochs of one chunk. */
    maxChunk: number,
    /** The optimizer steps the fit will take at most (what a cosine schedule spans). */
    totalSteps: number,
  ) {
    this.schedule =
      options.schedule === null
        ? null
        : new FitSchedule(
            options.schedule,
            target.learningRate,
            Math.min(totalSteps, RANGES.scheduleTotalSteps.max),
            target.scheduleState,
          );
    this.step = target.steps;
    this.metricName = target.task === 'regression' ? 'mae' : 'accuracy';
    const std = target.targetScaling?.std ?? [1];
    this.metricUnit = std.reduce((sum, s) => sum + s, 0) / std.length;
    checkMonitor(options.earlyStopping?.monitor, this.metricName, target.task);
    // Everything the loop touches is allocated here, once per fit.
    this.losses = new Float64Array(maxChunk);
    this.metric = new Float64Array(maxChunk);
    this.learningRates = new Float64Array(maxChunk);
    this.backupRng = target.rng && new Uint32Array(4);
    this.backupParams = target.copyBuffer(target.params.length);
    this.backupState = target.copyBuffer(target.state.length);
    this.bestParams = options.earlyStopping?.restoreBestWeights
      ? target.copyBuffer(target.params.length)
      : null;
  }

  /**
   * Trains the next chunk of whole epochs (through 'train' requests), filling losses, metric and
   * learningRates for each of its epochs.
   */
  protected abstract trainChunk(): Generator<FitRequest, Trained, unknown>;

  /** Chunk after chunk until the epochs are done or something stops training. */
  *run(): FitLoop {
    // a signal aborted before fit starts trains nothing: the network stays exactly as it was
    if (this.options.signal?.aborted) this.stop('aborted');
    while (!this.done) {
      // the weights saved so a diverging chunk can be undone
      this.backupParams.set(this.target.params);
      this.backupState.set(this.target.state);
      if (this.backupRng && this.target.rng) this.backupRng.set(this.target.rng);
      const trained = yield* this.trainChunk();
      const { epoch, logs } = yield* this.afterChunk(trained);
      let answer = this.options.onEpochEnd?.(epoch, logs);
      if (answer instanceof Promise) answer = yield { kind: 'settle', answer, signal: this.options.signal };
      this.afterCallback(epoch, logs, answer);
    }
    return this.history;
  }

  /** Books a finished chunk (or undoes it when it diverged); returns its last epoch and logs. */
  private *afterChunk({
    epochs,
    rows,
    step,
  }: Trained): Generator<FitRequest, { epoch: number; logs: EpochLogs }, unknown> {
    for (let e = 0; e < epochs; e++) {
      const loss = this.losses[e];
      if (!Number.isFinite(loss)) {
        this.target.params.set(this.backupParams);
        this.target.state.set(this.backupState);
        if (this.backupRng && this.target.rng) this.target.rng.set(this.backupRng);
        this.done = true;
        throw new Error(
          `Training diverged: the loss became ${loss} in epoch ${this.history.epochs + e}; the weights are ` +
            'restored to before that chunk. Lower the learning rate or standardize the inputs.',
        );
      }
    }
    this.schedule?.advance(epochs, step - this.step);
    this.step = step;
    this.target.advance(step);
    this.target.setScheduleState(this.schedule?.state() ?? null);
    const name = this.metricName;
    const unit = this.metricUnit;
    for (let e = 0; e < epochs; e++) {
      this.history.loss.push(this.losses[e]);
      this.history.learningRate.push(this.learningRates[e]);
      this.history[name].push((this.metric[e] / rows) * unit);
    }
    this.history.epochs += epochs;
    const last = this.history.epochs - 1;
    const logs: EpochLogs = { loss: this.losses[epochs - 1] };
    logs[name] = (this.metric[epochs - 1] / rows) * unit;
    if (this.perEpoch && this.validation) {
      const { X, Y, weights } = this.validation;
      const v = yield* this.validate(X, Y, weights);
      logs.val_loss = v.loss;
      this.history.val_loss.push(v.loss);
      const headline = v.task === 'regression' ? v.mae : v.accuracy;
      logs[`val_${name}`] = headline;
      this.history[`val_${name}`].push(headline);
    }
    this.printProgress(last, logs);
    if (this.schedule) {
      this.schedule.afterEpoch(logs);
      this.target.setScheduleState(this.schedule.state());
    }
    if (this.history.epochs >= this.options.epochs) this.done = true;
    return { epoch: last, logs };
  }

  /**
   * Loss and accuracy of the validation rows, evaluated in blocks of at most SLICE_WORK
   * multiply-adds with a turn of the event loop between blocks. One block (the usual case) is
   * exactly target.evaluate of all rows; several are combined as means weighted by their rows.
   */
  private *validate(
    X: Matrix,
    Y: Float32Array,
    weights: Float32Array | null,
  ): Generator<FitRequest, Evaluation, unknown> {
    const blockRows = validationBlockRows(this.target.params.length);
    const scaling = this.target.targetScaling ?? null;
    // with a target scaling the outputs are needed (to unscale them): the block path keeps them
    if (X.rows <= blockRows && scaling === null) return this.target.evaluate(X, Y, weights);
    const outs = Y.length / X.rows;
    this.validationOut ??= new Float32Array(Y.length); // once per fit: the set does not change
    const out = this.validationOut;
    // A mean loss is a block's loss times its share (rows, or weight), over the whole share.
    let loss = 0;
    let share = 0;
    for (let r0 = 0; r0 < X.rows; r0 += blockRows) {
      if (r0 > 0) yield { kind: 'turn' };
      const rows = Math.min(blockRows, X.rows - r0);
      const block = { data: X.data.subarray(r0 * X.cols, (r0 + rows) * X.cols), rows, cols: X.cols };
      const w = weights === null ? null : weights.subarray(r0, r0 + rows);
      const blockOut = out.subarray(r0 * outs, (r0 + rows) * outs);
      const blockLoss = this.target.evaluateInto(
        block,
        Y.subarray(r0 * outs, (r0 + rows) * outs),
        w,
        blockOut,
      );
      const blockShare = w === null ? rows : w.reduce((sum, v) => sum + v, 0);
      loss += this.target.sumLoss ? blockLoss : blockLoss * blockShare;
      share += blockShare;
    }
    const total = this.target.sumLoss ? loss : share === 0 ? 0 : loss / share;
    // the metrics are one pass over outputs and targets (no product), far below a slice's work
    if (scaling === null) return evaluationOf(this.target.task, total, out, Y, X.rows, outs, weights);
    // the loss as training sees it, the metrics in the targets' units (as Network.evaluate)
    if (!this.validationTargets) {
      this.validationTargets = Y.slice();
      unscaleOutputs(this.validationTargets, scaling);
    }
    unscaleOutputs(out, scaling);
    return evaluationOf(this.target.task, total, out, this.validationTargets, X.rows, outs, weights);
  }

  /** Applies onEpochEnd's answer, early stopping and abort after an epoch. */
  private afterCallback(epoch: number, logs: EpochLogs, answer: unknown): void {
    if (answer === false && !this.done) this.stop('callback');
    this.checkEarlyStopping(epoch, logs);
    if (this.options.signal?.aborted && !this.done) this.stop('aborted');
  }

  private stop(reason: StopReason): void {
    this.history.stopReason = reason;
    this.done = true;
  }

  private checkEarlyStopping(epoch: number, logs: EpochLogs): void {
    const early = this.options.earlyStopping;
    if (!early) return;
    const raw = logs[early.monitor];
    if (raw === undefined) return;
    const higherIsBetter = early.monitor.endsWith('accuracy');
    const value = higherIsBetter ? -raw : raw;
    if (value < this.best - early.minDelta) {
      this.best = value;
      this.sinceBest = 0;
      this.history.bestEpoch = epoch;
      this.bestParams?.set(this.target.params);
      return;
    }
    this.sinceBest++;
    if (this.sinceBest >= early.patience && !this.done) {
      this.stop('early-stopping');
      if (this.bestParams && this.history.bestEpoch >= 0) this.target.params.set(this.bestParams);
    }
  }

  private printProgress(last: number, logs: EpochLogs): void {
    // chunks end right after each printed epoch, so `last` is the epoch to print or nothing
    const every = this.options.logEvery;
    if (every === 0 || (last % every !== 0 && last !== this.options.epochs - 1)) return;
    let line = `Epoch ${last} loss: ${formatNumber(logs.loss)}`;
    if (logs.accuracy !== undefined) line += ` accuracy: ${logs.accuracy.toFixed(4)}`;
    if (logs.mae !== undefined) line += ` mae: ${formatNumber(logs.mae)}`;
    if (logs.val_loss !== undefined) line += ` val_loss: ${formatNumber(logs.val_loss)}`;
    if (logs.val_accuracy !== undefined) line += ` val_accuracy: ${logs.val_accuracy.toFixed(4)}`;
    if (logs.val_mae !== undefined) line += ` val_mae: ${formatNumber(logs.val_mae)}`;
    this.options.log(line);
  }
}

/** fit on arrays: chunks of whole epochs over the checked data, each epoch's order shuffled from the seed. */
class Fit extends EpochLoop {
  private readonly batchSize: number;
  private readonly trainer: Trainer;
  private readonly maxChunk: number;
  private readonly order: Uint32Array | null;
  /** Order entries written (indices filled in, shuffle steps) since the last turn of the event loop. */
  private orderWork = 0;

  constructor(
    target: FitTarget,
    private readonly data: TrainingData,
    options: ResolvedFitOptions,
    private readonly random: Random,
  ) {
    const rows = data.X.rows;
    const batchSize = options.batchSize === 'full' ? rows : Math.min(options.batchSize, rows);
    const perEpochSteps = Math.ceil(rows / batchSize);
    checkStepRoom(target.steps, options.epochs, perEpochSteps);
    const trainer = target.trainer(batchSize);
    const perEpoch =
      target.classification ||
      data.validation !== null ||
      options.onEpochEnd !== null ||
      options.earlyStopping !== null ||
      options.schedule?.name === 'reduceOnPlateau';
    const shuffled = options.shuffle && batchSize < rows;
    const work = Math.max(1, rows * target.params.length);
    let chunk = perEpoch ? 1 : Math.max(1, Math.floor(CHUNK_WORK / work));
    if (shuffled) chunk = Math.max(1, Math.min(chunk, Math.floor(MAX_ORDER / rows)));
    const maxChunk = Math.min(chunk, options.epochs);
    super(target, options, data.validation, perEpoch, maxChunk, options.epochs * perEpochSteps);
    this.batchSize = batchSize;
    this.trainer = trainer;
    this.maxChunk = maxChunk;
    this.order = shuffled ? target.allocator.allocateUint32(maxChunk * rows) : null;
  }

  protected *trainChunk(): Generator<FitRequest, Trained, unknown> {
    const chunk = yield* this.nextChunk();
    const step = (yield { kind: 'train', trainer: this.trainer, chunk }) as number;
    return { epochs: chunk.epochs, rows: this.data.X.rows, step };
  }

  /** The next chunk's arguments. Its order is filled in and shuffled in parts of at most SLICE_SHUFFLE entries, with a turn between parts. */
  private *nextChunk(): Generator<FitRequest, TrainChunk, unknown> {
    const { rows } = this.data.X;
    const epoch = this.history.epochs;
    let epochs = Math.min(this.maxChunk, this.options.epochs - epoch);
    const every = this.options.logEvery;
    if (every > 0) {
      // end the chunk right after the next epoch that prints (epochs e with e % every == 0)
      const nextPrinted = Math.ceil(epoch / every) * every;
      epochs = Math.min(epochs, nextPrinted - epoch + 1);
    }
    const order = this.order;
    if (order) {
      this.orderWork = 0; // the train request before this chunk was a turn
      for (let e = 0; e < epochs; e++) {
        const base = e * rows;
        yield* this.inParts(rows, (start, end) => {
          for (let i = start; i < end; i++) order[base + i] = i;
        });
        // step s of random.shuffle(order, rows, base) is its step i = rows - 1 - s
        yield* this.inParts(rows - 1, (start, end) => {
          this.random.shuffleSteps(order, base, rows - 1 - start, rows - 1 - end);
        });
      }
    }
    return {
      X: this.data.X.data,
      Y: this.data.Y,
      rows,
      order: this.order,
      epochs,
      batchSize: this.batchSize,
      step: this.step,
      losses: this.losses,
      metric: this.metric,
      schedule: this.schedule?.chunk() ?? null,
      rng: this.target.rng,
      learningRates: this.learningRates,
      weights: this.data.weights,
    };
  }

  /**
   * Does n units of order work, work(start, end) over [0, n) part by part, with a turn of the
   * event loop whenever SLICE_SHUFFLE units were done since the last one.
   */
  private *inParts(
    n: number,
    work: (start: number, end: number) => void,
  ): Generator<FitRequest, void, unknown> {
    for (let start = 0; start < n; ) {
      if (this.orderWork === SLICE_SHUFFLE) {
        yield { kind: 'turn' };
        this.orderWork = 0;
      }
      const end = Math.min(n, start + SLICE_SHUFFLE - this.orderWork);
      work(start, end);
      this.orderWork += end - start;
      start = end;
    }
  }
}

/** Validation rows per block: as many as SLICE_WORK multiply-adds allow (a forward pass costs about one per parameter per row), at least one. */
export function validationBlockRows(params: number): number {
  return Math.max(1, Math.floor(SLICE_WORK / Math.max(1, params)));
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(3);
}

// --- drivers: the same loop, run on the calling thread or awaiting each chunk

/** Runs the loop to the end on the calling thread. */
export function runFitSync(loop: FitLoop): History {
  let next = loop.next();
  while (!next.done) {
    const request = next.value;
    if (request.kind === 'settle') {
      throw new TypeError(
        'Expected a synchronous onEpochEnd for fitSync but it returned a Promise; use fit()',
      );
    }
    if (request.kind === 'turn') {
      next = loop.next();
      continue;
    }
    if (request.kind === 'pull') {
      let result: unknown;
      try {
        result = request.iterator.next();
        if (result instanceof Promise) {
          result.catch(() => {}); // refused: its settling no longer matters
          throw new TypeError(
            'Expected a synchronous iterable of batches for fitSync but its iterator returned a Promise; use fit()',
          );
        }
      } catch (error) {
        next = loop.throw(error); // the loop restores what it must, then rethrows
        continue;
      }
      next = loop.next(result);
      continue;
    }
    next = loop.next(request.trainer.trainEpochs(request.chunk));
  }
  return next.value;
}

/**
 * The diagnostics channel (node:diagnostics_channel) on which fit publishes each synchronous
 * slice of its loop, from one await to the next, as a FitSlice: what a server watching its event
 * loop can attribute to training (examples/server.ts). Nothing is published without subscribers.
 */
export const FIT_SLICE_CHANNEL = 'fastmlp:fit-slice';

/** One synchronous slice of an async fit: its milliseconds, and what it ended with (the await's reason). */
export interface FitSlice {
  ms: number;
  /** train: a chunk was handed to the engine; turn: the loop yields a turn; settle, pull: it awaits a callback or a stream; done: the fit's last slice. */
  end: 'train' | 'turn' | 'settle' | 'pull' | 'done';
}

const sliceChannel = channel(FIT_SLICE_CHANNEL);

/**
 * Runs the loop awaiting each chunk. A trainer that runsOffThread writes the weights on another
 * thread until its chunk settles (offThread(true) then, offThread(false) after); one that trains
 * on this thread would block it for the whole fit, so the event loop turns between its chunks.
 */
export async function runFit(loop: FitLoop, offThread: (running: boolean) => void): Promise<History> {
  // The clock is read only while someone subscribes; a slice whose start was not timed (the
  // subscriber came mid-slice) is not published.
  const now = () => (sliceChannel.hasSubscribers ? performance.now() : Number.NaN);
  let sliceStart = now();
  const sliceEnds = (end: FitSlice['end']) => {
    if (sliceChannel.hasSubscribers && !Number.isNaN(sliceStart))
      sliceChannel.publish({ ms: performance.now() - sliceStart, end });
  };
  const resumed = () => {
    sliceStart = now();
  };
  let next = loop.next();
  let first = true;
  while (!next.done) {
    const request = next.value;
    if (request.kind === 'settle') {
      sliceEnds('settle');
      const answer = await settleUnlessAborted(request.answer, request.signal);
      resumed();
      next = loop.next(answer);
      continue;
    }
    if (request.kind === 'turn') {
      sliceEnds('turn');
      await new Promise((resolve) => setImmediate(resolve));
      resumed();
      next = loop.next();
      continue;
    }
    if (request.kind === 'pull') {
      let result: unknown;
      sliceEnds('pull');
      try {
        result = await request.iterator.next();
      } catch (error) {
        resumed();
        next = loop.throw(error); // the loop restores what it must, then rethrows
        continue;
      }
      resumed();
      next = loop.next(result);
      continue;
    }
    const { trainer, chunk } = request;
    if (trainer.runsOffThread) offThread(true);
    else if (!first) {
      sliceEnds('turn');
      await new Promise((resolve) => setImmediate(resolve));
      resumed();
    }
    first = false;
    let step: number;
    try {
      const training = trainer.trainEpochsAsync(chunk); // its checks and copies are this slice's
      sliceEnds('train');
      step = await training;
    } finally {
      resumed();
      if (trainer.runsOffThread) offThread(false);
    }
    next = loop.next(step);
  }
  sliceEnds('done');
  return next.value;
}

/**
 * onEpochEnd's promise, or undefined as soon as `signal` aborts: a callback that never settles
 * must not hang fit past an abort. An abandoned promise that rejects later is handled here.
 */
function settleUnlessAborted(answer: Promise<unknown>, signal: AbortSignal | null): Promise<unknown> {
  if (signal === null) return answer;
  if (signal.aborted) {
    answer.catch(() => {});
    return Promise.resolve(undefined);
  }
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([answer, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
