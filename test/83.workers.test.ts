// The public API in worker_threads (test 43 covers the raw addon there): several workers train
// networks at once through lib/ and get bit-identically what the main thread gets, on every
// engine. A worker terminated in the middle of a native async fit must take nothing down with it
// (today it aborts the process: a known bug, pinned below).
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const LIB = new URL('../lib/index.ts', import.meta.url).href;
const TSX = new URL('../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href;

// Runs in the worker: registers tsx (to import lib/*.ts), trains, posts the parameters and a
// predict on the training rows (each worker's own addon instance and thread pool).
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  (await import(${JSON.stringify(TSX)})).register();
  const { Network } = await import(${JSON.stringify(LIB)});
  const { options, X, y, fit } = workerData;
  const net = new Network(options);
  parentPort.postMessage({ started: true });
  const history = await net.fit(new Float32Array(X), y, fit);
  const predicted = Array.from(net.predict(new Float32Array(X)));
  parentPort.postMessage({ params: Array.from(net.getParameters()), loss: history.loss, predicted, engine: net.engine });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));`;

function problem(engine: string, seed: number) {
  const rows = 256;
  const X = Array.from({ length: rows * 4 }, (_, i) => Math.sin(i * 0.37 + seed));
  const y = Array.from({ length: rows }, (_, r) => (r * 5 + seed) % 3);
  const options = {
    inputs: 4,
    layers: [
      { units: 32, activation: 'relu' },
      { units: 3, activation: 'softmax' },
    ],
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed,
    engine,
    threads: 2,
  };
  return { options, X, y, fit: { epochs: 8, batchSize: 16 } };
}

interface Result {
  params: number[];
  loss: number[];
  predicted: number[];
  engine: string;
}

function runWorker(data: object): { worker: Worker; started: Promise<void>; result: Promise<Result> } {
  const worker = new Worker(CODE, { eval: true, workerData: data });
  let onStart: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const result = new Promise<Result>((resolve, reject) => {
    worker.on('message', (m: { started?: boolean; error?: string } & Result) => {
      if (m.started) onStart();
      else if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before a result`)));
  });
  return { worker, started, result };
}

describe.each(engineNames)('the public API in worker_threads on the %s engine', (engine) => {
  it('three workers training and predicting at once each match the main thread bit for bit', async () => {
    const seeds = [1, 2, 3];
    const runs = seeds.map((seed) => runWorker(problem(engine, seed)));
    const results = await Promise.all(runs.map((r) => r.result));
    await Promise.all(runs.map((r) => r.worker.terminate()));
    seeds.forEach((seed, i) => {
      const p = problem(engine, seed);
      const net = new Network(p.options as never);
      const history = net.fitSync(new Float32Array(p.X), p.y, p.fit);
      expect(results[i].engine).toBe(engine);
      expect(results[i].loss).toEqual(history.loss);
      expect(Float32Array.from(results[i].params)).toEqual(net.getParameters());
      expect(Float32Array.from(results[i].predicted)).toEqual(net.predict(new Float32Array(p.X)));
    });
  });
});

// A worker terminated while the addon's trainEpochsAsync is in flight. Run in a child process:
// today the addon's AsyncWorker settles its promise during the worker's teardown, node-addon-api
// throws a Napi::Error there, and std::terminate aborts the whole process (exit 134), not just the
// worker. Marked `fails` until native/addon/trainer_async.cpp survives it; see the report.
const TERMINATE = `
const { Worker } = require('node:worker_threads');
const path = ${JSON.stringify(new URL('../build/Release/fastmlp.node', import.meta.url).pathname)};
const code = \`
const { parentPort } = require('node:worker_threads');
const addon = require(\${JSON.stringify(path)});
const plan = { layers: [{ inputs: 64, units: 256, activation: 'relu', useBias: true },
  { inputs: 256, units: 1, activation: 'linear', useBias: true }], loss: 'mse',
  optimizer: { kind: 'sgd', learningRate: 0.001, momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, rho: 0.99, clipNorm: 0, clipValue: 0 },
  batchSize: 16, threads: 1 };
const t = new addon.Trainer(plan, new Float32Array(64 * 256 + 256 + 257), new Float32Array(0));
const rows = 4096;
t.trainEpochsAsync(new Float32Array(rows * 64), new Float32Array(rows), rows, null, 50, 16, 0, new Float64Array(50));
parentPort.postMessage('started');\`;
const w = new Worker(code, { eval: true });
w.on('message', async () => {
  await new Promise((r) => setTimeout(r, 100));
  await w.terminate();
  console.log('survived');
});`;

describe.runIf(engineNames.includes('native'))('terminating a worker', () => {
  it('terminate() during a native async fit does not abort the process', () => {
    const run = spawnSync(process.execPath, ['-e', TERMINATE], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).not.toContain('terminate called');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('survived');
  });
});
