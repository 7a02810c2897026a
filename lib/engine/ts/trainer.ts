// The TS engine's trainer: batches, epochs, the forward/backward pass and the update, in place on
// the network's params/state. Every training workspace is allocated once in the constructor; the
// loops in trainEpochs allocate nothing (offsets instead of subarray views). predict and evaluate
// are the inference model's (model.ts), over the same params: one forward-in-blocks, not two.

import { DEFAULTS, RANGES, type TaskName, taskOf } from '../contract.js';
import type { ChunkSchedule, ModelPlan, TrainChunk, Trainer, TrainerPlan } from '../engine.js';
import { stateSize } from '../layout.js';
import {
  checkArray,
  checkElements,
  checkFixedLength,
  checkLength,
  checkNumber,
  checkPlan,
  checkSize,
  checkSteps,
  checkWeights,
} from './checks.js';
import { type DenseLayer, denseBackward, denseForward, denseLayers } from './dense.js';
import { applyMask, checkRng, drawMask, dropoutScale, dropoutThreshold } from './dropout.js';
import {
  batchWeight,
  type LossSettings,
  lossBackward,
  lossForward,
  lossIsFused,
  lossIsSum,
} from './losses.js';
import { taskMetric } from './metrics.js';
import { TsModel } from './model.js';
import {
  beginStep,
  clipGradients,
  clips,
  createOptimizerState,
  type OptimizerState,
  optimizerUpdate,
} from './optimizers.js';
import { checkSchedule, ratePerStep, scheduledRate } from './schedule.js';

/** A hidden layer's dropout: its mask and masked output (maxBatch, units) and the draw constants. */
interface Dropout {
  threshold: number;
  scale: number;
  mask: Float32Array;
  out: Float32Array;
}

const EMPTY = new Float32Array(0);

export class TsTrainer implements Trainer {
  /** trainEpochsAsync trains on the calling thread: fit yields to the event loop between chunks. */
  readonly runsOffThread = false;
  private params: Float32Array;
  private state: Float32Array;
  private layers: DenseLayer[];
  private readonly inputs: number;
  private readonly outputs: number;
  private readonly maxBatch: number;
  private readonly loss: number;
  /** Decides what the training metric measures (contract.ts taskOf). */
  private readonly task: TaskName;
  private readonly lossSettings: LossSettings;
  private readonly fused: boolean;
  private readonly weightDecay: number;
  private readonly opt: OptimizerState;
  /** A per layer, (maxBatch, units). */
  private acts: Float32Array[];
  /** Output logits (maxBatch, outputs) for bce / cross-entropy, else null. */
  private logits: Float32Array | null;
  /** Ping-pong dA/dZ buffers, (maxBatch, widest layer). */
  private dCur: Float32Array;
  private dNext: Float32Array;
  private grad: Float32Array;
  /** The batch's rows of X and Y, gathered in `order`. */
  private xb: Float32Array;
  private yb: Float32Array;
  /** The batch's weights, gathered in `order` (when the chunk has weights). */
  private wb: Float32Array;
  /** The last batch loss (a buffer, not a return value: see lossForward). */
  private readonly lossOut = new Float64Array(2);
  /** Per layer: its dropout, or null (none, or rate 0: nothing drawn). */
  private dropouts: (Dropout | null)[];
  private readonly hasDropout: boolean;
  /** The chunk's generator while trainEpochs runs. */
  private rng: Uint32Array = new Uint32Array(4);
  private readonly baseRate: number;
  /** predict and evaluate: the inference model over the same params, made on first use. */
  private readonly modelPlan: ModelPlan;
  private model: TsModel | null = null;
  private disposed = false;

