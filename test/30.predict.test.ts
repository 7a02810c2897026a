// predict / predictClasses / evaluate: bad input first, then outputs checked against a plain
// float64 forward pass written here from the formulas (Z = A W + b, A = f(Z)).
import { describe, expect, it } from 'vitest';
import { Network, standardize } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

function forward(net: Network, x: number[]): number[] {
  let a = x;
  net.getWeights().forEach((layer, i) => {
    const activation = net.layers[i].activation;
    const [, units] = layer.shape;
    const z = Array.from({ length: units }, (_, j) =>
      a.reduce((s, v, k) => s + v * layer.W[k * units + j], layer.b ? layer.b[j] : 0),
    );
    if (activation === 'softmax') {
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((s, v) => s + v, 0);
      a = e.map((v) => v / sum);
    } else {
      a = z.map((v) =>
        activation === 'sigmoid'
          ? 1 / (1 + Math.exp(-v))
          : activation === 'tanh'
            ? Math.tanh(v)
            : activation === 'relu'
              ? Math.max(0, v)
              : activation === 'leakyRelu'
                ? v > 0
                  ? v
                  : 0.01 * v
                : v,
      );
    }
  });
  return a;
}

describe.each(engineNames)('predict and evaluate on the %s engine', (engine) => {
  const net = new Network({
    inputs: 3,
    layers: [
      { units: 5, activation: 'tanh' },
      { units: 4, activation: 'leakyRelu' },
      { units: 3, activation: 'softmax' },
    ],
    seed: 11,
    engine,
  });
  const X = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7 - 0.5]);

  it('rejects bad input with the argument named', () => {
    expect(() => net.predict('x' as unknown as number[][])).toThrow(
      "Expected an array of rows (number[][]) or a row-major Float32Array for X but received 'x'",
    );
    expect(() => net.predict([[1, 2]])).toThrow('for X[0]');
    expect(() => net.predict([])).toThrow('Expected at least one sample for X');
    expect(() => net.predict(new Float64Array(3) as unknown as Float32Array)).toThrow(
      'a Float64Array of length 3',
    );
    expect(() => net.evaluate(X, [0, 1])).toThrow('for y');
    expect(() => net.evaluate([[0, 0, 0]], [[0.5, 0.5]])).toThrow(
      'Expected a row of 3 numbers (the outputs) for y[0]',
    );
  });

  it('a wrong type is a TypeError; NaN or Infinity a RangeError, as standardize says too', () => {
    const nan = [[0, Number.NaN, 0]];
    expect(() => net.predict(nan)).toThrow(
      new RangeError('Expected a finite number for X[0][1] but received NaN'),
    );
    expect(() => net.predict(nan)).toThrow(RangeError);
    expect(() => standardize(nan)).toThrow(RangeError);
    expect(() => net.predict(Float32Array.of(0, 0, Number.POSITIVE_INFINITY))).toThrow(RangeError);
    expect(() => net.predict([[0, '1', 0]] as unknown as number[][])).toThrow(TypeError);
    expect(() => net.evaluate([[0, 0, 0]], [Number.NaN])).toThrow(RangeError);
    expect(() => net.evaluate([[0, 0, 0]], [null] as unknown as number[])).toThrow(TypeError);
  });

  it('matches a float64 forward pass, beyond one inference block of rows', () => {
    const out = net.predict(X);
    expect(out.length).toBe(300);
    for (const r of [0, 1, 150, 255, 256, 299]) {
      const expected = forward(net, X[r]);
      out[r].forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
      expect(out[r].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    }
  });

  it('returns the kind it was given', () => {
    const flat = net.predict(new Float32Array(X.flat()));
    expect(flat).toBeInstanceOf(Float32Array);
    expect(flat.length).toBe(900);
    // the native gemm picks its path by shape, so one row alone may differ in the last bit
    const alone = net.predict([X[1]])[0];
    Array.from(flat.subarray(3, 6)).forEach((v, j) => expect(v).toBeCloseTo(alone[j], 6));
  });

  it('predictClasses is the argmax; evaluate gives cross-entropy and accuracy', () => {
    const classes = net.predictClasses(X) as number[]; // multiclass: one index per sample
    const probs = net.predict(X);
    classes.forEach((c, r) => expect(probs[r][c]).toBe(Math.max(...probs[r])));
    const { loss, accuracy } = net.evaluate(X, classes);
    expect(accuracy).toBe(1);
    const expected = -probs.reduce((s, p, r) => s + Math.log(p[classes[r]]), 0) / X.length;
    expect(loss).toBeCloseTo(expected, 4);
    // one-hot rows are the same targets as class indices
    const oneHot = classes.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    expect(net.evaluate(X, oneHot).loss).toBeCloseTo(loss, 6);
  });

  it('predict leaves the network unchanged', () => {
    const before = net.getParameters();
    net.predict(X);
    net.evaluate(X, net.predictClasses(X));
    expect(net.getParameters()).toEqual(before);
  });
});

describe.each(engineNames)('predict from number[][] on the %s engine', (engine) => {
  // one and two outputs take their own row literals (lib/outputs.ts rowAt), three or more pushes
  it.each([1, 2, 3, 10])('gives one array of %i outputs per row, the Float32Array predictions', (outputs) => {
    const net = new Network({
      inputs: 4,
      layers: [{ units: 6, activation: 'tanh' }, { units: outputs }],
      loss: 'mse',
      seed: 5,
      engine,
    });
    const X = Array.from({ length: 37 }, (_, i) => [Math.sin(i), Math.cos(i), i / 37, -0.5]);
    const rows = net.predict(X);
    const flat = net.predict(Float32Array.from(X.flat()));
    expect(rows).toHaveLength(37);
    for (const row of rows) expect(row).toHaveLength(outputs);
    expect(rows.flat()).toEqual(Array.from(flat));
  });
});
