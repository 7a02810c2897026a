// fit's sample weights: sampleWeight and classWeight checked and multiplied into one float32
// weight per training row (what the engines read through their shuffle order), and
// validationSampleWeight checked for the validation rows. Everything is checked before training.
import { RANGES } from './engine/contract.js';
import type { ActivationName } from './engine/engine.js';
import { classOf } from './metrics.js';
import { invalidArgument, outOfRange } from './validate.js';

/** What the weights need to know of the network's output: its activation, units and loss. */
export interface WeightShape {
  outputs: number;
  outputActivation: ActivationName;
  loss: string;
}

/**
 * How many classes the output has for classWeight, or why it has none: a softmax output or
 * sigmoid outputs other than multi-label ones have one class per row (argmax; a single sigmoid
 * unit: classes 0 and 1); regression and multi-label outputs (several sigmoid units with bce)
 * do not.
 */
export function weightClasses(shape: WeightShape): number | string {
  const { outputs, outputActivation: activation, loss } = shape;
  if (activation === 'softmax') return outputs;
  if (activation === 'sigmoid') {
    if (outputs === 1) return 2;
    if (loss !== 'bce') return outputs;
    return 'a multi-label output (several sigmoid units with bce) has no single class per sample';
  }
  return `a '${activation}' output is regression, which has no classes`;
}

/** Checked copy of one weight per row: finite float32 numbers >= 0 (not all 0 when `positive`). */
export function checkWeights(
  value: ArrayLike<unknown>,
  name: string,
  rows: number,
  what: string,
): Float32Array {
  if (value.length !== rows) throw outOfRange(name, `${rows} weights (${what})`, value);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = checkWeight(value[i], `${name}[${i}]`);
  return out;
}

function checkWeight(v: unknown, name: string): number {
  const range = RANGES.sampleWeight;
  if (typeof v !== 'number') throw invalidArgument(name, range.expected, v);
  // -0 is 0: the engines read it as no weight
  if (!(v >= 0) || !Number.isFinite(Math.fround(v))) throw outOfRange(name, range.expected, v);
  return v;
}

/** Throws unless the weights sum to more than 0. */
function checkTotal(weights: Float32Array, name: string, what: string): void {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  if (!(total > 0)) {
    throw new RangeError(`Expected ${name} to give ${what} a positive total weight but received all zero`);
  }
}

/** The class of each of `rows` target rows (argmax of Y, or y >= 0.5 for one output). */
function rowClasses(Y: Float32Array, rows: number, outputs: number): Uint32Array {
  const classes = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) classes[r] = classOf(Y, r, outputs);
  return classes;
}

/**
 * classWeight 'balanced' as scikit-learn's compute_class_weight: n_samples / (n_classes *
 * count_c) over the classes present in `classes` (a class with no sample gets 0: it weighs
 * nothing).
 */
export function balancedClassWeights(classes: ArrayLike<number>, count: number): Float64Array {
  const counts = new Float64Array(count);
  for (let r = 0; r < classes.length; r++) counts[classes[r]]++;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? classes.length / (present * c) : 0));
}

export interface WeightOptions {
  sampleWeight: ArrayLike<unknown> | null;
  classWeight: 'balanced' | ArrayLike<unknown> | null;
}

/**
 * The training rows' weights, or null when neither option is given. sampleWeight holds one
 * weight per sample of X (`allRows`, before validationSplit); the training rows are its first
 * `rows`. classWeight's classes are read from the training targets Y.
 */
export function trainingWeights(
  options: WeightOptions,
  allRows: number,
  Y: Float32Array,
  rows: number,
  shape: WeightShape,
): Float32Array | null {
  const { sampleWeight, classWeight } = options;
  if (sampleWeight === null && classWeight === null) return null;
  const samples =
    sampleWeight === null ? null : checkWeights(sampleWeight, 'sampleWeight', allRows, 'one per sample of X');
  if (samples !== null) {
    const kept = samples.subarray(0, rows);
    checkTotal(kept, 'sampleWeight', rows === allRows ? 'the samples' : 'the samples validationSplit keeps');
    if (classWeight === null) return kept.slice();
  }
  const count = weightClasses(shape);
  if (typeof count === 'string')
    throw new TypeError(`Expected a classification output for classWeight: ${count}`);
  const classes = rowClasses(Y, rows, shape.outputs);
  const perClass =
    classWeight === 'balanced'
      ? balancedClassWeights(classes, count)
      : Float64Array.from(
          checkWeights(
            classWeight as ArrayLike<unknown>,
            'classWeight',
            count,
            'one per class of the output',
          ),
        );
  const weights = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    weights[r] = (samples === null ? 1 : samples[r]) * perClass[classes[r]];
    if (!Number.isFinite(weights[r])) {
      throw outOfRange(
        `sampleWeight[${r}] x classWeight`,
        'a product that is a finite float32 number',
        weights[r],
      );
    }
  }
  checkTotal(
    weights,
    samples === null ? 'classWeight' : 'sampleWeight and classWeight',
    'the training samples',
  );
  return weights;
}

/** validationSampleWeight for `rows` validation samples, checked; null when not given. */
export function validationWeights(value: ArrayLike<unknown> | null, rows: number): Float32Array | null {
  if (value === null) return null;
  const weights = checkWeights(value, 'validationSampleWeight', rows, 'one per validation sample');
  checkTotal(weights, 'validationSampleWeight', 'the validation samples');
  return weights;
}
