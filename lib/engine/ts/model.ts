// The TS engine's inference model: the forward pass in blocks over the network's params, with
// nothing of training. Its only workspaces are two hidden-activation buffers and the output
// logits, sized for the rows actually asked (in steps of 8, up to one block; engine.ts gives the
// rule), so a one-row predict on a large network allocates one small step. The output layer
// writes straight into the caller's out. Mirrors native/core/model.cpp.
import { DEFAULTS } from '../contract.js';
import {
  INFERENCE_BLOCK_ROWS,
  INFERENCE_SMALL_PARAMS,
  INFERENCE_WORKSPACE_FLOOR,
  INFERENCE_WORKSPACE_SHARE,
  type InferenceModel,
  type LayerPlan,
  type ModelPlan,
} from '../engine.js';
import { firstNonFinite } from '../finite.js';
import { checkArray, checkEvaluateArgs, checkModelPlan, checkPredictArgs } from './checks.js';
import { type DenseLayer, denseForward, denseLayers } from './dense.js';
import { batchWeight, type LossSettings, lossForward, lossIsSum } from './losses.js';

const EMPTY = new Float32Array(0);
/** Workspaces grow in steps of this many rows. */
const GROWTH_ROWS = 8;

/** Rows per forward block for these layers and parameter count (the rule in engine.ts). */
export function inferenceBlockRows(layers: readonly LayerPlan[], params: number): number {
  const perRow = 2 * widestHidden(layers) + layers[layers.length - 1].units;
  const share = Math.floor(params / INFERENCE_WORKSPACE_SHARE);
  const budget = params < INFERENCE_SMALL_PARAMS ? Math.max(share, INFERENCE_WORKSPACE_FLOOR) : share;
  return Math.min(INFERENCE_BLOCK_ROWS, Math.max(1, Math.floor(budget / perRow)));
}

function widestHidden(layers: readonly LayerPlan[]): number {
  let widest = 0;
  for (let l = 0; l + 1 < layers.length; l++) widest = Math.max(widest, layers[l].units);
  return widest;
}

export class TsModel implements InferenceModel {
  private params: Float32Array;
  private layers: DenseLayer[];
  private readonly inputs: number;
  private readonly outputs: number;
  private readonly loss: number;
  private readonly lossSettings: LossSettings;
  private readonly blockRows: number;
  private readonly widest: number;
  private reservedRows = 0;
  /** (rows, widest hidden layer) each: hidden activations, ping-pong. */
  private ping = EMPTY;
  private pong = EMPTY;
  /** (rows, outputs): the output layer's Z (the losses read logits). */
  private logits = EMPTY;
  private readonly lossOut = new Float64Array(2);
  private disposed = false;

  constructor(plan: ModelPlan, params: Float32Array) {
    checkModelPlan(plan);
    checkArray('params', params, Float32Array); // its kind before its length, as the addon
    const resolved = denseLayers(plan, params);
    this.params = params;
    this.layers = resolved.layers;
    this.loss = resolved.loss;
    this.lossSettings = { loss: this.loss, delta: Math.fround(plan.huberDelta ?? DEFAULTS.huberDelta) };
    this.inputs = this.layers[0].inputs;
    this.outputs = this.layers[this.layers.length - 1].units;
    this.blockRows = inferenceBlockRows(plan.layers, resolved.size);
    this.widest = widestHidden(plan.layers);
  }

  predict(X: Float32Array, rows: number, out: Float32Array): void {
    this.checkAlive();
    checkPredictArgs(X, rows, out, this.inputs, this.outputs);
    this.forwardBlocks(X, null, rows, out);
  }

  predictChecked(X: Float32Array, rows: number, out: Float32Array): number {
    this.checkAlive();
    checkPredictArgs(X, rows, out, this.inputs, this.outputs);
    return this.forwardBlocks(X, null, rows, out, null, true);
  }

  evaluate(
    X: Float32Array,
    Y: Float32Array,
    rows: number,
    out: Float32Array,
    weights: Float32Array | null = null,
  ): number {
    this.checkAlive();
    checkEvaluateArgs(X, Y, rows, out, this.inputs, this.outputs, weights);
    return this.forwardBlocks(X, Y, rows, out, weights);
  }

  workspaceBytes(): number {
    return this.ping.byteLength + this.pong.byteLength + this.logits.byteLength;
  }

  dispose(): void {
    this.disposed = true;
    this.params = EMPTY;
    this.layers = [];
    this.ping = EMPTY;
    this.pong = EMPTY;
    this.logits = EMPTY;
  }

  /** Grows the workspaces to hold min(rows, blockRows) rows, in steps of GROWTH_ROWS. */
  private reserve(rows: number): void {
    const wanted = Math.min(rows, this.blockRows);
    if (wanted <= this.reservedRows) return;
    const grown = Math.min(this.blockRows, Math.ceil(wanted / GROWTH_ROWS) * GROWTH_ROWS);
    this.ping = new Float32Array(grown * this.widest);
    this.pong = new Float32Array(grown * this.widest);
    this.logits = new Float32Array(grown * this.outputs);
    this.reservedRows = grown;
  }

  /**
   * predict / evaluate in blocks; returns the loss when Y is given (weighted by W unless null),
   * else 0. check (predictChecked): each block's rows of X are checked just before its first
   * layer reads them; the index of the first non-finite value is returned (the pass stops at its
   * block), else -1.
   */
  private forwardBlocks(
    X: Float32Array,
    Y: Float32Array | null,
    rows: number,
    out: Float32Array,
    W: Float32Array | null = null,
    check = false,
  ): number {
    this.reserve(rows);
    const { layers, params, outputs } = this;
    const last = layers.length - 1;
    const sum = lossIsSum(this.loss);
    let total = 0;
    let totalWeight = 0;
    for (let start = 0; start < rows; start += this.blockRows) {
      const count = Math.min(this.blockRows, rows - start);
      if (check) {
        const bad = firstNonFinite(X, start * this.inputs, (start + count) * this.inputs);
        if (bad >= 0) return bad;
      }
      // A view of this block's rows of out (a small object, no new buffer): the output layer's
      // A goes there directly.
      const P = out.subarray(start * outputs, (start + count) * outputs);
      let input = X;
      let inOff = start * this.inputs;
      let dst = this.ping;
      for (let l = 0; l <= last; l++) {
        const A = l === last ? P : dst;
        denseForward(A, l === last ? this.logits : null, input, inOff, params, layers[l], count);
        input = A;
        inOff = 0;
        dst = dst === this.ping ? this.pong : this.ping;
      }
      if (Y !== null) {
        const weight = batchWeight(W, start, count);
        const s = this.lossSettings;
        lossForward(this.lossOut, s, P, this.logits, Y, start * outputs, W, start, weight, count, outputs);
        total += sum ? this.lossOut[0] : this.lossOut[0] * weight;
        totalWeight += weight;
      }
    }
    if (check) return -1;
    return sum ? total : totalWeight === 0 ? 0 : total / totalWeight;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('This model has been disposed; create a new one with createModel');
  }
}
