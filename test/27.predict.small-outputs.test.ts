// predict's small outputs (at most IN_HEAP_MAX_BYTES, e.g. one sample of a 10-class network) are
// written into an array the runtime keeps off V8's heap and returned as a copy: each call still
// returns an array of its own, with a buffer of its own, that later calls never write, and the
// same values as outputs returned directly. Checked on both engines, at the size limit and past it.
import { describe, expect, it } from 'vitest';
import { Network } from '../lib/index.js';
import { IN_HEAP_MAX_BYTES } from '../lib/network-runtime.js';
import { engineNames } from './helpers/engine-names.js';

const LIMIT = IN_HEAP_MAX_BYTES / Float32Array.BYTES_PER_ELEMENT; // floats

function net(engine: (typeof engineNames)[number], outputs: number, activation = 'softmax'): Network {
  return new Network({
    inputs: 6,
    layers: [
      { units: 9, activation: 'tanh' },
      { units: outputs, activation: activation as 'softmax' },
    ],
    seed: 5,
    engine,
  });
}

function rows(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count * 6 }, (_, i) => Math.sin(i * 0.37 + seed));
}

describe.each(engineNames)('predict of small outputs on the %s engine', (engine) => {
  // 10 (one row), 16 (the limit: one row of 16, two of 8), 17 and 18 (past it)
  it.each([
    [10, 1],
    [16, 1],
    [8, 2],
    [17, 1],
    [9, 2],
  ])('%i outputs x %i rows: arrays of their own, never written by later calls', (outputs, count) => {
    const n = net(engine, outputs);
    const a = rows(count, 1);
    const b = rows(count, 2);
    const first = n.predict(a);
    const kept = Float32Array.from(first);
    expect(first.length).toBe(outputs * count);
    expect(first.buffer.byteLength).toBe(first.byteLength); // not a view on a shared scratch
    const second = n.predict(b);
    expect(second).not.toBe(first);
    expect(second.buffer).not.toBe(first.buffer);
    expect(Array.from(first)).toEqual(Array.from(kept)); // the second call left the first alone
    expect(Array.from(second)).not.toEqual(Array.from(first));
    second.fill(7); // a caller writing its result changes no later call's outputs
    expect(Array.from(n.predict(a))).toEqual(Array.from(kept));
    // rows of numbers take the same path: the same values, as rows
    const asRows = Array.from({ length: count }, (_, r) => Array.from(a.subarray(r * 6, (r + 1) * 6)));
    expect(n.predict(asRows).flat()).toEqual(Array.from(kept));
    expect(outputs * count > LIMIT || first.byteLength <= IN_HEAP_MAX_BYTES).toBe(true);
  });

  it('a one-sample regression output is unscaled once per call (targetScaling on the copy)', () => {
    const n = net(engine, 2, 'linear');
    n.targetScaling = { mean: [3, -2], std: [2, 0.5] };
    const x = rows(1, 3);
    const scaled = n.predict(x);
    n.targetScaling = null;
    const raw = n.predict(x);
    expect(scaled[0]).toBeCloseTo(raw[0] * 2 + 3, 5);
    expect(scaled[1]).toBeCloseTo(raw[1] * 0.5 - 2, 5);
    n.targetScaling = { mean: [3, -2], std: [2, 0.5] };
    expect(Array.from(n.predict(x))).toEqual(Array.from(scaled)); // not unscaled twice
  });
});
