// An async fit does not stall the event loop with work that grows with the data (issue 15, item
// 14): between two turns of the event loop the fit loop does at most SLICE_WORK multiply-adds on
// the calling thread. Checked by structure, not by time: the loop is driven request by request
// with a target that counts the work of each synchronous slice (rows x parameters of every
// evaluation), so the test holds on any machine. Validation larger than a slice is evaluated in
// blocks with a 'turn' between them; a chunk's shuffled order (an epoch's rows or up to
// MAX_ORDER indices, hundreds of milliseconds of JS for millions of rows) is filled in and shuffled in parts of SLICE_SHUFFLE entries with a turn
// between them (the entries each slice wrote are counted from the order itself); fit and fitSync
// give the same history bit for bit.
import { describe, expect, test } from 'vitest';
import { type Engine, plainArrays } from '../lib/engine/engine.js';
import { paramLayout } from '../lib/engine/layout.js';
import type { TrainingData } from '../lib/fit-data.js';
import type { Matrix } from '../lib/inputs.js';
import { evaluationOf } from '../lib/metrics.js';
import { Network } from '../lib/network.js';
import { Random } from '../lib/random.js';
import {
  type FitRequest,
  type FitTarget,
  fitLoop,
  SLICE_SHUFFLE,
  SLICE_WORK,
  validationBlockRows,
} from '../lib/train.js';
import { resolveFitOptions } from '../lib/train-options.js';
import { optimizer, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';

const inputs = 20;
const classes = 3;
const plan = trainerPlan(
  stack([inputs, 64, classes], 'tanh', 'softmax'),
  'cross-entropy',
  optimizer('sgd'),
  32,
);
const P = paramLayout(plan.layers).size;
/** Enough validation rows for four slices' work: one evaluation would be one long stall. */
const validationRows = Math.ceil((3.5 * SLICE_WORK) / P);

function rows(n: number, seed: number): { X: Matrix; Y: Float32Array; labels: number[] } {
  const random = new Random(seed);
  const data = new Float32Array(n * inputs);
  for (let i = 0; i < data.length; i++) data[i] = random.range(-1, 1);
  const Y = new Float32Array(n * classes);
  const labels: number[] = [];
  for (let r = 0; r < n; r++) {
    const label = data[r * inputs] > 0.3 ? 2 : data[r * inputs] > -0.3 ? 1 : 0;
    labels.push(label);
    Y[r * classes + label] = 1;
  }
  return { X: { data, rows: n, cols: inputs }, Y, labels };
}

describe.each(engines)('$name engine: the fit loop works in bounded slices', (engine: Engine) => {
  test('validation larger than a slice is evaluated in blocks, a turn between them', () => {
    const train = rows(256, 1);
    const validation = rows(validationRows, 2);
    const params = new Float32Array(P).map((_, i) => Math.sin(i) * 0.1);
    const model = engine.createModel(plan, params);
    let slice = 0; // multiply-adds done on the calling thread since the last request
    const target = fitTarget(params, (batchSize) =>
      engine.createTrainer({ ...plan, batchSize }, params, new Float32Array(0)),
    );
    target.evaluate = (m, Y, weights) => {
      slice += m.rows * P;
      const out = new Float32Array(m.rows * classes);
      const loss = model.evaluate(m.data, Y, m.rows, out, weights);
      return evaluationOf('multiclass', loss, out, Y, m.rows, classes, weights);
    };
    target.evaluateInto = (m, Y, weights, out) => {
      slice += m.rows * P;
      return model.evaluate(m.data, Y, m.rows, out, weights);
    };
    const data: TrainingData = {
      X: train.X,
      Y: train.Y,
      weights: null,
      validation: { X: validation.X, Y: validation.Y, weights: null },
    };
    const options = resolveFitOptions({ epochs: 2, batchSize: 32, shuffle: false });
    const loop = fitLoop(target, data, options, new Random(3));
    const slices: number[] = [];
    let turns = 0;
    let next = loop.next();
    while (!next.done) {
      slices.push(slice);
      slice = 0;
      const request = next.value;
      if (request.kind === 'turn') {
        turns++;
        next = loop.next();
      } else if (request.kind === 'train') {
        next = loop.next(request.trainer.trainEpochs(request.chunk));
      } else throw new Error('no callback was given');
    }
    slices.push(slice);
    const history = next.value;
    // one evaluation of all rows would have been 3.5 slices of work at once
    expect(validationRows * P).toBeGreaterThan(3 * SLICE_WORK);
    expect(Math.max(...slices)).toBeLessThanOrEqual(SLICE_WORK);
    const blocks = Math.ceil(validationRows / validationBlockRows(P));
    expect(blocks).toBe(4);
    expect(turns).toBe(2 * (blocks - 1)); // per epoch, between its blocks
    // the blocks combine to the evaluation of all rows at once: the same accuracy, the loss to rounding
    const out = new Float32Array(validationRows * classes);
    const whole = model.evaluate(validation.X.data, validation.Y, validationRows, out);
    const expected = evaluationOf('multiclass', whole, out, validation.Y, validationRows, classes);
    expect(history.val_accuracy[1]).toBe(expected.task === 'multiclass' ? expected.accuracy : Number.NaN);
    expect(history.val_loss[1]).toBeCloseTo(whole, 6);
    model.dispose();
  });

  test.each(['sse', 'mse'] as const)(
    'sliced validation of a %s network gives the loss of the whole set (sums add, means weigh by rows)',
    (loss) => {
      const train = rows(64, 6);
      const validation = rows(validationRows, 8);
      const net = new Network({
        inputs,
        layers: [
          { units: 64, activation: 'tanh' },
          { units: classes, activation: 'softmax' },
        ],
        loss,
        seed: 3,
        engine: engine.name,
      });
      const history = net.fitSync(train.X.data, train.labels, {
        epochs: 1,
        validationData: [validation.X.data, validation.labels],
      });
      const whole = net.evaluate(validation.X.data, validation.labels);
      expect(validationRows).toBeGreaterThan(validationBlockRows(net.parameterCount));
      expect(Math.abs(history.val_loss[0] - whole.loss) / whole.loss).toBeLessThan(1e-5);
      if (whole.task === 'multiclass') expect(history.val_accuracy[0]).toBe(whole.accuracy);
      net.dispose();
    },
  );

  test('fit and fitSync give the same history with sliced validation', async () => {
    const train = rows(128, 4);
    const validation = rows(validationRows, 5);
    const make = () =>
      new Network({
        inputs,
        layers: [
          { units: 64, activation: 'tanh' },
          { units: classes, activation: 'softmax' },
        ],
        seed: 7,
        engine: engine.name,
      });
    const toRows = (m: Matrix) => m.data;
    const options = {
      epochs: 2,
      batchSize: 32,
      validationData: [toRows(validation.X), validation.labels] as [Float32Array, number[]],
    };
    const a = make();
    const b = make();
    const sync = a.fitSync(toRows(train.X), train.labels, options);
    const async = await b.fit(toRows(train.X), train.labels, options);
    expect(async).toEqual(sync);
    expect(b.getParameters()).toEqual(a.getParameters());
  });
});

test('a shuffle split into parts of steps is the same shuffle, and leaves the generator in the same state', () => {
  const whole = new Random(9);
  const parted = new Random(9);
  const a = Uint32Array.from({ length: 1000 }, (_, i) => i);
  const b = Uint32Array.from({ length: 1000 }, (_, i) => i);
  whole.shuffle(a, 900, 100);
  for (const [from, to] of [
    [899, 700],
    [700, 699],
    [699, 1],
    [1, 0],
  ])
    parted.shuffleSteps(b, 100, from, to);
  expect(b).toEqual(a);
  expect(parted.getState()).toEqual(whole.getState());
});

/** A fit target over params with no optimizer state, schedule or dropout; evaluation refused unless set. */
function fitTarget(params: Float32Array, trainer: FitTarget['trainer']): Mutable<FitTarget> {
  return {
    params,
    state: new Float32Array(0),
    steps: 0,
    task: 'multiclass',
    classification: true,
    trainer,
    allocator: plainArrays,
    copyBuffer: (n) => new Float32Array(n),
    evaluate: () => {
      throw new Error('no evaluation expected');
    },
    evaluateInto: () => {
      throw new Error('no evaluation expected');
    },
    sumLoss: false,
    advance: () => {},
    learningRate: 0.1,
    rng: null,
    scheduleState: null,
    setScheduleState: () => {},
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** How many entries of `after` differ from `before`. */
function changedEntries(before: Uint32Array, after: Uint32Array): number {
  let changed = 0;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed++;
  return changed;
}

/** A generator that counts its draws (one per shuffle step). */
class CountingRandom extends Random {
  draws = 0;
  override int(n: number): number {
    this.draws++;
    return super.int(n);
  }
}

describe.each(engines)('$name engine: shuffling works in bounded slices', (engine: Engine) => {
  test('the order of 2 epochs x 300000 rows is filled in and shuffled in parts of at most SLICE_SHUFFLE entries', () => {
    // more rows than 2 slices' entries: filling in one epoch's indices at once was one long slice
    const n = 300_000;
    expect(n).toBeGreaterThan(2 * SLICE_SHUFFLE);
    const regression = trainerPlan(stack([1, 1], 'linear', 'linear'), 'mse', optimizer('sgd'), 32);
    const params = new Float32Array(2);
    // classification false: chunks of several epochs would be allowed, but an epoch's order
    // holds more than MAX_ORDER indices: a chunk per epoch (test/89)
    const target = fitTarget(params, (batchSize) =>
      engine.createTrainer({ ...regression, batchSize }, params, new Float32Array(0)),
    );
    target.task = 'regression';
    target.classification = false;
    let order: Uint32Array = new Uint32Array(0); // the loop's, as its allocator handed it out
    target.allocator = {
      ...plainArrays,
      allocateUint32: (length) => {
        order = plainArrays.allocateUint32(length);
        return order;
      },
    };
    const X = new Float32Array(n).map((_, i) => (i % 100) / 100);
    const data: TrainingData = {
      X: { data: X, rows: n, cols: 1 },
      Y: X.map((x) => 2 * x),
      weights: null,
      validation: null,
    };
    const random = new CountingRandom(4);
    const loop = fitLoop(target, data, resolveFitOptions({ epochs: 2, batchSize: 32 }), random);
    const slices: number[] = [];
    const written: number[] = []; // order entries each slice changed: at most 1 per index filled in, 2 per step
    let before = order.slice();
    const requests: FitRequest['kind'][] = [];
    const trained: Uint32Array[] = []; // the order of each chunk, as the engine received it
    let next = loop.next();
    while (!next.done) {
      if (next.value.kind === 'train') trained.push((next.value.chunk.order as Uint32Array).slice());
      slices.push(random.draws);
      random.draws = 0;
      written.push(changedEntries(before, order));
      before = order.slice();
      requests.push(next.value.kind);
      next =
        next.value.kind === 'train'
          ? loop.next(next.value.trainer.trainEpochs(next.value.chunk))
          : loop.next();
    }
    expect(next.value.epochs).toBe(2);
    expect(requests.filter((k) => k === 'train')).toHaveLength(2); // a chunk per epoch
    expect(order).toHaveLength(n);
    expect(Math.max(...slices)).toBeLessThanOrEqual(SLICE_SHUFFLE);
    expect(Math.max(...written)).toBeLessThanOrEqual(2 * SLICE_SHUFFLE);
    expect(slices.reduce((a, b) => a + b, 0)).toBe(2 * (n - 1)); // every step of both shuffles
    // each epoch fills in n indices and takes n - 1 steps; a chunk starts a fresh slice
    expect(requests.filter((k) => k === 'turn').length).toBe(
      2 * (Math.ceil((2 * n - 1) / SLICE_SHUFFLE) - 1),
    );
    // the order trained on is each epoch's shuffle of 0..n-1, as random.shuffle makes it in one go
    const whole = new Random(4);
    for (let e = 0; e < 2; e++) {
      const expected = new Uint32Array(n);
      for (let i = 0; i < n; i++) expected[i] = i;
      whole.shuffle(expected, n, 0);
      expect(changedEntries(expected, trained[e])).toBe(0); // toEqual takes seconds on 300,000 entries
    }
  });
});
