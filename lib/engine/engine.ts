// The one seam between the Network (lib/) and an engine (lib/engine/ts, lib/engine/native.ts).
// Plain types and the numeric contract both engines implement identically; no code that runs.
// Nothing above lib/engine/ imports a concrete engine: it asks select.ts for an Engine.

import type { ActivationName, EngineName, LossName, OptimizerKind } from './contract.js';
import { scanFinite } from './finite.js';

// Names, codes, ranges and limits are declared once in contract.ts; re-exported for the engines.
export type { ActivationName, EngineName, LossName, OptimizerKind } from './contract.js';
export { LEAKY_RELU_ALPHA } from './contract.js';

/** One dense layer: Z = A_prev W (+ b), A = activation(Z). W is (inputs, units), row-major. */
export interface LayerPlan {
  inputs: number;
  units: number;
  activation: ActivationName;
  useBias: boolean;
  /**
   * Inverted dropout on this layer's output A while training, in [0, 1) (RANGES.dropout); 0 or
   * absent: none, and then nothing is drawn. Never on the output layer (both engines refuse it). Inference
   * (predict, evaluate, createModel) ignores it. See "Dropout" below for the masks.
   */
  dropout?: number;
}

/**
 * Optimizer settings, all resolved (no defaults left to the engine).
 * Each step first clips the loss gradient g (over ALL parameters, biases included):
 *   clipValue > 0: g = clamp(g, -clipValue, clipValue), element by element; then
 *   clipNorm > 0:  n = sqrt(sum g^2) in float64 (blocks of CLIP_NORM_BLOCK floats, each summed in
 *                  4 interleaved partial sums, the blocks in order: the same number on both engines
 *                  and any thread count); when n > clipNorm, g *= float32(clipNorm / (n + 1e-6))
 *                  (torch.nn.utils.clip_grad_norm_). Value first, so the norm bound holds last.
 * Then L2 adds weightDecay * w to the clipped g, for WEIGHTS only, never biases (sgd, momentum,
 * nesterov, adam, rmsprop: PyTorch's weight_decay, added inside the step, after clipping);
 * t counts steps from 1:
 *   sgd:       w -= lr * g
 *   momentum:  v = momentum * v + g;  w -= lr * v                      (PyTorch form)
 *   nesterov:  v = momentum * v + g;  w -= lr * (g + momentum * v)      (PyTorch form)
 *   adam:      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *              w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
 *              (the two bias corrections computed in float64 once per step)
 *   adamw:     decoupled decay, no L2: w *= float32(1 - lr * weightDecay) for WEIGHTS (biases are
 *              not decayed, as L2 never touches them), then adam's step with g (torch.optim.AdamW)
 *   rmsprop:   s = rho s + (1-rho) g^2;  a = sqrt(s) + epsilon;
 *              momentum > 0: b = momentum * b + g / a;  w -= lr * b
 *              else:         w -= lr * (g / a)                      (torch.optim.RMSprop)
 */
export interface OptimizerPlan {
  kind: OptimizerKind;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** RMSprop's square-average decay (PyTorch's alpha). */
  rho: number;
  /** Global gradient norm threshold; 0: off. */
  clipNorm: number;
  /** Per-element gradient bound; 0: off. */
  clipValue: number;
}

/**
 * Everything an engine needs to build a trainer.
 * Parameter layout (one flat Float32Array, see paramLayout in lib/engine/layout.ts): for each layer in
 * order, W (inputs*units, row-major (inputs, units)) then b (units) when useBias.
 * Optimizer state: momentum/nesterov use state[0, P) as v; adam and adamw use state[0, P) as m and
 * state[P, 2P) as v; rmsprop uses state[0, P) as the square average s and state[P, 2P) as the
 * momentum buffer b (untouched while momentum is 0). sgd uses none (state may be empty).
 */
export interface TrainerPlan {
  layers: LayerPlan[];
  loss: LossName;
  optimizer: OptimizerPlan;
  /** Largest batch the trainer will see; workspaces are sized for it once. */
  batchSize: number;
  /** Worker threads for large products (native only; the TS engine ignores it). */
  threads: number;
  /**
   * huber's delta: when present a positive finite float32 (read as float32) whatever the loss,
   * absent: DEFAULTS.huberDelta (1.0). The other losses ignore its value.
   */
  huberDelta?: number;
}

