// A Proxy passed to an engine is refused without running any of its traps (issue 15, item 12):
// the addon's describer used to read a Proxy's `constructor` (running the trap inside the addon)
// and called a Proxy of an array "an instance of Array", while the TS engine's Array.isArray
// accepted it. Both engines now tell a Proxy by node:util's types.isProxy, describe it as
// "a Proxy" and refuse it wherever they expect an object, an array or a typed array.
import { describe, expect, test } from 'vitest';
import type { Engine, TrainerPlan } from '../lib/engine/engine.js';
import { optimizer, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';

const plan: TrainerPlan = trainerPlan(stack([2, 3, 1], 'tanh', 'sigmoid'), 'mse', optimizer('sgd'), 2);
const P = 2 * 3 + 3 + 3 + 1;

/** A Proxy every one of whose traps records its name in `calls` before doing the default. */
function spy<T extends object>(target: T, calls: string[]): T {
  const traps = [
    'get',
    'set',
    'has',
    'ownKeys',
    'getOwnPropertyDescriptor',
    'defineProperty',
    'deleteProperty',
    'getPrototypeOf',
    'setPrototypeOf',
    'isExtensible',
    'preventExtensions',
    'apply',
    'construct',
  ] as const;
  const handler: ProxyHandler<T> = {};
  for (const trap of traps) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      calls.push(trap);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return new Proxy(target, handler);
}

/** Each place an engine reads an object, an array or a typed array, given a spied Proxy. */
const places: [string, (engine: Engine, calls: string[]) => void, RegExp][] = [
  [
    'the plan',
    (e, calls) => e.createTrainer(spy({ ...plan }, calls), new Float32Array(P), new Float32Array(0)),
    /^Expected an object for plan but received a Proxy$/,
  ],
  [
    'plan.layers',
    (e, calls) =>
      e.createTrainer(
        { ...plan, layers: spy([...plan.layers], calls) },
        new Float32Array(P),
        new Float32Array(0),
      ),
    /^Expected an array for plan.layers but received a Proxy$/,
  ],
  [
    'a layer of an inference model',
    (e, calls) =>
      e.createModel(
        { ...plan, layers: [plan.layers[0], spy({ ...plan.layers[1] }, calls)] },
        new Float32Array(P),
      ),
    /^Expected an object for plan.layers\[1\] but received a Proxy$/,
  ],
  [
    'params',
    (e, calls) => e.createTrainer(plan, spy(new Float32Array(P), calls), new Float32Array(0)),
    /^Expected a Float32Array for params but received a Proxy$/,
  ],
  [
    'X of predict',
    (e, calls) =>
      e
        .createModel(plan, new Float32Array(P))
        .predict(spy(new Float32Array(2), calls), 1, new Float32Array(1)),
    /^Expected a Float32Array for X but received a Proxy$/,
  ],
  [
    'Y of trainEpochs',
    (e, calls) =>
      e.createTrainer(plan, new Float32Array(P), new Float32Array(0)).trainEpochs({
        X: new Float32Array(2),
        Y: spy(new Float32Array(1), calls),
        rows: 1,
        order: null,
        epochs: 1,
        batchSize: 1,
        step: 0,
        losses: new Float64Array(1),
      }),
    /^Expected a Float32Array for Y but received a Proxy$/,
  ],
];

describe.each(engines)('$name engine: a Proxy is refused and its traps never run', (engine) => {
  test.each(places)('%s', (_, call, message) => {
    const calls: string[] = [];
    let thrown: unknown;
    try {
      call(engine, calls);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(message);
    expect(calls).toEqual([]);
  });
});
