// The native addon itself: it rejects every bad argument with a TypeError / RangeError (and never
// crashes), refuses calls while an async train runs, keeps the event loop turning, loads in
// worker_threads, and agrees with the TS engine epoch by epoch. Skipped with the reason when the
// addon is not built; under CI=true a missing addon fails.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import type { Engine, ModelPlan, OptimizerPlan, TrainerPlan } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import {
  adaptAddon,
  addonPath,
  type NativeAddon,
  type NativeModel,
  nativeEngine,
  nativeStatus,
  packageRoot,
} from '../lib/engine/native.js';
import { engineFallbackReason, selectEngine } from '../lib/engine/select.js';
import { tsEngine } from '../lib/engine/ts/index.js';
import { Random } from '../lib/random.js';
import { makeProblem, optimizer, type Problem, stack, trainerPlan } from './helpers/engine-problems.js';

const status = nativeStatus();
const path = addonPath(packageRoot() ?? '.');
const addon = status.available ? (createRequire(import.meta.url)(path) as NativeAddon) : null;

test.runIf(!status.available && process.env.CI === 'true')('CI=true requires the native addon', () => {
  expect.fail(`native addon missing under CI=true: ${status.reason}. Fix: ${status.fix}`);
});
test.skipIf(status.available)(`native addon not built, so its tests are skipped: ${status.reason}`, () => {});

const f32 = (n: number) => new Float32Array(n);
const detached = () => {
  const a = f32(4);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};

// A 3-5-2 mse problem and a fresh native trainer on it.
function setup(kind: OptimizerPlan['kind'] = 'adam', batchSize = 4) {
  const a = addon!;
  const p = makeProblem(stack([3, 5, 2], 'tanh', 'sigmoid'), 'mse', 10, 4300);
  const plan = trainerPlan(p.layers, 'mse', optimizer(kind), batchSize);
  const params = p.params.slice();
  const state = f32(stateSize(kind, params.length));
  return { p, plan, params, state, trainer: new a.Trainer(plan, params, state) };
}

type Args = unknown[];
function expectRejects(
  call: (...args: never[]) => unknown,
  good: Args,
  cases: [number, unknown, ErrorConstructor, RegExp][],
) {
  for (const [i, [index, value, type, message]] of cases.entries()) {
    const args = good.slice();
    args[index] = value;
    const run = () => (call as (...a: Args) => unknown)(...args);
    expect(run, `case ${i}: argument ${index}`).toThrow(type);
    expect(run, `case ${i}: argument ${index}`).toThrow(message);
  }
}