/*
 * Loss contract (P = predictions A_L, Y = targets, both (rows, outputs); Z_L = output logits;
 * d = P - Y; n = rows * outputs):
 *   sse:           L = sum over rows and outputs of d^2                gradient: 2 d
 *   half-sse:      L = 0.5 * sum d^2                                   gradient: d
 *   mse:           L = mean over rows and outputs of d^2               gradient: 2 d / n
 *   bce:           (output activation must be sigmoid) per element, from the logit z, stably:
 *                  l = max(z,0) - z y + log1p(exp(-|z|)); L = mean over rows and outputs
 *                  dZ = d / n                          (fused: no sigmoid derivative applied)
 *   cross-entropy: (output activation must be softmax) per row l = logsumexp(z) - sum_k y_k z_k;
 *                  L = mean over rows;  dZ = d / rows                   (fused)
 *   mae:           L = mean over rows and outputs of |d|               gradient: sign(d) / n
 *                  (sign(0) = 0: the subgradient PyTorch's L1Loss takes)
 *   huber:         per element l = 0.5 d^2 when |d| <= delta, else delta (|d| - 0.5 delta);
 *                  L = mean over rows and outputs (PyTorch's HuberLoss, reduction 'mean')
 *                  gradient: d when |d| <= delta, else delta sign(d), over n. delta is the
 *                  plan's huberDelta as float32 (default 1.0).
 * sse and half-sse are SUMS over the batch (seeds 000 and 001), the rest means.
 * For sse/half-sse/mse/mae/huber the gradient dA is turned into dZ by the output activation's
 * derivative (softmax: dZ_i = A_i (dA_i - sum_j dA_j A_j)), so they take any output activation.
 * Activation derivatives are computed from A alone: sigmoid A(1-A), tanh 1-A^2, relu A>0 ? 1:0,
 * leakyRelu A>0 ? 1 : alpha, linear 1. So engines keep A per layer, not Z.
 * Stable forms: sigmoid(z) = z>=0 ? 1/(1+e^-z) : e^z/(1+e^z); softmax subtracts the row max.
 *
 * Sample weights (TrainChunk.weights, evaluate's weights; w_r >= 0 per row, W = the batch's sum
 * of w_r in float64; null = every w_r is 1, W = rows):
 *   the mean losses become sum_r w_r l_r / (W * outputs) (cross-entropy: / W), l_r the row's sum
 *   of element losses; sse/half-sse become the weighted sum sum_r w_r l_r. Each row's gradient
 *   is multiplied by w_r and the mean's divisor is W * outputs (W) instead of rows * outputs
 *   (rows). With every w_r = 1 both are exactly the unweighted numbers (1 * x = x, the sum of
 *   ones is exact), bit for bit. A row of weight 0 has no influence on the batch.
 *   A batch whose weights sum to 0 has loss 0 and no update at all (parameters and optimizer
 *   state untouched, no weight decay), but its step is still counted: the step count stays
 *   epochs x batches, so Adam's next bias correction uses t as if the step had been taken.
 *
 * Epoch loss reported by trainEpochs: for sse/half-sse the sum of the batch losses (= the loss
 * over the whole epoch's data, as seed 000 prints it); for the mean losses the batch losses
 * weighted by batch weight W (rows when unweighted) and divided by the epoch's total weight (0
 * when that is 0). Each batch's loss is taken in the forward pass, before that batch's update.
 * Accumulate in float64.
 *
 * Batches: an epoch visits rows in `order` (or 0..rows-1 when order is null) in consecutive
 * batches of batchSize; the last batch may be smaller and its mean uses its own row count.
 */

/*
 * Dropout (training only). For a layer with dropout p > 0: threshold = floor(p * 2^32) (an
 * integer below 2^32, exact in float64 and uint64), scale = float32(1 / (1 - p)) (the quotient in
 * float64, rounded once). Each batch, during its forward pass, in layer order, each dropout
 * layer draws one 32-bit word per element of its (rows, units) output, row-major, from the
 * chunk's xoshiro128** generator (TrainChunk.rng, the algorithm of lib/random.ts nextUint32 and
 * native/core/random.hpp); the element is kept when word >= threshold: mask = scale, else 0. The
 * next layer reads A * mask (float32 product) instead of A; backward multiplies the gradient
 * reaching that output by the same mask before the layer's own activation derivative (taken
 * from A, before the mask). A batch of r rows draws r * units words per dropout layer; a chunk
 * draws them batch after batch, epoch after epoch, and leaves rng where it stopped.
 *
 * Schedules (TrainChunk.schedule; null: every step uses plan.optimizer.learningRate). The rate of
 * an optimizer step is computed in float64 from the schedule; the engines use it where they would
 * use the plan's learningRate. gamma^k is taken by binary exponentiation (squaring, in float64:
 * both engines multiply the same numbers in the same order). E is the schedule's epoch of the
 * step (schedule.epoch + the chunk's epochs before it), s its position (schedule.position + the
 * chunk's steps before it), lr = schedule.learningRate:
 *   constant:    lr
 *   step:        lr * gamma^floor(E / every)
 *   exponential: lr * gamma^E
 *   cosine:      s < warmupSteps: lr * (s + 1) / warmupSteps     (linear warm-up, reaching lr)
 *                else min + (lr - min) * 0.5 * (1 + cos(pi * q)), q = (s - warmupSteps) / (totalSteps
 *                - 1 - warmupSteps), q = 1 when that denominator is <= 0 (min = minLearningRate;
 *                the first step after the warm-up uses lr, step totalSteps - 1 uses min; cos is
 *                each platform's, Math.cos or std::cos, which may differ in the last bit)
 */

