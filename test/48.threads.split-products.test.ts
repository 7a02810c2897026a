// Products split over threads keep one thread's bits: networks with products past the direct
// path's split threshold (kParallelDirectMinVolume, 5 x 2^20 multiply-adds: 784-128-10 at batch
// 64 has two of 6.4M, 200-256-64-10 two of 3.3M) train to the same parameters, bit for bit, on 1
// and 2 native threads, and within float32 rounding of the TS engine. A trainer keeps its
// direct-path products whole (native/core/mlp.cpp), so here 2 threads must simply not change
// the arithmetic; native/test/gemm_sup_test.cpp checks the direct split shape by shape, and
// test/28 a split predict.
import { describe, expect, test } from 'vitest';
import { nativeEngine } from '../lib/engine/native.js';
import { Network, type NetworkOptions } from '../lib/index.js';
import { Random } from '../lib/random.js';

const CASES = [
  { name: '784-128-10, batch 64', inputs: 784, hidden: [128], outputs: 10, batch: 64, rows: 192 },
  { name: '200-256-64-10, batch 64', inputs: 200, hidden: [256, 64], outputs: 10, batch: 64, rows: 160 },
];

function options(c: (typeof CASES)[number], engine: 'native' | 'ts', threads: number): NetworkOptions {
  return {
    inputs: c.inputs,
    layers: [
      ...c.hidden.map((units) => ({ units, activation: 'relu' as const })),
      { units: c.outputs, activation: 'softmax' as const },
    ],
    loss: 'cross-entropy',
    optimizer: { name: 'sgd', learningRate: 0.05 },
    seed: 3,
    engine,
    threads,
  };
}

function data(c: (typeof CASES)[number]): { X: Float32Array; y: Float32Array } {
  const rng = new Random(11);
  const X = Float32Array.from({ length: c.rows * c.inputs }, () => rng.range(0, 1));
  const y = Float32Array.from({ length: c.rows }, (_, i) => i % c.outputs);
  return { X, y };
}

describe.skipIf(!nativeEngine())('products split over threads', () => {
  for (const c of CASES) {
    test(`${c.name}: 2 native threads train bit-identically to 1, and close to the TS engine`, async () => {
      const { X, y } = data(c);
      const fit = { epochs: 2, batchSize: c.batch, shuffle: false };
      const trained = async (engine: 'native' | 'ts', threads: number) => {
        const net = new Network(options(c, engine, threads));
        await net.fit(X, y, fit);
        const params = net.getParameters();
        net.dispose();
        return params;
      };
      const one = await trained('native', 1);
      const two = await trained('native', 2);
      const ts = await trained('ts', 1);
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
      let worst = 0;
      for (let i = 0; i < ts.length; i++)
        worst = Math.max(worst, Math.abs(one[i] - ts[i]) / (1e-3 + Math.abs(ts[i])));
      expect(worst).toBeLessThan(1e-3);
      // the parameters moved: a run that trained nothing would pass the comparisons trivially
      const start = new Network(options(c, 'ts', 1)).getParameters();
      expect(one.some((v, i) => v !== start[i])).toBe(true);
    });
  }
});
