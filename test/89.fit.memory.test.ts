// What a fit holds per row of its data (issue 13's memory goal), on every engine: the bytes of the
// arrays it takes from its allocator (FitArrays.spareBytes right after it settles): its copy of X,
// the targets (one-hot for classes), the shuffled order, the row weights. Counted exactly, never
// timed or read from RSS, so nothing here can flake; bench/fit-memory-parts.ts measures the
// resident memory (these arrays and the model-sized rest) stage by stage.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../lib/engine/engine.js';
import type { FitArrays } from '../lib/fit-arrays.js';
import { Network } from '../lib/index.js';
import { MAX_ORDER } from '../lib/train.js';
import { engines } from './helpers/engines.js';

const fitBytes = (net: Network): number =>
  (net as unknown as { runtime: { fitArrays: FitArrays } }).runtime.fitArrays.spareBytes;

/** rows x cols features in [-1, 1), and a target that is a smooth function of them. */
function data(rows: number, cols: number): { X: Float32Array; y: Float32Array } {
  const X = new Float32Array(rows * cols);
  for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 2000) / 1000 - 1;
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = X[r * cols] - 0.5 * X[r * cols + cols - 1];
  return { X, y };
}

/** A small regression network (cols-8-1, mse): its fits take chunks of several epochs. */
const regression = (engine: Engine['name'], cols: number) =>
  new Network({
    inputs: cols,
    layers: [
      { units: 8, activation: 'relu' },
      { units: 1, activation: 'linear' },
    ],
    loss: 'mse',
    optimizer: { name: 'sgd', learningRate: 0.01 },
    seed: 3,
    engine,
    threads: 1,
  });

describe.each(engines)('$name engine: the arrays a fit holds', (engine: Engine) => {
  it('classes: one copy of X, the one-hot targets and one index a row, whatever the split', async () => {
    const [rows, cols, classes] = [600, 5, 3];
    const { X, y } = data(rows, cols);
    const labels = y.map((v) => (v > 0.3 ? 2 : v > -0.3 ? 1 : 0));
    const classifier = () =>
      new Network({
        inputs: cols,
        layers: [
          { units: 8, activation: 'relu' },
          { units: classes, activation: 'softmax' },
        ],
        seed: 1,
        engine: engine.name,
        threads: 1,
      });
    const net = classifier();
    await net.fit(X, labels, { epochs: 3, batchSize: 32 });
    expect(fitBytes(net)).toBe(rows * (cols + classes + 1) * 4);
    // validationSplit: the held rows are views of the same copy; the order covers the kept rows
    const fresh = classifier();
    await fresh.fit(X, labels, { epochs: 2, batchSize: 32, validationSplit: 0.25 });
    expect(fitBytes(fresh)).toBe(rows * (cols + classes) * 4 + (rows - rows / 4) * 4);
  });

  it('regression on many rows: one index a row however many epochs a chunk holds (was one per epoch)', async () => {
    // a 2-8-1 network's chunks hold several epochs of these rows (2e7 multiply-adds a chunk); the
    // order of a 3-epoch chunk held 3 indices a row: 12 bytes beside the caller's 12 (2 floats
    // and a target), a second copy of the data
    const [rows, cols] = [70_000, 2];
    const { X, y } = data(rows, cols);
    const chunked = regression(engine.name, cols);
    await chunked.fit(X, y, { epochs: 3, batchSize: 256 });
    expect(fitBytes(chunked)).toBe(rows * (cols + 1) * 4 + rows * 4);
    // the chunks do not change what is learned: the same weights as one chunk per epoch
    const perEpoch = regression(engine.name, cols);
    await perEpoch.fit(X, y, { epochs: 3, batchSize: 256, onEpochEnd: () => {} });
    expect(Array.from(chunked.getParameters())).toEqual(Array.from(perEpoch.getParameters()));
  });

  it('regression on few rows: chunks of many epochs, their order within MAX_ORDER indices', async () => {
    const [rows, cols, epochs] = [1000, 2, 200];
    const { X, y } = data(rows, cols);
    const net = regression(engine.name, cols);
    const history = await net.fit(X, y, { epochs, batchSize: 50 });
    expect(history.epochs).toBe(epochs);
    const order = fitBytes(net) - rows * (cols + 1) * 4;
    expect(order % (rows * 4)).toBe(0); // whole epochs of indices
    expect(order).toBeGreaterThan(rows * 4); // several epochs a chunk still (fewer calls)
    expect(order).toBeLessThanOrEqual(MAX_ORDER * 4);
    expect(MAX_ORDER * 4).toBeLessThanOrEqual(256 * 1024); // a fixed part beside the model-sized ones
  });
});
