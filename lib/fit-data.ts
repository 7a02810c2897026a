// The data fit, predict and evaluate hand to an engine: checked row-major features (scaled by the
// network's inputScaling), targets, and the validation rows held out of training.
import {
  type ActivationName,
  type Allocator,
  type FloatAllocator,
  type LossName,
  plainArrays,
} from './engine/engine.js';
import { type Features, type Matrix, type Targets, toMatrix, toTargets } from './inputs.js';
import { trainingWeights, validationWeights } from './sample-weights.js';
import { applyScaling, type InputScaling } from './scaling.js';
import type { ResolvedFitOptions } from './train-options.js';

export interface TrainingData {
  X: Matrix;
  Y: Float32Array;
  /** One weight per row of X (sampleWeight times classWeight), or null: unweighted. */
  weights: Float32Array | null;
  /** weights: validationSampleWeight, or null: unweighted. */
  validation: { X: Matrix; Y: Float32Array; weights: Float32Array | null } | null;
}

/** What the checks need to know of the network. */
export interface DataShape {
  inputs: number;
  outputs: number;
  loss: LossName;
  scaling: InputScaling | null;
  /** The output layer's activation (which outputs have classes, for classWeight). */
  outputActivation: ActivationName;
}

/**
 * Checked row-major inputs, standardized by `scaling` (on a copy) when it is set. ownCopy: always
 * in an array from that allocator (the caller's Float32Array is copied, rows are written there).
 * arrays: where any other array comes from, and how values are checked (the engine's scan).
 */
export function features(
  X: Features,
  name: string,
  shape: DataShape,
  ownCopy: FloatAllocator | null = null,
  arrays: FloatAllocator = plainArrays,
): Matrix {
  const { scaling } = shape;
  // the check and the copy are one pass over a caller's Float32Array (Allocator.scanFinite)
  const m = toMatrix(X, name, shape.inputs, ownCopy ?? arrays, ownCopy !== null || scaling !== null);
  if (scaling) applyScaling(m.data, scaling);
  return m;
}

/** Checked targets for `rows` samples. */
export function targets(
  y: Targets,
  name: string,
  rows: number,
  shape: DataShape,
  into: FloatAllocator = plainArrays,
): Float32Array {
  return toTargets(y, name, rows, shape.outputs, shape.loss, into);
}

/**
 * fit's training and validation data, checked, as copies fit owns (weights included). The
 * training arrays come from `into` (the engine: the native engine's async calls then read them in
 * place, with no copy per chunk).
 */
export function trainingData(
  X: Features,
  y: Targets,
  opts: ResolvedFitOptions,
  shape: DataShape,
  into: Allocator = plainArrays,
): TrainingData {
  // fit owns copies of its data: a caller's Float32Array may be written to, or its buffer
  // transferred, while an async fit still reads it off the event loop.
  const all = features(X, 'X', shape, into);
  const Y = targets(y, 'y', all.rows, shape, into);
  let data: TrainingData;
  if (opts.validationData) {
    const vx = features(opts.validationData[0], 'validationData[0]', shape, plainArrays);
    const vy = targets(opts.validationData[1], 'validationData[1]', vx.rows, shape);
    data = { X: all, Y, weights: null, validation: { X: vx, Y: vy, weights: null } };
  } else if (opts.validationSplit > 0) data = splitValidation(all, Y, opts.validationSplit);
  else data = { X: all, Y, weights: null, validation: null };
  // the split keeps the first rows: the training rows' weights are the first of sampleWeight's
  const weights = trainingWeights(opts, all.rows, data.Y, data.X.rows, shape);
  if (weights) {
    data.weights = into.allocateFloat32(weights.length); // one float a row: a small copy
    data.weights.set(weights);
  }
  if (data.validation) {
    data.validation.weights = validationWeights(opts.validationSampleWeight, data.validation.X.rows);
  }
  return data;
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
    weights: null,
    validation: {
      X: { data: all.data.subarray(kept * cols), rows: held, cols },
      Y: Y.subarray(kept * outs),
      weights: null,
    },
  };
}
