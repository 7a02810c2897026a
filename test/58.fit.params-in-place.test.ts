// A network's parameters and optimizer state live in its engine's memory (lib/weights.ts allocate;
// the native engine's are addon shared blocks, native/addon/shared_blocks.hpp), which the native
// engine's async chunks train in place instead of copying them in before every chunk and back
// after it (issue 13: ~22 MB each way per chunk for 784-1024-1024-10 with Adam). Proven here:
// nothing of them is copied per chunk (the trainer's copy bytes, against a network whose arrays
// are plain, the path before, which copies them all); the results are those of that path and of
// fitSync, bit for bit, also for fits that stop early, diverge, throw or are aborted mid-chunk;
// and whatever a caller transfers while a fit runs, even the network's own arrays reached through
// its private fields, the process survives and nothing is lost.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { type Engine, type EngineName, plainArrays } from '../lib/engine/engine.js';
import { addonPath, nativeEngine, nativeStatus, packageRoot } from '../lib/engine/native.js';
import { tsEngine } from '../lib/engine/ts/index.js';
import { type History, Network } from '../lib/index.js';
import type { NetworkOptions } from '../lib/spec.js';
import { watchTrainers } from './helpers/addon-trainers.js';
import { engineNames } from './helpers/engine-names.js';

const status = nativeStatus();
const engineOf = (name: EngineName): Engine => (name === 'native' ? (nativeEngine() as Engine) : tsEngine);

const INPUTS = 12;
const CLASSES = 3;
const ROWS = 96;

function options(engine: EngineName, overrides: Partial<NetworkOptions> = {}): NetworkOptions {
  return {
    inputs: INPUTS,
    layers: [
      { units: 32, activation: 'relu', dropout: 0.1 },
      { units: 16, activation: 'tanh' },
      { units: CLASSES, activation: 'softmax' },
    ],
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: 7,
    engine,
    ...overrides,
  } as NetworkOptions;
}

const X = new Float32Array(ROWS * INPUTS).map((_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i));
const y = Array.from({ length: ROWS }, (_, r) => (r * 7) % CLASSES);

/**
 * A network whose parameters and optimizer state are plain arrays (the engine's allocator swapped
 * for plain typed arrays while it is built): what every network was before, which the native
 * engine's async chunks copy in and out.
 */
function plainNetwork(o: NetworkOptions): Network {
  const engine = engineOf(o.engine as EngineName);
  const own = engine.allocateFloat32;
  engine.allocateFloat32 = plainArrays.allocateFloat32;
  try {
    return new Network(o);
  } finally {
    engine.allocateFloat32 = own;
  }
}

/** Everything training leaves in a network, bit for bit comparable with toEqual. */
function trained(net: Network) {
  const json = net.toJSON();
  return {
    params: net.getParameters(),
    optimizerState: json.optimizerState,
    steps: net.steps,
    metadata: json.metadata,
  };
}

/** A fit's history with the per-epoch weights onEpochEnd saw (a copy each time). */
async function fitSeeing(
  net: Network,
  sync: boolean,
  extra: Record<string, unknown> = {},
): Promise<{ history: History; seen: Float32Array[] }> {
  const seen: Float32Array[] = [];
  const o = {
    epochs: 4,
    batchSize: 16,
    validationSplit: 0.25,
    schedule: { name: 'cosine' as const },
    onEpochEnd: () => {
      seen.push(net.getWeights()[0].W);
    },
    ...extra,
  };
  const history = sync ? net.fitSync(X, y, o) : await net.fit(X, y, o);
  return { history, seen };
}