/** The learning-rate schedule of one chunk; every field is checked (contract RANGES). */
export interface ChunkSchedule {
  /** SCHEDULE_CODES: 0 constant, 1 step, 2 exponential, 3 cosine. */
  kind: number;
  /** The base rate the schedule scales (RANGES.learningRate). */
  learningRate: number;
  /** step: epochs per decay (RANGES.scheduleEvery; any other kind ignores it but it is checked). */
  every: number;
  /** step, exponential: factor per decay (RANGES.scheduleGamma). */
  gamma: number;
  /** cosine: steps of warm-up (RANGES.warmupSteps). */
  warmupSteps: number;
  /** cosine: steps the schedule spans (RANGES.scheduleTotalSteps). */
  totalSteps: number;
  /** cosine: the rate of its last step (RANGES.minLearningRate). */
  minLearningRate: number;
  /** The schedule's epochs before this chunk (RANGES.scheduleEpoch). */
  epoch: number;
  /** The schedule's optimizer steps before this chunk (RANGES.schedulePosition). */
  position: number;
}

/** Arguments of one trainEpochs call. Arrays are read in place; nothing is retained. */
export interface TrainChunk {
  /** (rows, inputs) row-major. */
  X: Float32Array;
  /** (rows, outputs) row-major: targets, one-hot rows for cross-entropy. */
  Y: Float32Array;
  rows: number;
  /** null: data order every epoch; else epochs*rows indices, epoch e uses [e*rows, (e+1)*rows). */
  order: Uint32Array | null;
  epochs: number;
  /** Batch size for this chunk, 1..plan.batchSize. */
  batchSize: number;
  /** Optimizer steps taken before this chunk (adam's t starts at step+1). */
  step: number;
  /** Receives the loss of each epoch: losses[0..epochs). */
  losses: Float64Array;
  /**
   * null, or receives per epoch the training metric of the forward passes (before each batch's
   * update, as for the loss), by the plan's task (contract.ts taskOf): binary and multiclass the
   * rows classified right (one output: (p >= 0.5) == (y >= 0.5); several: the first argmax of p
   * equals the first argmax of y); multilabel the sum over rows of (labels with (p >= 0.5) ==
   * (y >= 0.5)) / outputs; regression the sum over rows of mean |p - y| over the outputs. So
   * metric / rows is the epoch's accuracy, or its mae, without a second pass. Sums in float64,
   * row by row in batch order, the same in both engines (lib/engine/ts/metrics.ts,
   * native/core/metrics.cpp): from the same predictions they give the same value.
   */
  metric?: Float64Array | null;
  /** null (or absent): every step uses plan.optimizer.learningRate. */
  schedule?: ChunkSchedule | null;
  /**
   * The dropout generator: a Uint32Array of 4 words (xoshiro128** state, not all zero), advanced
   * in place. Required when a layer has dropout > 0; otherwise ignored (may be null).
   */
  rng?: Uint32Array | null;
  /** null, or receives per epoch the learning rate its last step used: learningRates[0..epochs). */
  learningRates?: Float64Array | null;
  /**
   * null (or absent): every row weighs 1. Else one finite weight >= 0 per row of X (length
   * >= rows), read through `order` like X and Y; see the loss contract for what weights do.
   */
  weights?: Float32Array | null;
}

/** What an inference model needs: the network's shape and loss, nothing of training. */
export interface ModelPlan {
  layers: LayerPlan[];
  /** The loss evaluate reports. */
  loss: LossName;
  /** Most threads one product may use (native only; 0 = one per hardware thread). */
  threads: number;
  /** huber's delta, as TrainerPlan.huberDelta (absent: 1.0). */
  huberDelta?: number;
}

/** The inference workspace rule, in the contract: both engines apply it. */
export {
  INFERENCE_BLOCK_ROWS,
  INFERENCE_SMALL_PARAMS,
  INFERENCE_WORKSPACE_FLOOR,
  INFERENCE_WORKSPACE_SHARE,
} from './contract.js';

