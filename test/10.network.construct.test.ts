// Constructing a Network: bad options first (exact messages), then layout, defaults, seeding.
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const base: NetworkOptions = {
  inputs: 2,
  layers: [
    { units: 4, activation: 'relu' },
    { units: 1, activation: 'sigmoid' },
  ],
  seed: 1,
  engine: 'ts',
};

describe('Network options are checked before anything is built', () => {
  const cases: [string, unknown, RegExp | string][] = [
    ['no options', undefined, 'Expected an object for options but received undefined'],
    ['zero inputs', { ...base, inputs: 0 }, 'Expected an integer in 1..1048576 for inputs but received 0'],
    [
      'fractional inputs',
      { ...base, inputs: 1.5 },
      'Expected an integer in 1..1048576 for inputs but received 1.5',
    ],
    ['string inputs', { ...base, inputs: '2' }, "Expected a positive integer for inputs but received '2'"],
    ['no layers', { ...base, layers: [] }, 'Expected 1..1024 layers for layers but received 0'],
    [
      'layers not an array',
      { ...base, layers: {} },
      'Expected an array of layer objects for layers but received an object',
    ],
    [
      'zero units',
      { ...base, layers: [{ units: 0 }] },
      'Expected an integer in 1..1048576 for layers[0].units but received 0',
    ],
    ['NaN units', { ...base, layers: [{ units: Number.NaN }] }, 'for layers[0].units but received NaN'],
    [
      'unknown activation',
      { ...base, layers: [{ units: 1, activation: 'sigmoidd' }] },
      "Expected one of 'sigmoid', 'relu', 'tanh', 'leakyRelu', 'softmax', 'linear' for layers[0].activation but received 'sigmoidd'; did you mean 'sigmoid'?",
    ],
    ['unknown loss', { ...base, loss: 'crossentropy' }, "did you mean 'cross-entropy'?"],
    ['unknown option', { ...base, learningRate: 1 }, "Unknown option 'learningRate' for Network"],
    [
      'misspelt optimizer option',
      { ...base, optimizer: { name: 'sgd', learningrate: 1 } },
      "Unknown option 'learningrate' for optimizer; did you mean 'learningRate'?",
    ],
    [
      'negative learning rate',
      { ...base, optimizer: { name: 'sgd', learningRate: -1 } },
      'for optimizer.learningRate',
    ],
    [
      'momentum of 1',
      { ...base, optimizer: { name: 'sgd', momentum: 1 } },
      'Expected a number in [0, 1) for optimizer.momentum but received 1',
    ],
    [
      'bce with softmax',
      { ...base, loss: 'bce', layers: [{ units: 2, activation: 'softmax' }] },
      "Expected a 'sigmoid' output layer for loss 'bce' but received 'softmax'",
    ],
    [
      'cross-entropy with sigmoid',
      { ...base, loss: 'cross-entropy' },
      "Expected a 'softmax' output layer for loss 'cross-entropy'",
    ],
    ['negative seed', { ...base, seed: -1 }, 'Expected an integer in 0..2^32-1 for seed but received -1'],
    ['unknown engine', { ...base, engine: 'gpu' }, "for engine but received 'gpu'"],
    [
      'huge network',
      { ...base, inputs: 1 << 20, layers: [{ units: 1 << 20 }] },
      'Expected at most 268435456 parameters',
    ],
    [
      'bad initializer',
      { ...base, layers: [{ units: 1, initializer: 'glorot' }] },
      'for layers[0].initializer',
    ],
    // kept as float32 by the engines: finite as a double is not enough
    [
      'learningRate infinite as float32',
      { ...base, optimizer: { name: 'sgd', learningRate: 1e300 } },
      'Expected a positive finite float32 number for optimizer.learningRate but received 1e+300',
    ],
    [
      'epsilon zero as float32',
      { ...base, optimizer: { name: 'adam', epsilon: 1e-50 } },
      'Expected a positive finite float32 number for optimizer.epsilon but received 1e-50',
    ],
    [
      'weightDecay infinite as float32',
      { ...base, optimizer: { name: 'sgd', weightDecay: 4e38 } },
      'Expected a non-negative finite float32 number for optimizer.weightDecay but received 4e+38',
    ],
    [
      'initializer bound infinite as float32',
      { ...base, layers: [{ units: 1, initializer: { name: 'uniform', low: -1e300 } }] },
      'Expected a finite float32 number for layers[0].initializer.low but received -1e+300',
    ],
    [
      'initializer high infinite as float32',
      { ...base, layers: [{ units: 1, initializer: { name: 'uniform', high: 1e300 } }] },
      'Expected a finite float32 number above low for layers[0].initializer.high but received 1e+300',
    ],
    [
      'initializer std infinite as float32',
      { ...base, layers: [{ units: 1, initializer: { name: 'normal', std: 1e300 } }] },
      'Expected a non-negative finite float32 number for layers[0].initializer.std but received 1e+300',
    ],
  ];
  // A wrong type (or an unknown key) is a TypeError; every other case is a RangeError.
  const typeErrors = [
    'no options',
    'string inputs',
    'layers not an array',
    'unknown option',
    'misspelt optimizer option',
  ];
  it.each(cases)('%s', (name, options, message) => {
    const build = () => new Network(options as NetworkOptions);
    expect(build).toThrow(message);
    const kind = typeErrors.includes(name) ? TypeError : RangeError;
    expect(build).toThrow(kind);
    try {
      build();
    } catch (error) {
      expect((error as Error).constructor).toBe(kind); // exactly, not a subclass
    }
  });
});