describe.each(engineNames)('%s engine: parameters and optimizer state trained in place', (engine) => {
  test('fit equals fitSync and a network of plain arrays, bit for bit, also in onEpochEnd', async () => {
    const inPlace = new Network(options(engine));
    const synced = new Network(options(engine));
    const plain = plainNetwork(options(engine));
    const a = await fitSeeing(inPlace, false);
    const b = await fitSeeing(synced, true);
    const c = await fitSeeing(plain, false);
    expect(a.history.loss.every(Number.isFinite)).toBe(true);
    expect(a.seen.length).toBe(4);
    expect(a).toEqual(b);
    expect(a).toEqual(c);
    expect(trained(inPlace)).toEqual(trained(synced));
    expect(trained(inPlace)).toEqual(trained(plain));
    // the weights moved: a comparison of untrained networks would prove nothing
    expect(inPlace.getParameters()).not.toEqual(new Network(options(engine)).getParameters());
  });

  test('chunks of several epochs (regression), a switched optimizer and a restored network too', async () => {
    const regression = (o: NetworkOptions): NetworkOptions => ({
      ...o,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'mse',
    });
    const target = Array.from({ length: ROWS }, (_, r) => X[r * INPUTS] - 0.5 * X[r * INPUTS + 1]);
    const fitOptions = { epochs: 6, batchSize: 8 }; // no callback: several epochs per chunk
    const make = (kind: 'in-place' | 'plain') => {
      const o = regression(options(engine));
      const net = kind === 'plain' ? plainNetwork(o) : new Network(o);
      return net;
    };
    const results = [];
    for (const kind of ['in-place', 'plain'] as const) {
      const net = make(kind);
      await net.fit(X, target, fitOptions);
      net.optimizer = { name: 'rmsprop', learningRate: 0.005, momentum: 0.5 }; // fresh state
      await net.fit(X, target, fitOptions);
      const restored = Network.fromJSON(net.toJSON(), { engine });
      await restored.fit(X, target, fitOptions);
      await net.fit(X, target, fitOptions);
      results.push([trained(net), trained(restored)]);
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0][0]).toEqual(results[0][1]); // the restored network trained as the original
  });

  test('early stopping with restoreBestWeights, and an abort from onEpochEnd, equal fitSync', async () => {
    for (const extra of [
      { epochs: 12, earlyStopping: { monitor: 'val_loss', patience: 1, restoreBestWeights: true } },
      { epochs: 12, stopAt: 3 },
    ]) {
      const run = async (sync: boolean) => {
        const net = new Network(options(engine, { optimizer: { name: 'adam', learningRate: 0.2 } }));
        const controller = new AbortController();
        const { stopAt, ...rest } = extra as { stopAt?: number };
        const r = await fitSeeing(net, sync, {
          ...rest,
          signal: controller.signal,
          onEpochEnd: (epoch: number) => {
            if (epoch === stopAt) controller.abort();
          },
        });
        return { history: r.history, state: trained(net) };
      };
      const async = await run(false);
      expect(async.history.stopReason).not.toBe('completed');
      expect(async).toEqual(await run(true));
    }
  });

  test('a diverging fit restores the weights before its chunk, as fitSync and plain arrays do', async () => {
    const o = options(engine, {
      layers: [
        { units: 32, activation: 'relu' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { name: 'momentum', learningRate: 0.01 },
    });
    const target = Array.from({ length: ROWS }, (_, r) => X[r * INPUTS]);
    const run = async (kind: 'in-place' | 'sync' | 'plain') => {
      const net = kind === 'plain' ? plainNetwork(o) : new Network(o);
      const fitOptions = { epochs: 3, batchSize: 16 };
      // trained state to restore to
      if (kind === 'sync') net.fitSync(X, target, fitOptions);
      else await net.fit(X, target, fitOptions);
      net.optimizer = { name: 'momentum', learningRate: 1e12 }; // the same kind: state and steps kept
      const before = trained(net);
      if (kind === 'sync') expect(() => net.fitSync(X, target, fitOptions)).toThrow(/Training diverged/);
      else await expect(net.fit(X, target, fitOptions)).rejects.toThrow(/Training diverged/);
      return { before, after: trained(net) };
    };
    const inPlace = await run('in-place');
    // weights, optimizer state and steps as before the fit (its shuffle stream moved on)
    const { metadata: _shuffled, ...after } = inPlace.after;
    const { metadata: _before, ...before } = inPlace.before;
    expect(after).toEqual(before);
    expect(inPlace).toEqual(await run('sync'));
    expect(inPlace).toEqual(await run('plain'));
  });

  test('a throwing onEpochEnd rejects with its error; the network trains on afterwards as fitSync', async () => {
    const run = async (sync: boolean) => {
      const net = new Network(options(engine));
      const boom = { epochs: 5, onEpochEnd: (e: number) => (e === 1 ? thrower() : undefined) };
      await expect(fitSeeing(net, sync, boom)).rejects.toThrow('callback failed');
      const after = await fitSeeing(net, sync, { epochs: 2 });
      return { after: after.history, state: trained(net) };
    };
    expect(await run(false)).toEqual(await run(true));
  });

  // Everything a caller can reach while a fit runs, transferred away (detached: structuredClone
  // with transfer) while a chunk runs and again between chunks: the fit's own copies and the
  // network's arrays train on, so the result is an undisturbed fit's.
  test("transferring the caller's arrays and the weights it read, mid-chunk and between chunks", async () => {
    const steal = (...arrays: ArrayBufferView[]) => {
      for (const a of arrays) {
        if (a.buffer.byteLength > 0) structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
      }
    };
    const run = async (attack: boolean) => {
      const net = new Network(options(engine));
      const myX = X.slice();
      const myY = Float32Array.from(y);
      const sampleWeight = Array.from({ length: ROWS }, (_, r) => 1 + (r % 2));
      const vX = X.slice(0, 24 * INPUTS);
      const vy = Float32Array.from(y.slice(0, 24));
      const fitting = net.fit(myX, myY, {
        epochs: 4,
        batchSize: 16,
        sampleWeight,
        validationData: [vX, vy],
        onEpochEnd: () => {
          if (!attack) return;
          const w = net.getWeights();
          steal(net.getParameters(), ...w.flatMap((l) => (l.b ? [l.W, l.b] : [l.W])));
        },
      });
      if (attack) {
        // the first chunk is on its way (native: off the event loop, the network busy with it)
        if (engine === 'native') expect(busyState(net)).toBe('chunk');
        steal(myX, myY, vX, vy);
      }
      const history = await fitting;
      return { history, state: trained(net) };
    };
    const attacked = await run(true);
    expect(attacked).toEqual(await run(false));
  });
});

describe.runIf(status.available)('the native engine: what a chunk copies', () => {
  // One copy of the per-epoch reports per chunk (losses, metric, learningRates: 8 bytes each) and
  // the dropout generator's 4 words; the rest is used in place.
  const SMALL = 3 * 8 + 16;
  const wide = (o: Partial<NetworkOptions> = {}): NetworkOptions =>
    options('native', {
      layers: [
        { units: 256, activation: 'relu', dropout: 0.1 },
        { units: 256, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      ...o,
    });

  test("a fit's chunks copy neither params nor optimizer state; plain arrays (the path before) copy both", async () => {
    // the most a fit's chunks copied (the trainer's copies only grow)
    const bytesOf = async (net: Network) => {
      const trainers = await watchTrainers(() => net.fit(X, y, { epochs: 3, batchSize: 32 }));
      expect(trainers.length).toBe(1);
      return trainers[0].asyncCopyBytes?.() ?? Number.NaN;
    };
    const inPlace = new Network(wide());
    const plain = plainNetwork(wide());
    const P = inPlace.parameterCount;
    const copied = await bytesOf(plain);
    expect(copied).toBeGreaterThanOrEqual(4 * (P + 2 * P)); // params and Adam's m and v
    expect(await bytesOf(inPlace)).toBeLessThanOrEqual(SMALL);
    // also after an optimizer switch (a new state array), and for a network restored from JSON
    inPlace.optimizer = { name: 'momentum', learningRate: 0.01 };
    expect(await bytesOf(inPlace)).toBeLessThanOrEqual(SMALL);
    const restored = Network.fromJSON(inPlace.toJSON());
    expect(await bytesOf(restored)).toBeLessThanOrEqual(SMALL);
    expect(trained(restored)).not.toEqual(trained(inPlace)); // it trained
  });

  // The network's own arrays, reached through its private fields (JS does not hide them) and
  // transferred while a chunk trains them: Node 20 copies an external buffer named in a transfer
  // instead of detaching it, so the fit goes on in the network's memory; a runtime that detached
  // it would have the fit reject naming params (native/addon/trainer_async.cpp), never crash.
  test("even the network's own arrays transferred mid-chunk: the fit resolves as undisturbed, or rejects naming them", async () => {
    const run = async (attack: boolean) => {
      const net = new Network(wide());
      const fitting = net.fit(X, y, { epochs: 3, batchSize: 32 });
      expect(busyState(net)).toBe('chunk'); // a chunk trains the arrays now, off the event loop
      const model = (net as unknown as { model: { params: Float32Array; optimizerState: Float32Array } })
        .model;
      if (attack) {
        for (const a of [model.params, model.optimizerState]) {
          structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
        }
      }
      try {
        return { history: await fitting, state: trained(net) };
      } catch (error) {
        return { error: String(error) };
      }
    };
    const attacked = await run(true);
    if ('error' in attacked)
      expect(attacked.error).toMatch(/for (params|state) when trainEpochsAsync settles/);
    else expect(attacked).toEqual(await run(false));
  });

  // A worker terminated while its chunk trains params and state in their shared blocks: the
  // worker's JS lets go of them during its teardown, the call's references keep the memory until
  // the worker thread is done with it. Run in a child process: a crash ends it with a signal.
  test('terminate() of a worker whose chunk trains its params in place takes nothing down', () => {
    const path = addonPath(packageRoot() ?? '.');
    const code = `
const { Worker } = require('node:worker_threads');
const inner = \`
const { parentPort } = require('node:worker_threads');
const addon = require(\${JSON.stringify(${JSON.stringify(path)})});
const plan = { layers: [{ inputs: 64, units: 256, activation: 'relu', useBias: true },
  { inputs: 256, units: 1, activation: 'linear', useBias: true }], loss: 'mse',
  optimizer: { kind: 'adam', learningRate: 0.001, momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, rho: 0.99, clipNorm: 0, clipValue: 0 },
  batchSize: 16, threads: 1 };
const P = 64 * 256 + 256 + 257;
const t = new addon.Trainer(plan, addon.allocateFloat32(P), addon.allocateFloat32(2 * P));
const rows = 4096;
t.trainEpochsAsync(addon.allocateFloat32(rows * 64), addon.allocateFloat32(rows), rows, null, 50, 16, 0, new Float64Array(50));
parentPort.postMessage('started');\`;
const w = new Worker(inner, { eval: true });
w.on('message', async () => {
  await new Promise((r) => setTimeout(r, 100));
  await w.terminate();
  console.log('survived');
});`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('survived');
  });
});

/** The network's busy state (lib/busy.ts): 'chunk' while a chunk runs off the event loop. */
function busyState(net: Network): unknown {
  return (net as unknown as { busy: { state: unknown } }).busy.state;
}

function thrower(): never {
  throw new Error('callback failed');
}