/** The forward pass over the params given at creation (read in place on every call). */
export interface Forward {
  /** Forward pass only: out is (rows, outputs). */
  predict(X: Float32Array, rows: number, out: Float32Array): void;
  /**
   * Forward pass into out, returns the loss of (X, Y) as trainEpochs defines an epoch's loss;
   * weights (null or absent: all 1) weigh the rows as a chunk's weights do.
   */
  evaluate(
    X: Float32Array,
    Y: Float32Array,
    rows: number,
    out: Float32Array,
    weights?: Float32Array | null,
  ): number;
  /** Releases workspaces; unusable afterwards. Safe to call twice. */
  dispose(): void;
}

/** Inference only: forward workspaces, no gradients or optimizer state. */
export interface InferenceModel extends Forward {
  /**
   * predict that also checks X: returns the index of X's first value that is not finite (NaN or
   * +-Infinity, row-major) or -1. Each block's rows are checked just before its first layer reads
   * them (on each thread, its rows), instead of in a pass over all of X before the forward pass;
   * a bad value stops the pass at its block, and out's rows are then unspecified.
   */
  predictChecked(X: Float32Array, rows: number, out: Float32Array): number;
  /** Bytes of the workspaces allocated so far (grows with the rows asked, up to a block). */
  workspaceBytes(): number;
}

/** Adds gradients, backward workspaces (sized for plan.batchSize) and the optimizer update. */
export interface Trainer extends Forward {
  /**
   * True when trainEpochsAsync runs on another thread (the params and state are written off the
   * event loop until it settles); false when it runs on the calling thread.
   */
  readonly runsOffThread: boolean;
  /** Trains in place on the params/state given to createTrainer. Returns the new step count. */
  trainEpochs(chunk: TrainChunk): number;
  /** Same as trainEpochs, off the calling thread where the engine can (native). */
  trainEpochsAsync(chunk: TrainChunk): Promise<number>;
}

export interface Engine {
  readonly name: EngineName;
  /**
   * C = alpha * op(A) op(B) + beta * C, row-major, no leading-dimension padding.
   * op(A) is (m, k): A is (m, k), or (k, m) when transA. op(B) is (k, n): B is (k, n), or (n, k)
   * when transB. C is (m, n). beta = 0 overwrites C (NaN in C does not propagate).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    A: Float32Array,
    B: Float32Array,
    beta: number,
    C: Float32Array,
  ): void;
  /** params: the network's flat parameters, read in place. */
  createModel(plan: ModelPlan, params: Float32Array): InferenceModel;
  /** params: the network's flat parameters; state: optimizer state (see TrainerPlan). */
  createTrainer(plan: TrainerPlan, params: Float32Array, state: Float32Array): Trainer;
  /**
   * n zeroed elements for a fit's own arrays (X, Y, order, weights) and a network's parameters
   * and optimizer state (never handed to a user). The native engine's live in addon memory that
   * trainEpochsAsync reads (and trains params and state) in place, kept alive for the call,
   * instead of copying (native/addon/shared_blocks.hpp); the TS engine's are plain arrays.
   */
  allocateFloat32(n: number): Float32Array;
  allocateUint32(n: number): Uint32Array;
  /**
   * The index of src's first value that is not finite (NaN or +-Infinity), or -1. When dst is
   * given (a Float32Array of at least src.length, not overlapping src) it receives a copy of src
   * in the same pass, whatever the answer: the check and the copy fit makes of its inputs read
   * the data once (native: native/core/finite.hpp; TS: lib/engine/finite.ts).
   */
  scanFinite(src: Float32Array, dst: Float32Array | null): number;
}

/** Where a fit's own arrays come from (an engine, or plain arrays), and how they are checked. */
export interface Allocator extends Pick<Engine, 'allocateUint32' | 'scanFinite'> {
  /**
   * Engine.allocateFloat32. overwrite: the caller writes all n values before it reads any (a copy
   * of X), so an array handed out again (FitArrays) is not zeroed first: zeroing a 60 MB copy
   * that the scan then overwrites cost a pass over it per fit (bench/api-speed.ts).
   */
  allocateFloat32(n: number, overwrite?: boolean): Float32Array;
}

/** What converting X and y needs of an Allocator (toMatrix, toTargets): float arrays and the check. */
export type FloatAllocator = Pick<Allocator, 'allocateFloat32' | 'scanFinite'>;

/** Plain typed arrays, checked in JS. */
export const plainArrays: Allocator = {
  allocateFloat32: (n) => new Float32Array(n),
  allocateUint32: (n) => new Uint32Array(n),
  scanFinite: (src, dst) => scanFinite(src, dst),
};
