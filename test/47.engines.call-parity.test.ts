// Both engines reject the same hostile call arguments (gemm, trainEpochs, and predict/evaluate of
// a trainer and of an inference model) with the same error
// class and the same message: the TS engine's lib/engine/ts/checks.ts is the twin of the addon's
// native/addon/guards.cpp, and both read their limits (epochs, steps, elements) from the contract.
import { describe, expect, it } from 'vitest';
import { MAX_ELEMENTS, MAX_EPOCHS, MAX_STEPS } from '../lib/engine/contract.js';
import type { Engine, TrainChunk, TrainerPlan } from '../lib/engine/engine.js';
import { nativeEngine } from '../lib/engine/native.js';
import { tsEngine } from '../lib/engine/ts/index.js';

const native = nativeEngine();

function detached(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

/** 'ok', or the class and message of what was thrown. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

const plan: TrainerPlan = {
  layers: [{ inputs: 2, units: 1, activation: 'sigmoid', useBias: true }],
  loss: 'bce',
  optimizer: {
    kind: 'sgd',
    learningRate: 0.1,
    momentum: 0,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    rho: 0.99,
    clipNorm: 0,
    clipValue: 0,
  },
  batchSize: 2,
  threads: 1,
};

const chunk = (): TrainChunk => ({
  X: new Float32Array(4),
  Y: new Float32Array(2),
  rows: 2,
  order: null,
  epochs: 1,
  batchSize: 2,
  step: 0,
  losses: new Float64Array(1),
  metric: null,
});

/** [what, the chunk's bad fields, the error the TS engine must throw (the native one must match)] */
const chunks: [string, () => Record<string, unknown>, string][] = [
  [
    'epochs past the cap',
    () => ({ epochs: MAX_EPOCHS + 1 }),
    `RangeError: Expected an integer in 0..1000000000 for epochs but received ${MAX_EPOCHS + 1}`,
  ],
  [
    'epochs as a string',
    () => ({ epochs: '1' }),
    "TypeError: Expected an integer in 0..1000000000 for epochs but received '1'",
  ],
  [
    'step past 2^53 - 1',
    () => ({ step: MAX_STEPS + 1 }),
    `RangeError: Expected an integer in 0..2^53-1 for step but received ${MAX_STEPS + 1}`,
  ],
  [
    'steps running past 2^53 - 1',
    () => ({ step: MAX_STEPS }),
    `RangeError: Expected at most 2^53-1 steps in total for step but received ${MAX_STEPS}`,
  ],
  [
    'a detached X',
    () => ({ X: detached(4) }),
    'TypeError: Expected a Float32Array with a live buffer for X but received one whose buffer is detached',
  ],
  [
    'a Float64Array X',
    () => ({ X: new Float64Array(4) }),
    'TypeError: Expected a Float32Array for X but received a Float64Array of length 4',
  ],
  [
    'a short X',
    () => ({ X: new Float32Array(3) }),
    'RangeError: Expected a Float32Array of length >= 4 (rows x inputs) for X but received a Float32Array of length 3',
  ],
  [
    'rows x inputs past the element cap',
    () => ({ rows: MAX_ELEMENTS }),
    'RangeError: Expected at most 2^31 elements in all for X but received a Float32Array of length 4',
  ],
  [
    'an order index out of range',
    () => ({ order: new Uint32Array([0, 5]) }),
    'RangeError: Expected indices below 2 for order but received 5 at 1',
  ],
  [
    'an Int32Array order',
    () => ({ order: new Int32Array(2) }),
    'TypeError: Expected a Uint32Array for order but received a Int32Array of length 2',
  ],
  [
    'a Proxy of a Float32Array X',
    () => ({ X: new Proxy(new Float32Array(4), {}) }),
    'TypeError: Expected a Float32Array for X but received a Proxy',
  ],
  [
    'a Float32Array losses',
    () => ({ losses: new Float32Array(1) }),
    'TypeError: Expected a Float64Array for losses but received a Float32Array of length 1',
  ],
  [
    'a Float32Array metric',
    () => ({ metric: new Float32Array(1) }),
    'TypeError: Expected a Float64Array for metric but received a Float32Array of length 1',
  ],
  [
    'a schedule that is not an object',
    () => ({ schedule: 5 }),
    'TypeError: Expected an object for schedule but received 5',
  ],
  [
    'a schedule kind past the codes',
    () => ({ schedule: { ...schedule(), kind: 4 } }),
    'RangeError: Expected an integer in 0..3 for schedule.kind but received 4',
  ],
  [
    'a schedule gamma of 0',
    () => ({ schedule: { ...schedule(), gamma: 0 } }),
    'RangeError: Expected a number in (0, 1] for schedule.gamma but received 0',
  ],
  [
    'a schedule without totalSteps',
    () => ({ schedule: { ...schedule(), totalSteps: undefined } }),
    'TypeError: Expected an integer in 1..2^53-1 for schedule.totalSteps but received undefined',
  ],
  [
    'a schedule position past 2^53 - 1',
    () => ({ schedule: { ...schedule(), position: MAX_STEPS + 1 } }),
    `RangeError: Expected an integer in 0..2^53-1 for schedule.position but received ${MAX_STEPS + 1}`,
  ],
  [
    'an all-zero rng',
    () => ({ rng: new Uint32Array(4) }),
    'RangeError: Expected a xoshiro128** state not all zero for rng but received all zeros',
  ],
  [
    'a short rng',
    () => ({ rng: new Uint32Array(3) }),
    'RangeError: Expected a Uint32Array of length >= 4 (the 4 words of a xoshiro128** state) for rng but received a Uint32Array of length 3',
  ],
  [
    'an Int32Array rng',
    () => ({ rng: new Int32Array(4) }),
    'TypeError: Expected a Uint32Array for rng but received a Int32Array of length 4',
  ],
  [
    'a short learningRates',
    () => ({ learningRates: new Float64Array(0) }),
    'RangeError: Expected a Float64Array of length >= 1 (epochs) for learningRates but received a Float64Array of length 0',
  ],
  [
    'a Float32Array learningRates',
    () => ({ learningRates: new Float32Array(1) }),
    'TypeError: Expected a Float64Array for learningRates but received a Float32Array of length 1',
  ],
  [
    'a Float64Array weights',
    () => ({ weights: new Float64Array(2) }),
    'TypeError: Expected a Float32Array for weights but received a Float64Array of length 2',
  ],
  [
    'short weights',
    () => ({ weights: new Float32Array(1) }),
    'RangeError: Expected a Float32Array of length >= 2 (rows) for weights but received a Float32Array of length 1',
  ],
  [
    'a negative weight',
    () => ({ weights: new Float32Array([1, -0.5]) }),
    'RangeError: Expected finite weights >= 0 for weights but received -0.5 at 1',
  ],
  [
    'a NaN weight',
    () => ({ weights: new Float32Array([Number.NaN, 1]) }),
    'RangeError: Expected finite weights >= 0 for weights but received NaN at 0',
  ],
  [
    'a weight of -Infinity',
    () => ({ weights: new Float32Array([1, Number.NEGATIVE_INFINITY]) }),
    'RangeError: Expected finite weights >= 0 for weights but received -Infinity at 1',
  ],
  [
    'a weight of -1e-7',
    () => ({ weights: new Float32Array([1, -1e-7]) }),
    `RangeError: Expected finite weights >= 0 for weights but received ${Math.fround(-1e-7)} at 1`,
  ],
];

/** A valid step schedule of a chunk (test cases spoil one field). */
function schedule(): Record<string, unknown> {
  return {
    kind: 1,
    learningRate: 0.1,
    every: 2,
    gamma: 0.5,
    warmupSteps: 0,
    totalSteps: 1,
    minLearningRate: 0,
    epoch: 0,
    position: 0,
  };
}

const A = () => new Float32Array(4);
/** [what, gemm's arguments, the error] */
const gemms: [string, () => unknown[], string][] = [
  [
    'a detached C',
    () => [true, false, 2, 2, 2, 1, A(), A(), 0, detached(4)],
    'TypeError: Expected a Float32Array with a live buffer for C but received one whose buffer is detached',
  ],
  [
    'a number for transA',
    () => [1, false, 2, 2, 2, 1, A(), A(), 0, A()],
    'TypeError: Expected a boolean for transA but received 1',
  ],
  [
    'a short A',
    () => [true, false, 2, 2, 3, 1, A(), A(), 0, A()],
    'RangeError: Expected a Float32Array of length >= 6 (k x m) for A but received a Float32Array of length 4',
  ],
  [
    'NaN alpha',
    () => [true, false, 2, 2, 2, Number.NaN, A(), A(), 0, A()],
    'RangeError: Expected a finite number for alpha but received NaN',
  ],
  [
    'm past the element cap',
    () => [false, false, MAX_ELEMENTS + 1, 1, 1, 1, A(), A(), 0, A()],
    `RangeError: Expected an integer in 0..2^31 for m but received ${MAX_ELEMENTS + 1}`,
  ],
];

/** [what, predict's or evaluate's bad arguments (X, Y, rows, out), the error] */
const forwards: [string, 'predict' | 'evaluate', () => unknown[], string][] = [
  [
    'a detached X',
    'predict',
    () => [detached(4), null, 2, new Float32Array(2)],
    'TypeError: Expected a Float32Array with a live buffer for X but received one whose buffer is detached',
  ],
  [
    'rows as a string',
    'predict',
    () => [A(), null, '2', new Float32Array(2)],
    "TypeError: Expected an integer in 0..2^31 for rows but received '2'",
  ],
  [
    'a short out',
    'predict',
    () => [A(), null, 2, new Float32Array(1)],
    'RangeError: Expected a Float32Array of length >= 2 (rows x outputs) for out but received a Float32Array of length 1',
  ],
  [
    'rows x inputs past the element cap',
    'predict',
    () => [A(), null, MAX_ELEMENTS, new Float32Array(2)],
    'RangeError: Expected at most 2^31 elements in all for X but received a Float32Array of length 4',
  ],
  [
    'a Proxy of a Float32Array out',
    'predict',
    () => [A(), null, 2, new Proxy(new Float32Array(2), {})],
    'TypeError: Expected a Float32Array for out but received a Proxy',
  ],
  [
    'a Float64Array Y',
    'evaluate',
    () => [A(), new Float64Array(2), 2, new Float32Array(2)],
    'TypeError: Expected a Float32Array for Y but received a Float64Array of length 2',
  ],
  [
    'a short Y',
    'evaluate',
    () => [A(), new Float32Array(1), 2, new Float32Array(2)],
    'RangeError: Expected a Float32Array of length >= 2 (rows x outputs) for Y but received a Float32Array of length 1',
  ],
  [
    'an array of weights',
    'evaluate',
    () => [A(), new Float32Array(2), 2, new Float32Array(2), [1, 1]],
    'TypeError: Expected a Float32Array for weights but received an array of length 2',
  ],
  [
    'short weights',
    'evaluate',
    () => [A(), new Float32Array(2), 2, new Float32Array(2), new Float32Array(1)],
    'RangeError: Expected a Float32Array of length >= 2 (rows) for weights but received a Float32Array of length 1',
  ],
  [
    'a weight of Infinity',
    'evaluate',
    () => [A(), new Float32Array(2), 2, new Float32Array(2), new Float32Array([Number.POSITIVE_INFINITY, 0])],
    'RangeError: Expected finite weights >= 0 for weights but received Infinity at 0',
  ],
];

const proxy = <T extends object>(target: T): T => new Proxy(target, {});
/** [what, a plan with one bad field, the error of createTrainer and createModel on both engines] */
const plans: [string, () => unknown, string][] = [
  [
    'a Proxy of an array for plan.layers',
    () => ({ ...plan, layers: proxy([...plan.layers]) }),
    'TypeError: Expected an array for plan.layers but received a Proxy',
  ],
  [
    'a Proxy of a layer',
    () => ({ ...plan, layers: [proxy({ ...plan.layers[0] })] }),
    'TypeError: Expected an object for plan.layers[0] but received a Proxy',
  ],
  [
    'a Proxy of the plan',
    () => proxy({ ...plan }),
    'TypeError: Expected an object for plan but received a Proxy',
  ],
  [
    'a Proxy of an array for the plan',
    () => proxy([plan]),
    'TypeError: Expected an object for plan but received a Proxy',
  ],
];

const rows = (engine: Engine) => ({
  /** createTrainer's and createModel's outcomes for one plan. */
  plan: (p: unknown) => [
    outcome(() => engine.createTrainer(p as TrainerPlan, new Float32Array(3), new Float32Array(0)).dispose()),
    outcome(() => engine.createModel(p as TrainerPlan, new Float32Array(3)).dispose()),
  ],
  train: (bad: Record<string, unknown>) => {
    const trainer = engine.createTrainer(plan, new Float32Array(3), new Float32Array(0));
    try {
      return outcome(() => trainer.trainEpochs({ ...chunk(), ...bad } as TrainChunk));
    } finally {
      trainer.dispose();
    }
  },
  gemm: (args: unknown[]) => outcome(() => (engine.gemm as (...a: unknown[]) => void)(...args)),
  /** The same forward call on a trainer and on an inference model: both outcomes. */
  forward: (kind: 'predict' | 'evaluate', args: unknown[]) => {
    const trainer = engine.createTrainer(plan, new Float32Array(3), new Float32Array(0));
    const model = engine.createModel(plan, new Float32Array(3));
    const call = (target: { predict: unknown; evaluate: unknown }) => {
      const [X, Y, n, out, ...weights] = args;
      const f = target[kind] as (...a: unknown[]) => unknown;
      return outcome(() =>
        kind === 'predict' ? f.call(target, X, n, out) : f.call(target, X, Y, n, out, ...weights),
      );
    };
    try {
      return [call(trainer), call(model)];
    } finally {
      trainer.dispose();
      model.dispose();
    }
  },
});

describe('trainEpochs: the same error, word for word, on both engines', () => {
  it.each(chunks)('%s', (_, bad, expected) => {
    expect(rows(tsEngine).train(bad())).toBe(expected);
    if (native) expect(rows(native).train(bad())).toBe(expected);
  });
});

describe('gemm: the same error, word for word, on both engines', () => {
  it.each(gemms)('%s', (_, args, expected) => {
    expect(rows(tsEngine).gemm(args())).toBe(expected);
    if (native) expect(rows(native).gemm(args())).toBe(expected);
  });
});

describe('trainEpochs of a plan with dropout: the generator is required', () => {
  const dropoutPlan: TrainerPlan = {
    ...plan,
    layers: [
      { inputs: 2, units: 2, activation: 'tanh', useBias: true, dropout: 0.5 },
      { inputs: 2, units: 1, activation: 'sigmoid', useBias: true },
    ],
  };
  const run = (engine: Engine, rng: Uint32Array | null) => {
    const trainer = engine.createTrainer(dropoutPlan, new Float32Array(9), new Float32Array(0));
    try {
      return outcome(() => trainer.trainEpochs({ ...chunk(), rng }));
    } finally {
      trainer.dispose();
    }
  };
  it('a null rng is refused alike, a valid one accepted', () => {
    const expected = 'TypeError: Expected a Uint32Array for rng but received null';
    expect(run(tsEngine, null)).toBe(expected);
    expect(run(tsEngine, new Uint32Array([1, 2, 3, 4]))).toBe('ok');
    if (native) {
      expect(run(native, null)).toBe(expected);
      expect(run(native, new Uint32Array([1, 2, 3, 4]))).toBe('ok');
    }
  });
});

describe('predict and evaluate: the same error on both engines, for a trainer and a model', () => {
  it.each(forwards)('%s (%s)', (_, kind, args, expected) => {
    expect(rows(tsEngine).forward(kind, args())).toEqual([expected, expected]);
    if (native) expect(rows(native).forward(kind, args())).toEqual([expected, expected]);
  });
});

/** [what, the optimizer's bad fields, the error both engines must throw from createTrainer] */
const optimizerPlans: [string, Record<string, unknown>, string][] = [
  [
    'a negative clipNorm',
    { clipNorm: -1 },
    'RangeError: Expected 0 (off) or a positive finite float32 number for plan.optimizer.clipNorm but received -1',
  ],
  [
    'clipValue as a string',
    { clipValue: '0.5' },
    "TypeError: Expected 0 (off) or a positive finite float32 number for plan.optimizer.clipValue but received '0.5'",
  ],
  [
    'a clipValue that is 0 as float32',
    { clipValue: 1e-50 },
    'RangeError: Expected 0 (off) or a positive finite float32 number for plan.optimizer.clipValue but received 1e-50',
  ],
  ['rho of 1', { rho: 1 }, 'RangeError: Expected a number in [0, 1) for plan.optimizer.rho but received 1'],
  [
    'no rho',
    { rho: undefined },
    'TypeError: Expected a number in [0, 1) for plan.optimizer.rho but received undefined',
  ],
  ['the new kinds and thresholds', { kind: 'rmsprop', clipNorm: 1, clipValue: 0.5 }, 'ok'],
];

describe('optimizer plans: the same error, word for word, on both engines', () => {
  it.each(optimizerPlans)('%s', (_, bad, expected) => {
    const p = { ...plan, optimizer: { ...plan.optimizer, ...bad } } as TrainerPlan;
    const create = (engine: Engine) => () => {
      const state = new Float32Array(2 * 3);
      engine.createTrainer(p, new Float32Array(3), state).dispose();
    };
    expect(outcome(create(tsEngine))).toBe(expected);
    if (native) expect(outcome(create(native))).toBe(expected);
  });
});

describe('plans: the same error on both engines, for a trainer and a model', () => {
  it.each(plans)('%s', (_, bad, expected) => {
    expect(rows(tsEngine).plan(bad())).toEqual([expected, expected]);
    if (native) expect(rows(native).plan(bad())).toEqual([expected, expected]);
  });
});