  constructor(plan: TrainerPlan, params: Float32Array, state: Float32Array) {
    checkPlan(plan);
    // Their kinds before their lengths, in the addon's order (trainer_binding.cpp).
    checkArray('params', params, Float32Array);
    checkArray('state', state, Float32Array);
    const resolved = denseLayers(plan, params);
    const size = resolved.size; // parameters, in the flat layout
    this.layers = resolved.layers;
    checkLength('state', state, stateSize(plan.optimizer.kind, size), 'the optimizer state');
    checkFixedLength('params', params, 'Float32Array');
    checkFixedLength('state', state, 'Float32Array');
    this.loss = resolved.loss;
    this.lossSettings = { loss: this.loss, delta: Math.fround(plan.huberDelta ?? DEFAULTS.huberDelta) };
    const last = this.layers[this.layers.length - 1];
    this.task = taskOf(plan.layers[plan.layers.length - 1].activation, last.units, plan.loss);
    this.params = params;
    this.state = state;
    this.inputs = this.layers[0].inputs;
    this.outputs = last.units;
    this.maxBatch = plan.batchSize;
    this.fused = lossIsFused(this.loss);
    this.weightDecay = plan.optimizer.weightDecay;
    this.opt = createOptimizerState(plan.optimizer, size);
    const B = plan.batchSize;
    let widest = 0;
    for (const layer of this.layers) {
      widest = Math.max(widest, layer.units);
    }
    this.acts = this.layers.map((layer) => new Float32Array(B * layer.units));
    this.logits = this.fused ? new Float32Array(B * this.outputs) : null;
    this.dCur = new Float32Array(B * widest);
    this.dNext = new Float32Array(B * widest);
    this.grad = new Float32Array(size);
    this.xb = new Float32Array(B * this.inputs);
    this.yb = new Float32Array(B * this.outputs);
    this.dropouts = plan.layers.map(({ dropout, units }) =>
      dropout === undefined || dropout === 0
        ? null
        : {
            threshold: dropoutThreshold(dropout),
            scale: dropoutScale(dropout),
            mask: new Float32Array(B * units),
            out: new Float32Array(B * units),
          },
    );
    this.hasDropout = this.dropouts.some((d) => d !== null);
    this.baseRate = plan.optimizer.learningRate;
    this.wb = new Float32Array(B);
    const { layers, loss, threads, huberDelta } = plan;
    this.modelPlan = { layers, loss, threads, ...(huberDelta === undefined ? {} : { huberDelta }) };
  }

