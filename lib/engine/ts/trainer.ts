// The TS engine's trainer: batches, epochs, the forward/backward pass and the update, in place on
// the network's params/state (inference alone is model.ts, without any of this). Every workspace
// is allocated once in the constructor; the loops in trainEpochs / predict / evaluate allocate
// nothing (offsets instead of subarray views).

import { RANGES } from '../contract.js';
import type { TrainChunk, Trainer, TrainerPlan } from '../engine.js';
import { stateSize } from '../layout.js';
import {
  checkArray,
  checkElements,
  checkEvaluateArgs,
  checkFixedLength,
  checkLength,
  checkNumber,
  checkPlan,
  checkPredictArgs,
  checkSize,
  checkSteps,
} from './checks.js';
import { type DenseLayer, denseBackward, denseForward, denseLayers } from './dense.js';
import { lossBackward, lossForward, lossIsFused, lossIsSum } from './losses.js';
import { countCorrect } from './metrics.js';
import { beginStep, createOptimizerState, type OptimizerState, optimizerUpdate } from './optimizers.js';

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
  /** The last batch loss (a buffer, not a return value: see lossForward). */
  private readonly lossOut = new Float64Array(2);
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
    const last = this.layers[this.layers.length - 1];
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
  }

  trainEpochs(chunk: TrainChunk): number {
    this.checkAlive();
    const { X, Y, rows, order, epochs, batchSize, losses } = chunk;
    const correct = chunk.correct ?? null;
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
    if (correct !== null) {
      checkArray('correct', correct, Float64Array);
      checkFixedLength('correct', correct, 'Float64Array');
      checkLength('correct', correct, epochs, 'epochs');
    }
    checkSteps(chunk.step, epochs, rows, batchSize);
    if (order !== null) {
      for (let i = 0; i < epochs * rows; i++) {
        if (order[i] >= rows)
          throw new RangeError(`Expected indices below ${rows} for order but received ${order[i]} at ${i}`);
      }
    }
    const inputs = this.inputs;
    const outputs = this.outputs;
    const xb = this.xb;
    const yb = this.yb;
    const isSum = lossIsSum(this.loss);
    let step = chunk.step;
    for (let e = 0; e < epochs; e++) {
      const base = e * rows;
      let total = 0; // float64 accumulation of the epoch loss
      let right = 0;
      for (let start = 0; start < rows; start += batchSize) {
        const count = Math.min(batchSize, rows - start);
        for (let r = 0; r < count; r++) {
          const row = order === null ? start + r : order[base + start + r];
          for (let j = 0, src = row * inputs, dst = r * inputs; j < inputs; j++) xb[dst + j] = X[src + j];
          for (let j = 0, src = row * outputs, dst = r * outputs; j < outputs; j++) yb[dst + j] = Y[src + j];
        }
        step++;
        this.batchStep(count, step, correct !== null);
        total += isSum ? this.lossOut[0] : this.lossOut[0] * count;
        right += this.lossOut[1];
      }
      losses[e] = isSum ? total : total / rows;
      if (correct !== null) correct[e] = right;
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
    checkPredictArgs(X, rows, out, this.inputs, this.outputs);
    this.forwardBlocks(X, null, rows, out);
  }

  evaluate(X: Float32Array, Y: Float32Array, rows: number, out: Float32Array): number {
    this.checkAlive();
    checkEvaluateArgs(X, Y, rows, out, this.inputs, this.outputs);
    return this.forwardBlocks(X, Y, rows, out);
  }

  dispose(): void {
    this.disposed = true;
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
  }

  // --- one batch: forward, loss (before the update), backward, update ---

  /**
   * Trains on xb/yb[0..count) as optimizer step t; the batch loss goes to lossOut[0] and, when
   * counting, the rows the forward pass got right to lossOut[1].
   */
  private batchStep(count: number, t: number, counting: boolean): void {
    const { layers, acts, params, grad, xb } = this;
    const last = layers.length - 1;
    this.forward(xb, 0, count);
    const P = acts[last];
    lossForward(this.lossOut, this.loss, P, this.logits ?? P, this.yb, 0, count, this.outputs);
    this.lossOut[1] = counting ? countCorrect(P, this.yb, count, this.outputs) : 0;
    let dCur = this.dCur;
    let dNext = this.dNext;
    lossBackward(this.loss, dCur, P, this.yb, 0, count, this.outputs);
    for (let l = last; l >= 0; l--) {
      const dPrev = l === 0 ? null : dNext;
      const Xprev = l === 0 ? xb : acts[l - 1];
      denseBackward(dPrev, dCur, acts[l], Xprev, 0, params, grad, layers[l], count, this.fused && l === last);
      const swap = dCur;
      dCur = dNext;
      dNext = swap;
    }
    const opt = this.opt;
    beginStep(opt, t);
    for (let l = 0; l <= last; l++) {
      const layer = layers[l];
      // L2 on weights only, never biases
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

  /** Forward pass of rows [0, count) of X from offset xOff into acts (and logits). */
  private forward(X: Float32Array, xOff: number, count: number): void {
    const { layers, acts, params } = this;
    const last = layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const input = l === 0 ? X : acts[l - 1];
      const inOff = l === 0 ? xOff : 0;
      denseForward(acts[l], l === last ? this.logits : null, input, inOff, params, layers[l], count);
    }
  }

  /** predict / evaluate in blocks of maxBatch rows; returns the loss when Y is given, else 0. */
  private forwardBlocks(X: Float32Array, Y: Float32Array | null, rows: number, out: Float32Array): number {
    const outputs = this.outputs;
    const P = this.acts[this.layers.length - 1];
    let total = 0;
    for (let start = 0; start < rows; start += this.maxBatch) {
      const count = Math.min(this.maxBatch, rows - start);
      this.forward(X, start * this.inputs, count);
      const outOff = start * outputs;
      for (let i = 0; i < count * outputs; i++) out[outOff + i] = P[i];
      if (Y !== null) {
        lossForward(this.lossOut, this.loss, P, this.logits ?? P, Y, outOff, count, outputs);
        total += lossIsSum(this.loss) ? this.lossOut[0] : this.lossOut[0] * count;
      }
    }
    return lossIsSum(this.loss) ? total : total / rows;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('This trainer has been disposed; create a new one with createTrainer');
  }
}
