// The addon never reads or writes memory it does not keep alive for a whole call, whatever its
// caller does (issue 15, finding 1): arrays on buffers whose length can change are refused up
// front with a TypeError naming the argument, identically by both engines; the attacks that
// crashed the process (exit 139) run in child processes (test/fixtures/addon-buffer-lifetime.ts)
// and must end with a clean error or a correct result.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Engine, TrainerPlan } from '../lib/engine/engine.js';
import { paramLayout } from '../lib/engine/layout.js';
import { addonPath, nativeEngine, nativeStatus, packageRoot } from '../lib/engine/native.js';
import { tsEngine } from '../lib/engine/ts/index.js';
import { optimizer, stack, trainerPlan } from './helpers/engine-problems.js';

const status = nativeStatus();
const engines: [string, () => Engine][] = [['ts', () => tsEngine]];
if (status.available) engines.push(['native', () => nativeEngine() as Engine]);

const plan: TrainerPlan = trainerPlan(stack([3, 4, 2], 'tanh', 'sigmoid'), 'mse', optimizer('sgd'), 4);
const P = paramLayout(plan.layers).size;
const rows = 4;

// ES2024 buffer constructors, typed here (the project's lib predates them).
type Growing<T> = new (bytes: number, options: { maxByteLength: number }) => T;
const ResizableBuffer = ArrayBuffer as Growing<ArrayBuffer>;
const GrowableBuffer = SharedArrayBuffer as Growing<SharedArrayBuffer>;
const resizable = (n: number) => new Float32Array(new ResizableBuffer(4 * n, { maxByteLength: 8 * n }));
const growable = (n: number) => new Float32Array(new GrowableBuffer(4 * n, { maxByteLength: 8 * n }));

describe.each(engines)('%s engine: buffers whose length can change', (_name, engine) => {
  test.each([
    ['resizable', resizable, /on a resizable ArrayBuffer/],
    ['growable', growable, /on a growable SharedArrayBuffer/],
  ] as const)('%s X, Y and params are refused with a TypeError naming them', (_kind, make, what) => {
    const trainer = engine().createTrainer(plan, new Float32Array(P), new Float32Array(0));
    const chunk = {
      X: new Float32Array(rows * 3),
      Y: new Float32Array(rows * 2),
      rows,
      order: null,
      epochs: 1,
      batchSize: 4,
      step: 0,
      losses: new Float64Array(1),
    };
    const fixed = 'Expected a Float32Array on a fixed-length buffer for';
    expect(() => trainer.trainEpochs({ ...chunk, X: make(rows * 3) })).toThrow(TypeError);
    expect(() => trainer.trainEpochs({ ...chunk, X: make(rows * 3) })).toThrow(`${fixed} X`);
    expect(() => trainer.trainEpochs({ ...chunk, Y: make(rows * 2) })).toThrow(`${fixed} Y`);
    expect(() => trainer.trainEpochs({ ...chunk, X: make(rows * 3) })).toThrow(what);
    expect(() => engine().createTrainer(plan, make(P), new Float32Array(0))).toThrow(`${fixed} params`);
    // Nothing ran: a fixed-length call still takes the first step.
    expect(trainer.trainEpochs(chunk)).toBe(1);
  });

  test('an own `resizable` property cannot hide a resizable buffer', () => {
    const trainer = engine().createTrainer(plan, new Float32Array(P), new Float32Array(0));
    const X = resizable(rows * 3);
    Object.defineProperty(X.buffer, 'resizable', { value: false });
    const chunk = { X, Y: new Float32Array(rows * 2), rows, order: null, epochs: 1, batchSize: 4, step: 0 };
    expect(() => trainer.trainEpochs({ ...chunk, losses: new Float64Array(1) })).toThrow(
      /resizable ArrayBuffer/,
    );
  });
});

