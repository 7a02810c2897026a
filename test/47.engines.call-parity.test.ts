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
  correct: null,
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
    'a Float32Array correct',
    () => ({ correct: new Float32Array(1) }),
    'TypeError: Expected a Float64Array for correct but received a Float32Array of length 1',
  ],
];

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
      const [X, Y, n, out] = args;
      const f = target[kind] as (...a: unknown[]) => unknown;
      return outcome(() => (kind === 'predict' ? f.call(target, X, n, out) : f.call(target, X, Y, n, out)));
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

describe('predict and evaluate: the same error on both engines, for a trainer and a model', () => {
  it.each(forwards)('%s (%s)', (_, kind, args, expected) => {
    expect(rows(tsEngine).forward(kind, args())).toEqual([expected, expected]);
    if (native) expect(rows(native).forward(kind, args())).toEqual([expected, expected]);
  });
});

describe('plans: the same error on both engines, for a trainer and a model', () => {
  it.each(plans)('%s', (_, bad, expected) => {
    expect(rows(tsEngine).plan(bad())).toEqual([expected, expected]);
    if (native) expect(rows(native).plan(bad())).toEqual([expected, expected]);
  });
});