describe.skipIf(!status.available)(`native addon (${status.reason})`, () => {
  test('info() names the kernel, default threads and version', () => {
    const info = addon!.info();
    expect(['avx512', 'avx2-fma', 'neon', 'scalar']).toContain(info.kernel);
    expect(info.defaultThreads).toBeGreaterThanOrEqual(1);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.kernel).toBe(info.kernel);
  });

  test('FASTMLP_FORCE_SCALAR=1 forces the scalar kernel (read by the C++ side)', () => {
    const code = `console.log(require(${JSON.stringify(path)}).info().kernel)`;
    const run = spawnSync(process.execPath, ['-e', code], {
      env: { ...process.env, FASTMLP_FORCE_SCALAR: '1' },
      encoding: 'utf8',
    });
    expect(run.stdout.trim()).toBe('scalar');
  });

  test('gemm rejects every bad argument with a TypeError or RangeError', () => {
    const a = addon!;
    const good: Args = [false, false, 2, 3, 4, 1, f32(8), f32(12), 0, f32(6)];
    expect(() => a.gemm(...(good as Parameters<NativeAddon['gemm']>))).not.toThrow();
    expect(() => (a.gemm as (...x: Args) => void)(...good.slice(0, 9))).toThrow(
      /Expected 10 arguments for gemm/,
    );
    expectRejects(a.gemm, good, [
      [0, 1, TypeError, /Expected a boolean for transA but received 1/],
      [2, '2', TypeError, /for m but received '2'/],
      [2, Number.NaN, RangeError, /for m but received NaN/],
      [2, -1, RangeError, /for m/],
      [2, 1.5, RangeError, /for m/],
      [2, 2 ** 40, RangeError, /for m/],
      [4, 2 ** 31, RangeError, /for A/],
      [5, Number.NaN, RangeError, /finite number for alpha/],
      [8, Number.POSITIVE_INFINITY, RangeError, /beta/],
      [
        6,
        new Float64Array(8),
        TypeError,
        /Expected a Float32Array for A but received a Float64Array of length 8/,
      ],
      [6, new Int32Array(8), TypeError, /Int32Array/],
      [6, [1, 2, 3, 4, 5, 6, 7, 8], TypeError, /an array of length 8/],
      [6, new DataView(new ArrayBuffer(32)), TypeError, /DataView/],
      [6, null, TypeError, /received null/],
      [7, f32(11), RangeError, /length >= 12 .* for B/],
      [9, detached(), TypeError, /detached/],
    ]);
  });

  test('new Trainer rejects bad plans, params and state', () => {
    const { plan, params, state } = setup();
    const T = addon!.Trainer as unknown as new (...args: Args) => unknown;
    const withPlan = (edit: (p: TrainerPlan) => void) => {
      const copy = structuredClone(plan);
      edit(copy);
      return copy;
    };
    expect(() => (T as unknown as (...a: Args) => unknown)(plan, params, state)).toThrow(TypeError);
    expect(() => new T(plan, params)).toThrow(/Expected 3 arguments/);
    expect(() => new T(plan, params)).toThrow(TypeError);
    expectRejects(
      (...a: Args) => new T(...a),
      [plan, params, state],
      [
        [0, null, TypeError, /an object for plan/],
        [0, withPlan((p) => (p.layers = [])), RangeError, /plan.layers/],
        [0, withPlan((p) => (p.layers[0].units = 0)), RangeError, /plan.layers\[0\].units/],
        [
          0,
          withPlan((p) => (p.layers[1].units = Number.NaN)),
          RangeError,
          /plan.layers\[1\].units but received NaN/,
        ],
        [0, withPlan((p) => (p.layers[1].inputs = 4)), RangeError, /plan.layers\[1\].inputs/],
        [0, withPlan((p) => Object.assign(p.layers[0], { activation: 'gelu' })), RangeError, /activation/],
        [0, withPlan((p) => Object.assign(p.layers[0], { useBias: 'yes' })), TypeError, /useBias/],
        [0, withPlan((p) => Object.assign(p, { loss: 'hinge' })), RangeError, /plan.loss/],
        [
          0,
          withPlan((p) => Object.assign(p, { loss: 'cross-entropy' })),
          RangeError,
          /'softmax' with loss 'cross-entropy'/,
        ],
        [0, withPlan((p) => Object.assign(p.optimizer, { kind: 'adagrad' })), RangeError, /optimizer.kind/],
        [0, withPlan((p) => (p.optimizer.learningRate = Number.NaN)), RangeError, /learningRate/],
        [0, withPlan((p) => (p.optimizer.beta2 = 1)), RangeError, /beta2/],
        [0, withPlan((p) => (p.batchSize = 0)), RangeError, /batchSize/],
        [0, withPlan((p) => (p.threads = 1000)), RangeError, /threads/],
        [0, withPlan((p) => (p.layers[0].units = 2 ** 31)), RangeError, /./],
        [1, new Float64Array(params.length), TypeError, /Float32Array for params/],
        [1, f32(params.length + 1), RangeError, /params/],
        [2, f32(3), RangeError, /state/],
      ],
    );
  });

  test('trainEpochs rejects bad arguments, leaving params and state as they were', () => {
    const { p, params, state, trainer } = setup();
    const train = trainer.trainEpochs.bind(trainer) as unknown as (...a: Args) => number;
    const good: Args = [p.X, p.Y, 10, null, 2, 4, 0, new Float64Array(2)];
    expect(() => train(...good.slice(0, 7))).toThrow(/Expected 8 to 13 arguments/);
    expect(() => train(...good.slice(0, 7))).toThrow(TypeError);
    expectRejects(train, good, [
      [0, new Float64Array(30), TypeError, /Float32Array for X/],
      [0, p.X.subarray(1), RangeError, /for X/],
      [0, detached(), TypeError, /detached/],
      [1, p.Y.subarray(2), RangeError, /for Y/],
      [2, Number.NaN, RangeError, /rows/],
      [2, 0, RangeError, /rows/],
      [2, 2 ** 40, RangeError, /rows/],
      [3, new Int32Array(20), TypeError, /Uint32Array for order/],
      [3, new Uint32Array(19), RangeError, /order/],
      [3, new Uint32Array(20).fill(10), RangeError, /indices below 10 for order but received 10/],
      [4, 1.5, RangeError, /epochs/],
      [5, 5, RangeError, /batchSize/],
      [5, 0, RangeError, /batchSize/],
      [6, -1, RangeError, /step/],
      [6, 2 ** 60, RangeError, /step/],
      [7, f32(2), TypeError, /Float64Array for losses/],
      [7, new Float64Array(1), RangeError, /losses/],
    ]);
    expect(Array.from(params)).toEqual(Array.from(p.params));
    expect(state.every((v) => v === 0)).toBe(true);
    expect(train(...good)).toBe(6);
  });

  test('new Model rejects bad plans and params; predict / evaluate check their arguments; dispose is final', () => {
    const { p, plan, params, trainer } = setup();
    const modelPlan: ModelPlan = { layers: plan.layers, loss: plan.loss, threads: 2 };
    const M = addon!.Model as unknown as new (...args: Args) => NativeModel;
    const withPlan = (edit: (p: ModelPlan) => void) => {
      const copy = structuredClone(modelPlan);
      edit(copy);
      return copy;
    };
    expect(() => (M as unknown as (...a: Args) => unknown)(modelPlan, params)).toThrow(TypeError);
    expect(() => new M(modelPlan)).toThrow(/Expected 2 arguments/);
    expectRejects(
      (...a: Args) => new M(...a),
      [modelPlan, params],
      [
        [0, null, TypeError, /an object for plan/],
        [0, withPlan((m) => (m.layers = [])), RangeError, /plan.layers/],
        [0, withPlan((m) => (m.layers[1].inputs = 4)), RangeError, /plan.layers\[1\].inputs/],
        [0, withPlan((m) => Object.assign(m, { loss: 'hinge' })), RangeError, /plan.loss/],
        [
          0,
          withPlan((m) => Object.assign(m, { loss: 'cross-entropy' })),
          RangeError,
          /'softmax' with loss 'cross-entropy'/,
        ],
        [0, withPlan((m) => (m.threads = 1000)), RangeError, /threads/],
        [0, withPlan((m) => (m.threads = '2' as never)), TypeError, /threads/],
        [1, new Float64Array(params.length), TypeError, /Float32Array for params/],
        [1, f32(params.length + 1), RangeError, /params/],
      ],
    );
    const model = new M(modelPlan, params);
    expect(model.workspaceBytes()).toBe(0);
    const predict = model.predict.bind(model) as unknown as (...a: Args) => void;
    expectRejects(
      predict,
      [p.X, 10, f32(20)],
      [
        [0, new Float64Array(30), TypeError, /Float32Array for X/],
        [0, p.X.subarray(1), RangeError, /for X/],
        [0, detached(), TypeError, /detached/],
        [1, Number.NaN, RangeError, /rows/],
        [1, 2 ** 40, RangeError, /rows/],
        [2, f32(19), RangeError, /for out/],
      ],
    );
    expect(() => model.evaluate(p.X, p.Y, 10.5, f32(20))).toThrow(/rows/);
    expect(model.workspaceBytes()).toBe(0); // failed calls allocate nothing
    const out = f32(20);
    const want = f32(20);
    model.predict(p.X, 10, out);
    trainer.predict(p.X, 10, want);
    expect(out).toEqual(want);
    expect(model.evaluate(p.X, p.Y, 10, out)).toBe(trainer.evaluate(p.X, p.Y, 10, want));
    expect(model.workspaceBytes()).toBeGreaterThan(0);
    model.dispose();
    model.dispose();
    expect(model.workspaceBytes()).toBe(0);
    expect(() => model.predict(p.X, 10, out)).toThrow(/model is disposed: cannot call predict/);
    expect(() => model.evaluate(p.X, p.Y, 10, out)).toThrow(/disposed/);
  });

  test('predict / evaluate / dispose check their arguments; dispose is final and safe twice', () => {
    const { p, trainer } = setup();
    expect(() => trainer.predict(p.X, 10, f32(19))).toThrow(RangeError);
    expect(() => trainer.predict(p.X, 10, new Float64Array(20) as never)).toThrow(TypeError);
    expect(() => trainer.evaluate(p.X, p.Y, 10.5, f32(20))).toThrow(/rows/);
    expect(() => trainer.evaluate(p.X, p.Y, 10.5, f32(20))).toThrow(RangeError);
    expect(trainer.evaluate(p.X, p.Y, 10, f32(20))).toBeGreaterThan(0);
    trainer.dispose();
    trainer.dispose();
    expect(() => trainer.predict(p.X, 10, f32(20))).toThrow(/disposed/);
  });

  test('while trainEpochsAsync runs, every other call throws "trainer is busy"; the event loop keeps turning', async () => {
    const a = addon!;
    const layers = stack([16, 128, 128, 1], 'relu', 'sigmoid');
    const P = paramLayout(layers).size;
    const rng = new Random(1);
    const params = f32(P).map(() => rng.range(-0.1, 0.1));
    const rows = 2048;
    const X = f32(rows * 16).map(() => rng.range(-1, 1));
    const Y = f32(rows).map(() => (rng.range(0, 1) > 0.5 ? 1 : 0));
    const trainer = new a.Trainer(trainerPlan(layers, 'bce', optimizer('sgd'), 32), params, f32(0));
    const start = performance.now();
    const losses = new Float64Array(1);
    trainer.trainEpochs(X, Y, rows, null, 1, 32, 0, losses);
    const epochs = Math.max(2, Math.ceil(400 / (performance.now() - start)));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const running = trainer.trainEpochsAsync(X, Y, rows, null, epochs, 32, 1, new Float64Array(epochs));
    const out = f32(rows);
    for (const call of [
      () => trainer.trainEpochs(X, Y, rows, null, 1, 32, 0, losses),
      () => trainer.trainEpochsAsync(X, Y, rows, null, 1, 32, 0, losses),
      () => trainer.predict(X, rows, out),
      () => trainer.evaluate(X, Y, rows, out),
      () => trainer.dispose(),
    ]) {
      expect(call).toThrow(/trainer is busy/);
    }
    const step = await running;
    clearInterval(timer);
    expect(step).toBe(1 + epochs * (rows / 32));
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(() => trainer.predict(X, rows, out)).not.toThrow();
    await expect(
      trainer.trainEpochsAsync(X, Y, rows, new Uint32Array(rows).fill(rows), 1, 32, 0, losses),
    ).rejects.toThrow(RangeError);
    trainer.dispose();
  });

  test('loads and trains in several worker_threads at once', async () => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { createRequire } = require('node:module');
      const addon = createRequire(workerData.path)(workerData.path);
      const C = new Float32Array(4);
      addon.gemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 0, C);
      const plan = { layers: [{ inputs: 2, units: 1, activation: 'linear', useBias: true }], loss: 'mse',
        optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, rho: 0.99, clipNorm: 0, clipValue: 0 },
        batchSize: 4, threads: 2 };
      const t = new addon.Trainer(plan, new Float32Array(3), new Float32Array(0));
      const losses = new Float64Array(50);
      t.trainEpochs(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), new Float32Array([1, 2, 2, 3]), 4, null, 50, 4, 0, losses);
      parentPort.postMessage({ C: Array.from(C), first: losses[0], last: losses[49] });`;
    const run = () =>
      new Promise<{ C: number[]; first: number; last: number }>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { path } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const results = await Promise.all([run(), run(), run()]);
    for (const r of results) {
      expect(r.C).toEqual([19, 22, 43, 50]);
      expect(r.last).toBeLessThan(r.first);
    }
  });

  const AGREE: [string, Problem, OptimizerPlan, number, boolean][] = [
    [
      'sse, sigmoid, sgd, full batch',
      makeProblem(stack([2, 3, 1], 'sigmoid', 'sigmoid'), 'sse', 12, 1),
      optimizer('sgd', { learningRate: 0.2 }),
      12,
      false,
    ],
    [
      'bce, tanh, adam + L2, batches of 5 in order',
      makeProblem(stack([3, 8, 2], 'tanh', 'sigmoid'), 'bce', 23, 2),
      optimizer('adam', { learningRate: 0.01, weightDecay: 0.01 }),
      5,
      true,
    ],
    [
      'cross-entropy, relu, momentum, batches of 4',
      makeProblem(stack([4, 6, 3], 'relu', 'softmax'), 'cross-entropy', 16, 3),
      optimizer('momentum', { learningRate: 0.05 }),
      4,
      true,
    ],
    [
      'mse, leakyRelu, nesterov, partial batches',
      makeProblem(stack([3, 5, 4, 2], 'leakyRelu', 'linear'), 'mse', 13, 4),
      optimizer('nesterov', { learningRate: 0.02 }),
      6,
      false,
    ],
  ];

  test.each(AGREE)(
    'per-epoch losses of native and TS agree within 1e-4 over 100 epochs: %s',
    (_, p, opt, batch, shuffled) => {
      const epochs = 100;
      const order = shuffled ? new Uint32Array(epochs * p.rows) : null;
      const rng = new Random(9);
      for (let e = 0; order && e < epochs; e++) {
        const perm = Uint32Array.from({ length: p.rows }, (_v, i) => i);
        rng.shuffle(perm);
        order.set(perm, e * p.rows);
      }
      const run = (engine: Engine) => {
        const params = p.params.slice();
        const trainer = engine.createTrainer(
          trainerPlan(p.layers, p.loss, opt, batch),
          params,
          f32(stateSize(opt.kind, params.length)),
        );
        const losses = new Float64Array(epochs);
        trainer.trainEpochs({
          X: p.X,
          Y: p.Y,
          rows: p.rows,
          order,
          epochs,
          batchSize: batch,
          step: 0,
          losses,
        });
        return losses;
      };
      const native = run(nativeEngine()!);
      const ts = run(tsEngine);
      for (let e = 0; e < epochs; e++) {
        expect(Math.abs(native[e] - ts[e]), `epoch ${e}: ${native[e]} vs ${ts[e]}`).toBeLessThanOrEqual(
          1e-4 * Math.abs(ts[e]) + 1e-12,
        );
      }
    },
  );

  test('selectEngine: native when asked, FASTMLP_ENGINE honoured by auto, bad values rejected', () => {
    const saved = process.env.FASTMLP_ENGINE;
    try {
      expect(selectEngine('native').name).toBe('native');
      expect(selectEngine('ts').name).toBe('ts');
      process.env.FASTMLP_ENGINE = 'ts';
      expect(selectEngine().name).toBe('ts');
      process.env.FASTMLP_ENGINE = 'native';
      expect(selectEngine('auto').name).toBe('native');
      process.env.FASTMLP_ENGINE = 'fast';
      expect(() => selectEngine()).toThrow(RangeError);
      expect(() => selectEngine()).toThrow(/FASTMLP_ENGINE but received 'fast'/);
      expect(engineFallbackReason()).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.FASTMLP_ENGINE;
      else process.env.FASTMLP_ENGINE = saved;
    }
  });
});

test('adaptAddon turns a synchronous argument error of trainEpochsAsync into a rejection', async () => {
  const fake = {
    gemm() {},
    info: () => ({ kernel: 'scalar', defaultThreads: 1, version: '0.0.0' }),
    Trainer: class {
      trainEpochsAsync(): Promise<number> {
        throw new RangeError('Expected an integer in 1..2^31 for rows but received 0');
      }
    },
  } as unknown as NativeAddon;
  const trainer = adaptAddon(fake).createTrainer({} as TrainerPlan, f32(0), f32(0));
  const chunk = {
    X: f32(0),
    Y: f32(0),
    rows: 0,
    order: null,
    epochs: 1,
    batchSize: 1,
    step: 0,
    losses: new Float64Array(1),
  };
  await expect(trainer.trainEpochsAsync(chunk)).rejects.toThrow(RangeError);
});
