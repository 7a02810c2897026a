// predict on 2 threads gives the bits of 1 thread. The native inference model splits a block of
// rows over its threads (each runs every layer of its rows, model.cpp lanes_for), with each
// product on the path the whole block would take; smaller blocks split each product, which never
// changes how an element of C is summed. These shapes and row counts cross both: fewer rows than
// two lanes, lanes of whole and partial 24-row groups, several blocks (a 784-128-10 block is 985
// rows) and their remainders, direct and packed products. Both engines; the float64 forward pass
// of test/30's kind bounds both (so two equally wrong engines fail too).
import { describe, expect, it } from 'vitest';
import { Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

type Shape = { inputs: number; hidden: number[]; outputs: number };

const SHAPES: [string, Shape, number[]][] = [
  ['784-128-10', { inputs: 784, hidden: [128], outputs: 10 }, [1, 16, 47, 48, 49, 246, 300, 985, 1024, 2000]],
  ['30-64-64-1', { inputs: 30, hidden: [64, 64], outputs: 1 }, [100, 1024, 1500]],
  ['64-(6 x 64)-10', { inputs: 64, hidden: [64, 64, 64, 64, 64, 64], outputs: 10 }, [333, 1024, 1500]],
];

function network(engine: (typeof engineNames)[number], s: Shape, threads: number): Network {
  return new Network({
    inputs: s.inputs,
    layers: [
      ...s.hidden.map((units) => ({ units, activation: 'relu' as const })),
      { units: s.outputs, activation: s.outputs === 1 ? ('sigmoid' as const) : ('softmax' as const) },
    ],
    seed: 3,
    engine,
    threads,
  });
}

/** float64 forward of row r of X through net's weights (relu hidden, sigmoid or softmax out). */
function reference(net: Network, X: Float32Array, r: number, inputs: number): number[] {
  let a = Array.from(X.subarray(r * inputs, (r + 1) * inputs));
  const layers = net.getWeights();
  layers.forEach((layer, i) => {
    const [, units] = layer.shape;
    const z = Array.from({ length: units }, (_, j) =>
      a.reduce((s, v, k) => s + v * layer.W[k * units + j], layer.b ? layer.b[j] : 0),
    );
    if (i < layers.length - 1) a = z.map((v) => Math.max(0, v));
    else if (units === 1) a = [1 / (1 + Math.exp(-z[0]))];
    else {
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((s, v) => s + v, 0);
      a = e.map((v) => v / sum);
    }
  });
  return a;
}

describe.each(engineNames)('predict on 1 and 2 threads, %s engine', (engine) => {
  it.each(SHAPES)('%s: the same bits on 2 threads as on 1', (_name, shape, counts) => {
    const one = network(engine, shape, 1);
    const two = network(engine, shape, 2);
    two.setParameters(one.getParameters());
    const most = Math.max(...counts);
    const X = Float32Array.from({ length: most * shape.inputs }, (_, i) => Math.sin(i * 0.61) * 0.5);
    for (const rows of counts) {
      const x = X.subarray(0, rows * shape.inputs);
      const a = one.predict(x);
      const b = two.predict(x);
      expect(b.length, `${rows} rows`).toBe(rows * shape.outputs);
      const differing = a.findIndex((v, i) => !Object.is(v, b[i]));
      expect(differing, `${rows} rows: first output that differs`).toBe(-1);
      // every row right, the last ones included (a lane's rows written where they belong)
      for (const r of [0, rows >> 1, rows - 1]) {
        const want = reference(one, x, r, shape.inputs);
        want.forEach((v, j) => expect(b[r * shape.outputs + j], `${rows} rows, row ${r}`).toBeCloseTo(v, 5));
      }
    }
    one.dispose?.();
    two.dispose?.();
  });
});