describe.each(engines)('%s engine: trainEpochsAsync reads its arrays when called', (_name, engine) => {
  // The addon trains on copies made when the call starts and writes the results back when it
  // settles: the same numbers as trainEpochs, bit for bit, whatever the caller writes meanwhile.
  test('the same params, state, losses and counts as trainEpochs; later writes to X, Y, order do not reach it', async () => {
    const adam = trainerPlan(stack([3, 5, 2], 'tanh', 'softmax'), 'cross-entropy', optimizer('adam'), 4);
    const size = paramLayout(adam.layers).size;
    const n = 12;
    const epochs = 3;
    const run = async (async: boolean) => {
      const params = new Float32Array(size).map((_, i) => Math.sin(i + 1) * 0.3);
      const state = new Float32Array(2 * size);
      const trainer = engine().createTrainer(adam, params, state);
      const X = new Float32Array(n * 3).map((_, i) => Math.cos(i));
      const Y = new Float32Array(n * 2).map((_, i) => (i % 2 === Math.floor(i / 2) % 2 ? 1 : 0));
      const order = new Uint32Array(epochs * n).map((_, i) => (i * 7) % n);
      const chunk = {
        X,
        Y,
        rows: n,
        order,
        epochs,
        batchSize: 4,
        step: 5,
        losses: new Float64Array(epochs),
        correct: new Float64Array(epochs),
      };
      let step: number;
      if (async) {
        const pending = trainer.trainEpochsAsync(chunk);
        X.fill(Number.NaN);
        Y.fill(7);
        order.fill(0);
        step = await pending;
      } else step = trainer.trainEpochs(chunk);
      trainer.dispose();
      return { step, params, state, losses: chunk.losses, correct: chunk.correct };
    };
    const sync = await run(false);
    expect(sync.losses.every(Number.isFinite)).toBe(true);
    expect(await run(true)).toEqual(sync);
  });
});

describe.runIf(status.available)('the addon called directly, attacked during trainEpochsAsync', () => {
  const fixture = fileURLToPath(new URL('./fixtures/addon-buffer-lifetime.ts', import.meta.url));
  const addon = addonPath(packageRoot() ?? '.');
  const run = (attack: string) => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, addon, attack], {
      encoding: 'utf8',
    });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    return JSON.parse(child.stdout.trim()) as { outcome: string; message: string; params?: number[] };
  };

  test('an X shrunk with resize(0) is refused up front', () => {
    expect(run('resize')).toMatchObject({
      outcome: 'rejected',
      message:
        'TypeError: Expected a Float32Array on a fixed-length buffer for X but received one on a resizable ArrayBuffer',
    });
  });

  test('an X grown on a SharedArrayBuffer is refused up front', () => {
    expect(run('grow')).toMatchObject({
      outcome: 'rejected',
      message:
        'TypeError: Expected a Float32Array on a fixed-length buffer for X but received one on a growable SharedArrayBuffer',
    });
  });

  // A transfer detaches the buffer and hands its memory to the clone, which is then collected: a
  // reference to the original buffer does not keep that memory, so the addon trains on copies it
  // owns and writes the results back when the call settles (native/addon/async_copies.hpp).
  test("an X transferred away (and its clone collected) during the call: trained on the addon's copy", () => {
    const result = run('transfer');
    expect(result.outcome, result.message).toBe('resolved');
    expect(result.message).toBe(String(8 * (8192 / 32))); // epochs x batches steps
    const [before, after] = result.params ?? [];
    expect(before).toBe(Math.fround(0.01)); // untouched while the worker ran
    expect(after).not.toBe(before); // the trained weights written back at the end
  });

  test("an order transferred away during the call: trained on the addon's copy", () => {
    expect(run('transfer-order').outcome).toBe('resolved');
  });

  test.each([
    ['params', 'Float32Array'],
    ['losses', 'Float64Array'],
  ])('%s transferred away during the call: rejected, nothing written back', (target, kind) => {
    const result = run(`transfer-${target}`);
    expect(result).toMatchObject({
      outcome: 'rejected',
      message: `TypeError: Expected a ${kind} with a live buffer for ${target} when trainEpochsAsync settles but received one whose buffer was detached during the call; nothing was written back`,
    });
    // params still attached (losses was the one taken) keep their weights from before the call
    if (target !== 'params') expect(result.params).toEqual([Math.fround(0.01)]);
  });
});
