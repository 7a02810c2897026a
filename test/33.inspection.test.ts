// Model inspection: bad input first (setWeights, predictClasses' options), then net.summary(),
// getWeights / setWeights (copies, checked, state untouched on error, refused while training),
// predictClasses by task (binary, multiclass, multilabel rows, regression refused) on every engine,
// and `fastmlp info --model`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { cli } from './helpers/cli.js';
import { engineNames } from './helpers/engine-names.js';

/** 2 inputs, a hidden tanh layer of 3 with bias, 2 sigmoid outputs without bias, bce: multilabel. */
const spec: NetworkOptions = {
  inputs: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'sigmoid', useBias: false },
  ],
  loss: 'bce',
  seed: 7,
};

describe.each(engineNames)('inspection on the %s engine', (engine) => {
  const make = (options: Partial<NetworkOptions> = {}) => new Network({ ...spec, engine, ...options });

  // --- bad input -----------------------------------------------------------------------------

  describe('setWeights refuses bad arguments by name and changes nothing', () => {
    const W0 = new Float32Array(6);
    const b0 = new Float32Array(3);
    const cases: [string, () => [unknown, unknown], ErrorConstructor, string][] = [
      [
        'a string layer',
        () => ['0', { W: W0, b: b0 }],
        TypeError,
        "Expected a layer index for layer but received '0'",
      ],
      [
        'layer -1',
        () => [-1, { W: W0, b: b0 }],
        RangeError,
        'Expected a layer index in 0..1 for layer but received -1',
      ],
      [
        'layer 2',
        () => [2, { W: W0, b: b0 }],
        RangeError,
        'Expected a layer index in 0..1 for layer but received 2',
      ],
      [
        'layer 0.5',
        () => [0.5, { W: W0, b: b0 }],
        RangeError,
        'Expected a layer index in 0..1 for layer but received 0.5',
      ],
      ['no object', () => [0, null], TypeError, 'Expected an object for weights but received null'],
      [
        'an unknown key',
        () => [0, { W: W0, b: b0, bias: b0 }],
        TypeError,
        "Unknown option 'bias' for setWeights",
      ],
      [
        'W too short',
        () => [0, { W: new Float32Array(5), b: b0 }],
        RangeError,
        'Expected a Float32Array of 6 values or 2 rows of 3 numbers for weights.W but received a Float32Array of length 5',
      ],
      [
        'W a Float64Array',
        () => [0, { W: new Float64Array(6), b: b0 }],
        TypeError,
        'Expected a Float32Array of 6 values or 2 rows of 3 numbers for weights.W but received a Float64Array of length 6',
      ],
      [
        'a W row too long',
        () => [
          0,
          {
            W: [
              [1, 2, 3],
              [4, 5, 6, 7],
            ],
            b: b0,
          },
        ],
        RangeError,
        'Expected a row of 3 numbers for weights.W[1] but received an array of length 4',
      ],
      [
        'NaN in W',
        () => [0, { W: Float32Array.of(0, 0, 0, Number.NaN, 0, 0), b: b0 }],
        RangeError,
        'Expected a finite float32 number for weights.W[3] but received NaN',
      ],
      [
        'a float32 overflow in W rows',
        () => [
          0,
          {
            W: [
              [1, 2, 3],
              [4, 1e39, 6],
            ],
            b: b0,
          },
        ],
        RangeError,
        'Expected a finite float32 number for weights.W[1][1] but received 1e+39',
      ],
      [
        'a string in W',
        () => [0, { W: [1, 2, 3, 4, 5, 'x'], b: b0 }],
        TypeError,
        "Expected a finite number for weights.W[5] but received 'x'",
      ],
      [
        'no b for a layer with bias',
        () => [0, { W: W0 }],
        TypeError,
        'Expected 3 biases (layer 0 has a bias) for weights.b but received undefined',
      ],
      [
        'b for a layer without bias',
        () => [1, { W: new Float32Array(6), b: [0, 0] }],
        TypeError,
        'Expected null (layer 1 has no bias) for weights.b but received an array of length 2',
      ],
      [
        'b too long',
        () => [0, { W: W0, b: [1, 2, 3, 4] }],
        RangeError,
        'Expected a Float32Array or array of 3 numbers for weights.b but received an array of length 4',
      ],
      [
        'Infinity in b',
        () => [0, { W: W0, b: [1, Number.POSITIVE_INFINITY, 3] }],
        RangeError,
        'Expected a finite float32 number for weights.b[1] but received Infinity',
      ],
      [
        'a wrong shape',
        () => [0, { W: W0, b: b0, shape: [3, 2] }],
        RangeError,
        "Expected [2, 3] (layer 0's inputs and units) for weights.shape but received an array of length 2",
      ],
    ];
    it.each(cases)('%s', (_what, args, Kind, message) => {
      const net = make();
      const before = net.getParameters();
      const [layer, weights] = args();
      expect(() => net.setWeights(layer as number, weights as never)).toThrow(new Kind(message));
      expect(net.getParameters()).toEqual(before);
    });
  });

  describe("predictClasses' options are checked", () => {
    it.each([
      [{ threshold: 1.5 }, RangeError, 'Expected a number in [0, 1] for threshold but received 1.5'],
      [{ threshold: Number.NaN }, RangeError, 'Expected a number in [0, 1] for threshold but received NaN'],
      [{ threshold: '0.5' }, TypeError, "Expected a number in [0, 1] for threshold but received '0.5'"],
      [
        { treshold: 0.5 },
        TypeError,
        "Unknown option 'treshold' for predictClasses; did you mean 'threshold'?",
      ],
      [[0.5], TypeError, 'Expected an object for options but received an array of length 1'],
    ] as [unknown, ErrorConstructor, string][])('%j', (options, Kind, message) => {
      expect(() => make().predictClasses([[0, 0]], options as never)).toThrow(new Kind(message));
    });

    it('multiclass takes no threshold (its class is the argmax); regression has no classes', () => {
      const multiclass = make({ layers: [{ units: 3, activation: 'softmax' }], loss: 'cross-entropy' });
      expect(() => multiclass.predictClasses([[0, 0]], { threshold: 0.3 })).toThrow(
        new TypeError(
          'Expected no threshold for predictClasses of a multiclass network (its class is the argmax) but received one',
        ),
      );
      const regression = make({ layers: [{ units: 2, activation: 'linear' }], loss: 'mse' });
      expect(regression.task).toBe('regression');
      expect(() => regression.predictClasses([[0, 0]])).toThrow(
        new TypeError(
          "Cannot predict classes with a regression network (output activation 'linear', loss 'mse'); use predict() for its outputs",
        ),
      );
    });
  });

  // --- summary -------------------------------------------------------------------------------------

  it('summary() is a table of layers with parameters, optimizer, loss and task', () => {
    expect(make().summary()).toBe(
      [
        'Layer    Units  Activation  Dropout  Parameters  Output shape',
        '-------------------------------------------------------------',
        'input        2  -                 -           0  (batch, 2)',
        'dense 0      3  tanh              0           9  (batch, 3)',
        'dense 1      2  sigmoid           0           6  (batch, 2)',
        '-------------------------------------------------------------',
        'Total parameters: 15',
        'Optimizer: adam (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-8)',
        'Loss: bce',
        'Task: multilabel',
      ].join('\n'),
    );
    const big = make({
      inputs: 784,
      layers: [{ units: 128 }, { units: 10, activation: 'softmax' }],
      loss: 'cross-entropy',
      optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
    });
    const text = big.summary();
    expect(text).toContain('dense 0    128  relu              0     100,480  (batch, 128)');
    expect(text).toContain('Total parameters: 101,770');
    expect(text).toContain('Optimizer: momentum (learningRate 0.01, momentum 0.9, weightDecay 0.0001)');
    expect(text).toContain('Task: multiclass');
  });

  // --- getWeights / setWeights -----------------------------------------------------------------------

  it('getWeights returns per-layer Float32Array copies in the flat layout', () => {
    const net = make();
    const flat = net.getParameters();
    const [hidden, output] = net.getWeights();
    expect(hidden.shape).toEqual([2, 3]);
    expect(hidden.W).toEqual(flat.subarray(0, 6));
    expect(hidden.b).toEqual(flat.subarray(6, 9));
    expect(output.shape).toEqual([3, 2]);
    expect(output.W).toEqual(flat.subarray(9, 15));
    expect(output.b).toBeNull();
    hidden.W.fill(42); // a copy: the network is untouched
    expect(net.getParameters()).toEqual(flat);
  });

  it('setWeights writes one layer (flat or rows), and predict uses it', () => {
    const net = make({ layers: [{ units: 1, activation: 'linear' }], loss: 'mse' });
    net.setWeights(0, { W: [[2], [3]], b: [1] });
    expect(net.predict([[1, 1]])[0][0]).toBe(6);
    net.setWeights(0, { W: Float32Array.of(-1, 0.5), b: Float32Array.of(0.25) });
    expect(net.predict([[2, 4]])[0][0]).toBe(0.25);
    expect(net.getParameters()).toEqual(Float32Array.of(-1, 0.5, 0.25));
  });

  it("a network given another's layers with setWeights predicts as it does", () => {
    const a = make({ seed: 1 });
    const b = make({ seed: 2 });
    const X = [
      [0.1, -0.4],
      [2, 1],
    ];
    expect(b.predict(X)).not.toEqual(a.predict(X));
    a.getWeights().forEach((layer, i) => b.setWeights(i, layer));
    expect(b.predict(X)).toEqual(a.predict(X));
    expect(b.getParameters()).toEqual(a.getParameters());
  });

  it('setWeights is refused while fit runs, and works after', async () => {
    const net = make();
    const before = net.getParameters();
    const fitting = net.fit([[0, 1]], [[1, 0]], { epochs: 3 });
    const weights = { W: new Float32Array(6), b: new Float32Array(3) };
    expect(() => net.setWeights(0, weights)).toThrow(
      'Cannot setWeights while this network is training (fit() has not settled yet)',
    );
    await fitting;
    expect(net.getParameters()).not.toEqual(before);
    net.setWeights(0, weights);
    expect(net.getWeights()[0].W).toEqual(new Float32Array(6));
  });

  // --- predictClasses by task ---------------------------------------------------------------------

  it('multilabel: a 0/1 row per sample, each label at the threshold (0.5 unless given)', () => {
    const net = make({ layers: [{ units: 2, activation: 'sigmoid', useBias: false }] });
    net.setWeights(0, {
      W: [
        [1, 0],
        [0, 1],
      ],
    }); // outputs sigmoid(x): label j is x_j >= 0 at 0.5
    expect(net.task).toBe('multilabel');
    const X = [
      [0.5, -0.5],
      [-2, 3],
      [0, -1],
    ];
    expect(net.predictClasses(X)).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    // sigmoid(0.5) = 0.62, sigmoid(3) = 0.95: at 0.9 only the second row's second label
    expect(net.predictClasses(X, { threshold: 0.9 })).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
    ]);
  });

  it('binary: 0/1 per sample at p >= 0.5 as before, or at the threshold given', () => {
    const net = make({ layers: [{ units: 1, activation: 'sigmoid' }] });
    net.setWeights(0, { W: [[1], [0]], b: [0] });
    expect(net.task).toBe('binary');
    expect(net.predictClasses([[0], [1], [-1], [-0.2]].map(([x]) => [x, 5]))).toEqual([1, 1, 0, 0]);
    expect(
      net.predictClasses(
        [
          [0.5, 0],
          [1.5, 0],
        ],
        { threshold: 0.7 },
      ),
    ).toEqual([0, 1]);
  });

  it('multiclass, and several sigmoid outputs without bce: the first argmax', () => {
    for (const [activation, loss] of [
      ['softmax', 'cross-entropy'],
      ['sigmoid', 'mse'],
    ] as const) {
      const net = make({ layers: [{ units: 2, activation, useBias: false }], loss });
      net.setWeights(0, {
        W: [
          [1, 0],
          [0, 1],
        ],
      });
      expect(net.task).toBe('multiclass');
      expect(
        net.predictClasses([
          [1, 0],
          [0, 1],
          [2, 2],
        ]),
      ).toEqual([0, 1, 0]);
    }
  });
});

// --- fastmlp info --model ------------------------------------------------------------------------------

describe('fastmlp info --model', () => {
  let dir: string;
  let path: string;
  let net: Network;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-info-'));
    path = join(dir, 'm.safetensors');
    net = new Network({ ...spec, engine: 'ts' });
    net.fitSync([[0, 1]], [[1, 0]], { epochs: 2 });
    await net.save(path);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the summary of the saved network', async () => {
    const r = await cli(['info', '--model', path]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`model ${path}: 2 optimizer steps taken\n${net.summary()}\n`);
  });

  it('--json: the facts and the summary', async () => {
    const r = await cli(['info', '-m', path, '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({
      type: 'model',
      inputs: 2,
      outputs: 2,
      parameters: 15,
      loss: 'bce',
      task: 'multilabel',
    });
    expect(info.summary).toBe(net.summary());
  });

  it('a missing model file is one line and exit code 2', async () => {
    const r = await cli(['info', '--model', join(dir, 'nope.safetensors')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fastmlp: no such model file: '${join(dir, 'nope.safetensors')}'\n`);
  });
});