describe.each(engineNames)('Network construction on the %s engine', (engine) => {
  it('lays out W then b per layer in one flat buffer', () => {
    const net = new Network({ ...base, engine });
    expect(net.engine).toBe(engine);
    expect(net.parameterCount).toBe(2 * 4 + 4 + 4 * 1 + 1);
    const weights = net.getWeights();
    expect(weights[0].shape).toEqual([2, 4]);
    expect(weights[0].W.length).toBe(2 * 4); // (inputs, units) row-major
    expect(weights[0].b).toEqual(new Float32Array(4)); // He-initialized layers start with zero bias
    const flat = net.getParameters();
    expect(flat[0]).toBe(weights[0].W[0]);
    expect(flat[4]).toBe(weights[0].W[4]); // input 1, unit 0
    expect(flat[12]).toBe(weights[1].W[0]);
  });

  it('the same seed gives bit-identical weights; another seed different ones', () => {
    const a = new Network({ ...base, engine }).getParameters();
    const b = new Network({ ...base, engine }).getParameters();
    const c = new Network({ ...base, engine, seed: 2 }).getParameters();
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('defaults: loss from the output activation, adam, a recorded random seed', () => {
    const net = new Network({
      inputs: 3,
      layers: [{ units: 5 }, { units: 3, activation: 'softmax' }],
      engine,
    });
    expect(net.loss).toBe('cross-entropy');
    expect(net.optimizer.kind).toBe('adam');
    expect(net.optimizer.learningRate).toBe(0.001);
    expect(net.layers[0].activation).toBe('relu');
    expect(Number.isInteger(net.seed)).toBe(true);
    const again = new Network({
      inputs: 3,
      layers: [{ units: 5 }, { units: 3, activation: 'softmax' }],
      engine,
      seed: net.seed,
    });
    expect(again.getParameters()).toEqual(net.getParameters());
  });

  it('initializers draw from the distributions the seeds use', () => {
    const draw = (initializer: unknown) =>
      Array.from(
        new Network({
          inputs: 100,
          layers: [{ units: 100, activation: 'sigmoid', initializer } as NetworkOptions['layers'][0]],
          loss: 'mse',
          seed: 3,
          engine,
        }).getParameters(),
      );
    const stats = (v: number[]) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      return { mean, std, min: Math.min(...v), max: Math.max(...v) };
    };
    const u01 = stats(draw('uniform'));
    expect(u01.min).toBeGreaterThanOrEqual(0);
    expect(u01.max).toBeLessThan(1);
    expect(u01.mean).toBeCloseTo(0.5, 1);
    const u11 = stats(draw({ name: 'uniform', low: -1, high: 1 }));
    expect(u11.min).toBeGreaterThanOrEqual(-1);
    expect(u11.mean).toBeCloseTo(0, 1);
    const n1 = stats(draw('normal'));
    expect(n1.std).toBeCloseTo(1, 1);
    const n01 = stats(draw({ name: 'normal', std: 0.1 }));
    expect(n01.std).toBeCloseTo(0.1, 2);
    const glorot = stats(draw('glorotUniform').slice(0, 10_000));
    expect(glorot.max).toBeLessThanOrEqual(Math.sqrt(6 / 200));
    const he = stats(draw('heNormal').slice(0, 10_000));
    expect(he.std).toBeCloseTo(Math.sqrt(2 / 100), 2);
  });

  it('toJSON / fromJSON round-trips weights, optimizer state and step count exactly', () => {
    const net = new Network({ ...base, engine, optimizer: 'adam' });
    net.fitSync(
      [
        [0, 0],
        [1, 1],
        [0, 1],
        [1, 0],
      ],
      [0, 0, 1, 1],
      { epochs: 3, batchSize: 2 },
    );
    const copy = Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), { engine });
    expect(copy.getParameters()).toEqual(net.getParameters());
    expect(copy.steps).toBe(6);
    expect(copy.toJSON()).toEqual(net.toJSON());
    // continuing shuffled training from the copy and the original gives the same weights
    const X = [
      [0, 0],
      [1, 1],
      [0, 1],
      [1, 0],
      [0.5, 0.5],
    ];
    net.fitSync(X, [0, 0, 1, 1, 0], { epochs: 3, batchSize: 2 });
    copy.fitSync(X, [0, 0, 1, 1, 0], { epochs: 3, batchSize: 2 });
    expect(copy.getParameters()).toEqual(net.getParameters());
  });

  it('fromJSON rejects a corrupted document by field', () => {
    const json = new Network({ ...base, engine }).toJSON();
    expect(() => Network.fromJSON({ ...json, params: json.params.slice(1) })).toThrow(
      "Expected 17 numbers (the architecture's size) for json.params",
    );
    expect(() => Network.fromJSON({ ...json, params: json.params.slice(1) })).toThrow(RangeError);
    expect(() => Network.fromJSON({ ...json, params: [...json.params.slice(1), null] })).toThrow(
      'json.params[16]',
    );
    expect(() => Network.fromJSON({ ...json, params: [...json.params.slice(1), null] })).toThrow(TypeError);
    expect(() => Network.fromJSON({ ...json, params: [...json.params.slice(1), Number.NaN] })).toThrow(
      new RangeError('Expected a finite number for json.params[16] but received NaN'),
    );
    expect(() => Network.fromJSON({ ...json, params: [...json.params.slice(1), Number.NaN] })).toThrow(
      RangeError,
    );
    expect(() => Network.fromJSON({ ...json, format: 'other' })).toThrow('json.format');
    expect(() => Network.fromJSON('{not json')).toThrow('Expected valid JSON for json');
    expect(() => Network.fromJSON({ ...json, layers: [{ units: -1 }] })).toThrow('layers[0].units');
    expect(() => Network.fromJSON({ ...json, layers: [{ units: -1 }] })).toThrow(RangeError);
  });
});
