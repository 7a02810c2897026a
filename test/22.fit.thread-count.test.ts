// A fit's weights do not depend on its thread count (DESIGN: results are bit-identical for any
// thread count), on a network whose first layer the native trainer owns by rows of W on the
// AVX-512 and AVX2 kernels, its two parts on two threads or one after the other on one
// (784-128-10 at batch 64: X W1 and X^T dZ1 are 6.4M multiply-adds, native/core/mlp_owned.cpp;
// `npm run test:avx2` runs this file on the AVX2 kernels too), a ragged last batch included,
// with SGD and Adam; and the native engine's weights stay within the TS engine's tolerance (the
// same arithmetic up to the order of the sums). test/48 checks the split on more shapes with SGD.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../lib/engine/engine.js';
import { Network, type OptimizerSpec } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { engines } from './helpers/engines.js';

const ROWS = 200; // 3 batches of 64 and one of 8

function mnistShaped(seed: number): { X: Float32Array; labels: number[] } {
  const rng = new Random(seed);
  const X = new Float32Array(ROWS * 784);
  for (let i = 0; i < X.length; i++) X[i] = rng.range(0, 1);
  const labels = Array.from({ length: ROWS }, () => rng.int(10));
  return { X, labels };
}

function network(engine: Engine['name'], threads: number, optimizer: OptimizerSpec): Network {
  return new Network({
    inputs: 784,
    layers: [
      { units: 128, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    optimizer,
    seed: 3,
    engine,
    threads,
  });
}

const OPTIMIZERS: OptimizerSpec[] = [
  { name: 'sgd', learningRate: 0.05 },
  { name: 'adam', learningRate: 0.001 },
];

async function trained(
  engine: Engine['name'],
  threads: number,
  optimizer: OptimizerSpec,
): Promise<Float32Array> {
  const { X, labels } = mnistShaped(11);
  const net = network(engine, threads, optimizer);
  await net.fit(X, labels, { epochs: 2, batchSize: 64 });
  net.fitSync(X, labels, { epochs: 1, batchSize: 64, shuffle: false });
  const params = net.getParameters();
  net.dispose();
  return params;
}

describe.each(engines)('$name engine: 784-128-10 at batch 64', (engine: Engine) => {
  it.each(OPTIMIZERS)('trains the same bits on 1 and 2 threads ($name)', async (optimizer) => {
    const one = await trained(engine.name, 1, optimizer);
    const two = await trained(engine.name, 2, optimizer);
    expect(Buffer.from(one.buffer).equals(Buffer.from(two.buffer))).toBe(true);
    // the fit trained: the weights moved from their initial values
    const start = network(engine.name, 1, optimizer).getParameters();
    expect(Buffer.from(one.buffer).equals(Buffer.from(start.buffer))).toBe(false);
  });
});

describe.runIf(engines.length > 1)('native and TS engines on 784-128-10 at batch 64', () => {
  // SGD: an update proportional to the gradient. (Adam divides by sqrt(v), so a parameter whose
  // gradients are near zero moves by up to the learning rate on rounding alone: no tolerance of
  // the sums' order bounds it.)
  it('end within the engines’ tolerance of each other (sgd)', async () => {
    const ts = await trained('ts', 1, OPTIMIZERS[0]);
    const native = await trained('native', 1, OPTIMIZERS[0]);
    let worst = 0;
    for (let i = 0; i < ts.length; i++) {
      worst = Math.max(worst, Math.abs(native[i] - ts[i]) - 1e-4 * Math.abs(ts[i]));
    }
    expect(worst).toBeLessThan(1e-5); // test/42's params tolerance: 1e-4 relative + 1e-5 absolute
  });
});
