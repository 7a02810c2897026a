// The fit loop: splits training into chunks of whole epochs handed to the engine in one call,
// and between chunks does what needs TS: history, validation, callbacks, early stopping,
// logging, abort. fitSync and fit share everything but how a chunk is run.
import type { TrainChunk, Trainer } from './engine/engine.js';
import type { Matrix } from './inputs.js';
import type { Random } from './random.js';
import type { EpochLogs, ResolvedFitOptions } from './train-options.js';

export type StopReason = 'completed' | 'early-stopping' | 'callback' | 'aborted';

export interface History {
  /** Per-epoch training loss (each batch's loss taken before its update, as the seeds print it). */
  loss: number[];
  /** Per-epoch training accuracy, counted like the loss: each batch before its update (classification losses only). */
  accuracy: number[];
  val_loss: number[];
  val_accuracy: number[];
  /** Epochs actually run. */
  epochs: number;
  stopReason: StopReason;
  /** The epoch (0-based) early stopping judged best, or -1. */
  bestEpoch: number;
}

/** What the loop needs from the network: its buffers, a trainer, and evaluation. */
export interface TrainingTarget {
  params: Float32Array;
  state: Float32Array;
  step: number;
  classification: boolean;
  trainer(batchSize: number): Trainer;
  evaluate(data: Matrix, Y: Float32Array): { loss: number; accuracy: number };
}

export interface TrainingData {
  X: Matrix;
  Y: Float32Array;
  validation: { X: Matrix; Y: Float32Array } | null;
}

/** Holds out the last `fraction` of the rows (before any shuffling) as validation data. */
export function splitValidation(all: Matrix, Y: Float32Array, fraction: number): TrainingData {
  const held = Math.floor(all.rows * fraction);
  const kept = all.rows - held;
  if (held < 1 || kept < 1) {
    throw new RangeError(
      `Expected validationSplit to leave at least one sample on each side but received ${fraction} of ${all.rows} samples`,
    );
  }
  const { cols } = all;
  const outs = Y.length / all.rows;
  return {
    X: { data: all.data.subarray(0, kept * cols), rows: kept, cols },
    Y: Y.subarray(0, kept * outs),
    validation: { X: { data: all.data.subarray(kept * cols), rows: held, cols }, Y: Y.subarray(kept * outs) },
  };
}

/** Work handed to the engine per call, in multiply-adds; bounds how long a chunk blocks (TS engine). */
const CHUNK_WORK = 2e7;
/** Cap on one chunk's shuffled order (4 bytes each). */
const MAX_ORDER = 1 << 22;

export class FitSession {
  readonly history: History = {
    loss: [],
    accuracy: [],
    val_loss: [],
    val_accuracy: [],
    epochs: 0,
    stopReason: 'completed',
    bestEpoch: -1,
  };
  private readonly batchSize: number;
  private readonly trainer: Trainer;
  private readonly perEpoch: boolean;
  private readonly maxChunk: number;
  private readonly order: Uint32Array | null;
  private readonly losses: Float64Array;
  private readonly correct: Float64Array | null;
  private readonly backupParams: Float32Array;
  private readonly backupState: Float32Array;
  private readonly bestParams: Float32Array | null;
  private best = Number.POSITIVE_INFINITY;
  private sinceBest = 0;
  private done = false;