  trainEpochs(chunk: TrainChunk): number {
    this.checkAlive();
    const { X, Y, rows, order, epochs, batchSize, losses } = chunk;
    const metric = chunk.metric ?? null;
    const weights = chunk.weights ?? null;
    // The addon's order (trainer_binding.cpp, then the core): types and ranges, lengths, indices.
    checkArray('X', X, Float32Array);
    checkArray('Y', Y, Float32Array);
    checkNumber(rows, 'rows', RANGES.rows);
    if (order !== null) checkArray('order', order, Uint32Array);
    checkNumber(epochs, 'epochs', RANGES.chunkEpochs);
    checkSize('batchSize', batchSize, 1, this.maxBatch);
    checkNumber(chunk.step, 'step', RANGES.step);
    checkArray('losses', losses, Float64Array);
    checkFixedLength('X', X, 'Float32Array');
    checkFixedLength('Y', Y, 'Float32Array');
    if (order !== null) checkFixedLength('order', order, 'Uint32Array');
    checkFixedLength('losses', losses, 'Float64Array');
    checkLength('X', X, checkElements('X', rows, this.inputs, X), 'rows x inputs');
    checkLength('Y', Y, checkElements('Y', rows, this.outputs, Y), 'rows x outputs');
    if (order !== null)
      checkLength('order', order, checkElements('order', epochs, rows, order), 'epochs x rows');
    checkLength('losses', losses, epochs, 'epochs');
    if (metric !== null) {
      checkArray('metric', metric, Float64Array);
      checkFixedLength('metric', metric, 'Float64Array');
      checkLength('metric', metric, epochs, 'epochs');
    }
    const schedule = chunk.schedule == null ? null : checkSchedule(chunk.schedule);
    // the generator is needed only to draw masks; one given anyway is checked all the same
    if (this.hasDropout || chunk.rng != null) this.rng = checkRng(chunk.rng);
    const learningRates = chunk.learningRates ?? null;
    if (learningRates !== null) {
      checkArray('learningRates', learningRates, Float64Array);
      checkFixedLength('learningRates', learningRates, 'Float64Array');
      checkLength('learningRates', learningRates, epochs, 'epochs');
    }
    if (weights !== null) {
      checkArray('weights', weights, Float32Array);
      checkFixedLength('weights', weights, 'Float32Array');
      checkLength('weights', weights, rows, 'rows');
    }
    checkSteps(chunk.step, epochs, rows, batchSize);
    if (order !== null) {
      for (let i = 0; i < epochs * rows; i++) {
        if (order[i] >= rows)
          throw new RangeError(`Expected indices below ${rows} for order but received ${order[i]} at ${i}`);
      }
    }
    if (weights !== null) checkWeights(weights, rows);
    const inputs = this.inputs;
    const outputs = this.outputs;
    const xb = this.xb;
    const yb = this.yb;
    const wb = weights === null ? null : this.wb;
    const isSum = lossIsSum(this.loss);
    let step = chunk.step;
    const perStep = schedule !== null && ratePerStep(schedule);
    let position = schedule?.position ?? 0;
    let rate = this.baseRate;
    for (let e = 0; e < epochs; e++) {
      const base = e * rows;
      let total = 0; // float64 accumulation of the epoch loss
      let measured = 0; // the epoch's training metric (TrainChunk.metric)
      let totalWeight = 0;
      if (schedule !== null && !perStep) rate = scheduledRate(schedule, schedule.epoch + e, 0);
      for (let start = 0; start < rows; start += batchSize) {
        const count = Math.min(batchSize, rows - start);
        for (let r = 0; r < count; r++) {
          const row = order === null ? start + r : order[base + start + r];
          for (let j = 0, src = row * inputs, dst = r * inputs; j < inputs; j++) xb[dst + j] = X[src + j];
          for (let j = 0, src = row * outputs, dst = r * outputs; j < outputs; j++) yb[dst + j] = Y[src + j];
          if (wb !== null && weights !== null) wb[r] = weights[row];
        }
        step++;
        if (perStep) rate = scheduledRate(schedule as ChunkSchedule, 0, position);
        position++;
        this.opt.learningRate = rate;
        const weight = batchWeight(wb, 0, count);
        this.batchStep(count, step, metric !== null, wb, weight);
        total += isSum ? this.lossOut[0] : this.lossOut[0] * weight;
        totalWeight += weight;
        measured += this.lossOut[1];
      }
      losses[e] = isSum ? total : totalWeight === 0 ? 0 : total / totalWeight;
      if (metric !== null) metric[e] = measured;
      if (learningRates !== null) learningRates[e] = rate;
    }
    return step;
  }