  constructor(
    private readonly target: TrainingTarget,
    private readonly data: TrainingData,
    private readonly options: ResolvedFitOptions,
    private readonly random: Random,
  ) {
    const rows = data.X.rows;
    this.batchSize = options.batchSize === 'full' ? rows : Math.min(options.batchSize, rows);
    this.trainer = target.trainer(this.batchSize);
    this.perEpoch =
      target.classification ||
      data.validation !== null ||
      options.onEpochEnd !== null ||
      options.earlyStopping !== null;
    const shuffled = options.shuffle && this.batchSize < rows;
    const work = Math.max(1, rows * target.params.length);
    let chunk = this.perEpoch ? 1 : Math.max(1, Math.floor(CHUNK_WORK / work));
    if (shuffled) chunk = Math.max(1, Math.min(chunk, Math.floor(MAX_ORDER / rows)));
    this.maxChunk = Math.min(chunk, options.epochs);
    // Everything the loop touches is allocated here, once per fit.
    this.order = shuffled ? new Uint32Array(this.maxChunk * rows) : null;
    this.losses = new Float64Array(this.maxChunk);
    this.correct = target.classification ? new Float64Array(this.maxChunk) : null;
    this.backupParams = new Float32Array(target.params.length);
    this.backupState = new Float32Array(target.state.length);
    this.bestParams = options.earlyStopping?.restoreBestWeights
      ? new Float32Array(target.params.length)
      : null;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The next chunk's arguments, with the weights saved so a diverging chunk can be undone. */
  nextChunk(): TrainChunk {
    const { rows } = this.data.X;
    const epoch = this.history.epochs;
    let epochs = Math.min(this.maxChunk, this.options.epochs - epoch);
    const every = this.options.logEvery;
    if (every > 0) {
      // end the chunk right after the next epoch that prints (epochs e with e % every == 0)
      const nextPrinted = Math.ceil(epoch / every) * every;
      epochs = Math.min(epochs, nextPrinted - epoch + 1);
    }
    if (this.order) {
      for (let e = 0; e < epochs; e++) {
        const base = e * rows;
        for (let i = 0; i < rows; i++) this.order[base + i] = i;
        this.random.shuffle(this.order, rows, base);
      }
    }
    this.backupParams.set(this.target.params);
    this.backupState.set(this.target.state);
    return {
      X: this.data.X.data,
      Y: this.data.Y,
      rows,
      order: this.order,
      epochs,
      batchSize: this.batchSize,
      step: this.target.step,
      losses: this.losses,
      correct: this.correct,
    };
  }

  runChunkSync(chunk: TrainChunk): number {
    return this.trainer.trainEpochs(chunk);
  }

  runChunkAsync(chunk: TrainChunk): Promise<number> {
    return this.trainer.trainEpochsAsync(chunk);
  }

  /** Books a finished chunk; returns its last epoch and logs for callEpochEnd/afterCallback. */
  afterChunk(chunk: TrainChunk, step: number): { epoch: number; logs: EpochLogs } | null {
    for (let e = 0; e < chunk.epochs; e++) {
      const loss = chunk.losses[e];
      if (!Number.isFinite(loss)) {
        this.target.params.set(this.backupParams);
        this.target.state.set(this.backupState);
        this.done = true;
        throw new Error(
          `Training diverged: the loss became ${loss} in epoch ${this.history.epochs + e}; the weights are ` +
            'restored to before that chunk. Lower the learning rate or standardize the inputs.',
        );
      }
    }
    this.target.step = step;
    const rows = this.data.X.rows;
    for (let e = 0; e < chunk.epochs; e++) {
      this.history.loss.push(chunk.losses[e]);
      if (this.correct) this.history.accuracy.push(this.correct[e] / rows);
    }
    this.history.epochs += chunk.epochs;
    const last = this.history.epochs - 1;
    const logs: EpochLogs = { loss: chunk.losses[chunk.epochs - 1] };
    if (this.correct) logs.accuracy = this.correct[chunk.epochs - 1] / rows;
    if (this.perEpoch) {
      if (this.data.validation) {
        const v = this.target.evaluate(this.data.validation.X, this.data.validation.Y);
        logs.val_loss = v.loss;
        this.history.val_loss.push(v.loss);
        if (this.target.classification) {
          logs.val_accuracy = v.accuracy;
          this.history.val_accuracy.push(v.accuracy);
        }
      }
    }
    this.printProgress(last, logs);
    if (this.history.epochs >= this.options.epochs) this.done = true;
    return { epoch: last, logs };
  }

  /** Runs the user's onEpochEnd; its answer (or promise of one) goes to afterCallback. */
  callEpochEnd(epoch: number, logs: EpochLogs): unknown {
    return this.options.onEpochEnd?.(epoch, logs);
  }

  /** Applies a callback's answer, early stopping and abort after an epoch. */
  afterCallback(epoch: number, logs: EpochLogs, answer: unknown): void {
    if (answer === false && !this.done) this.stop('callback');
    this.checkEarlyStopping(epoch, logs);
    if (this.options.signal?.aborted && !this.done) this.stop('aborted');
  }

  /** Called once when training ends for any reason other than an error. */
  finish(): History {
    this.done = true;
    return this.history;
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
    if (logs.val_loss !== undefined) line += ` val_loss: ${formatNumber(logs.val_loss)}`;
    if (logs.val_accuracy !== undefined) line += ` val_accuracy: ${logs.val_accuracy.toFixed(4)}`;
    this.options.log(line);
  }
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(3);
}