  trainEpochsAsync(chunk: TrainChunk): Promise<number> {
    try {
      return Promise.resolve(this.trainEpochs(chunk));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  predict(X: Float32Array, rows: number, out: Float32Array): void {
    this.checkAlive();
    this.forward().predict(X, rows, out);
  }

  evaluate(
    X: Float32Array,
    Y: Float32Array,
    rows: number,
    out: Float32Array,
    weights: Float32Array | null = null,
  ): number {
    this.checkAlive();
    return this.forward().evaluate(X, Y, rows, out, weights);
  }

  dispose(): void {
    this.disposed = true;
    this.model?.dispose();
    this.model = null;
    this.params = EMPTY;
    this.state = EMPTY;
    this.layers = [];
    this.acts = [];
    this.logits = null;
    this.dCur = EMPTY;
    this.dNext = EMPTY;
    this.grad = EMPTY;
    this.xb = EMPTY;
    this.yb = EMPTY;
    this.dropouts = [];
    this.wb = EMPTY;
  }

  // --- one batch: forward, loss (before the update), backward, update ---

  /**
   * Trains on xb/yb[0..count) (weighted by wb, null: unweighted; of batch weight `weight`) as
   * optimizer step t; the batch loss goes to lossOut[0] and, when measuring, the batch's share of
   * the training metric (taskMetric) to lossOut[1]. A batch of weight 0 changes nothing (the
   * contract's rule).
   */
  private batchStep(
    count: number,
    t: number,
    measuring: boolean,
    wb: Float32Array | null,
    weight: number,
  ): void {
    const { layers, acts, params, grad, xb } = this;
    const last = layers.length - 1;
    if (this.hasDropout) this.dropoutForward(xb, count);
    else this.trainForward(xb, 0, count);
    const P = acts[last];
    const s = this.lossSettings;
    lossForward(this.lossOut, s, P, this.logits ?? P, this.yb, 0, wb, 0, weight, count, this.outputs);
    this.lossOut[1] = measuring ? taskMetric(this.task, P, this.yb, count, this.outputs) : 0;
    if (weight === 0) return;
    let dCur = this.dCur;
    let dNext = this.dNext;
    lossBackward(s, dCur, P, this.yb, 0, wb, 0, weight, count, this.outputs);
    for (let l = last; l >= 0; l--) {
      const dPrev = l === 0 ? null : dNext;
      const below = l === 0 ? null : this.dropouts[l - 1];
      const Xprev = l === 0 ? xb : below !== null ? below.out : acts[l - 1];
      denseBackward(dPrev, dCur, acts[l], Xprev, 0, params, grad, layers[l], count, this.fused && l === last);
      // the gradient reaching a dropped-out output passes through its mask
      if (dPrev !== null && below !== null) applyMask(dPrev, dPrev, below.mask, count * layers[l - 1].units);
      const swap = dCur;
      dCur = dNext;
      dNext = swap;
    }
    const opt = this.opt;
    if (clips(opt)) clipGradients(opt, grad, grad.length);
    beginStep(opt, t);
    for (let l = 0; l <= last; l++) {
      const layer = layers[l];
      // weight decay (L2, or adamw's decoupled decay) on weights only, never biases
      optimizerUpdate(
        opt,
        params,
        grad,
        this.state,
        layer.w,
        layer.w + layer.inputs * layer.units,
        this.weightDecay,
      );
      if (layer.b >= 0) optimizerUpdate(opt, params, grad, this.state, layer.b, layer.b + layer.units, 0);
    }
  }

  /** The inference model predict and evaluate run on (its checks are theirs, word for word). */
  private forward(): TsModel {
    this.model ??= new TsModel(this.modelPlan, this.params);
    return this.model;
  }

  /** Training forward pass of rows [0, count) of X from offset xOff into acts (and logits). */
  private trainForward(X: Float32Array, xOff: number, count: number): void {
    const { layers, acts, params } = this;
    const last = layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const input = l === 0 ? X : acts[l - 1];
      const inOff = l === 0 ? xOff : 0;
      denseForward(acts[l], l === last ? this.logits : null, input, inOff, params, layers[l], count);
    }
  }

  /**
   * The training forward pass of rows [0, count) of X with dropout: each dropout layer draws its
   * mask (engine.ts's order) and the next layer reads its masked output.
   */
  private dropoutForward(X: Float32Array, count: number): void {
    const { layers, acts, params, dropouts } = this;
    const last = layers.length - 1;
    let input = X;
    for (let l = 0; l <= last; l++) {
      denseForward(acts[l], l === last ? this.logits : null, input, 0, params, layers[l], count);
      input = acts[l];
      const d = dropouts[l];
      if (d !== null) {
        const n = count * layers[l].units;
        drawMask(this.rng, d.mask, n, d.threshold, d.scale);
        applyMask(d.out, acts[l], d.mask, n);
        input = d.out;
      }
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('This trainer has been disposed; create a new one with createTrainer');
  }
}
