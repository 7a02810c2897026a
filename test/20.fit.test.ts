// fit / fitSync: bad arguments leave the network untouched; then the training machinery
// (history, batches, optimizers, validation, callbacks, early stopping, abort, divergence).
import { describe, expect, it } from 'vitest';
import {
  applyStandardize,
  datasets,
  Network,
  type NetworkOptions,
  standardize,
  trainTestSplit,
} from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const xorX = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const xorY = [0, 1, 1, 0];

describe.each(engineNames)('fit on the %s engine', (engine) => {
  const make = (extra: Partial<NetworkOptions> = {}) =>
    new Network({
      inputs: 2,
      layers: [
        { units: 8, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      optimizer: { name: 'adam', learningRate: 0.05 },
      seed: 5,
      engine,
      ...extra,
    });

  describe('bad input throws a clear error and changes nothing', () => {
    const cases: [string, unknown, unknown, unknown, string][] = [
      [
        'X not an array',
        'abc',
        xorY,
        {},
        "Expected an array of rows (number[][]) or a row-major Float32Array for X but received 'abc'",
      ],
      ['empty X', [], [], {}, 'Expected at least one sample for X but received an array of length 0'],
      [
        'short row',
        [[0, 0], [1]],
        [0, 1],
        {},
        "Expected a row of 2 numbers (the network's inputs) for X[1] but received an array of length 1",
      ],
      ['NaN feature', [[0, Number.NaN]], [0], {}, 'Expected a finite number for X[0][1] but received NaN'],
      [
        'Infinity in Float32Array',
        new Float32Array([0, Number.POSITIVE_INFINITY]),
        [0],
        {},
        'Expected a finite number for X[0][1] but received Infinity',
      ],
      ['Float32Array of odd length', new Float32Array(3), [0], {}, "multiple of 2 (the network's inputs)"],
      [
        'y too short',
        xorX,
        [0, 1],
        {},
        'Expected 4 labels or rows (one per sample of X) for y but received an array of length 2',
      ],
      [
        'label outside [0, 1] for bce',
        xorX,
        [0, 1, 2, 0],
        {},
        "Expected a label in [0, 1] for loss 'bce' for y[2] but received 2",
      ],
      ['NaN label', xorX, [0, 1, Number.NaN, 0], {}, 'Expected a finite number for y[2] but received NaN'],
      [
        'zero epochs',
        xorX,
        xorY,
        { epochs: 0 },
        'Expected an integer in 1..1000000000 for epochs but received 0',
      ],
      [
        'zero batch size',
        xorX,
        xorY,
        { batchSize: 0 },
        "Expected an integer in 1..2^31 or 'full' for batchSize but received 0",
      ],
      [
        'string batch size',
        xorX,
        xorY,
        { batchSize: 'all' },
        "Expected an integer in 1..2^31 or 'full' for batchSize but received 'all'",
      ],
      ['unknown option', xorX, xorY, { epoch: 3 }, "Unknown option 'epoch' for fit; did you mean 'epochs'?"],
      [
        'validationSplit of 1',
        xorX,
        xorY,
        { validationSplit: 1 },
        'Expected a fraction in (0, 1) for validationSplit but received 1',
      ],
      [
        'onEpochEnd not a function',
        xorX,
        xorY,
        { onEpochEnd: 3 },
        'Expected a function for onEpochEnd but received 3',
      ],
      [
        'val_loss without validation',
        xorX,
        xorY,
        { earlyStopping: { monitor: 'val_loss' } },
        "Expected validationData or validationSplit for earlyStopping.monitor 'val_loss'",
      ],
    ];
    it.each(cases)('%s', (_name, X, y, options, message) => {
      const net = make();
      const before = net.getParameters();
      expect(() => net.fitSync(X as number[][], y as number[], options as object)).toThrow(message);
      expect(net.getParameters()).toEqual(before);
      expect(net.steps).toBe(0);
      expect(net.training).toBe(false);
    });

    it('class index out of range for a softmax output', () => {
      const net = new Network({ inputs: 2, layers: [{ units: 3, activation: 'softmax' }], seed: 1, engine });
      expect(() => net.fitSync(xorX, [0, 1, 3, 2])).toThrow(
        'Expected a class index in 0..2 for y[2] but received 3',
      );
      expect(() => net.fitSync(xorX, [0, 1, 1.5, 2])).toThrow(
        'Expected a class index in 0..2 for y[2] but received 1.5',
      );
    });

    it('async fit rejects the same way', async () => {
      const net = make();
      await expect(net.fit([[0, Number.NaN]], [0])).rejects.toThrow('X[0][1]');
    });
  });

  it('records loss and accuracy per epoch and learns xor', () => {
    const net = make();
    const history = net.fitSync(xorX, xorY, { epochs: 300, batchSize: 'full' });
    expect(history.epochs).toBe(300);
    expect(history.loss.length).toBe(300);
    expect(history.accuracy.length).toBe(300);
    expect(history.stopReason).toBe('completed');
    expect(history.loss[299]).toBeLessThan(history.loss[0] / 5);
    expect(net.predictClasses(xorX)).toEqual(xorY);
    expect(net.steps).toBe(300);
  });

  it.each([
    ['sgd', { name: 'sgd', learningRate: 0.5 }],
    ['momentum', { name: 'sgd', learningRate: 0.2, momentum: 0.9 }],
    ['nesterov', { name: 'sgd', learningRate: 0.2, momentum: 0.9, nesterov: true }],
    ['adam', { name: 'adam', learningRate: 0.05 }],
  ] as const)('%s lowers the loss with mini-batches', (_name, optimizer) => {
    const { X, y } = datasets.moons({ samples: 200, noise: 0.1, seed: 1 });
    const net = make({ optimizer });
    const history = net.fitSync(X, y, { epochs: 40, batchSize: 16 });
    expect(history.loss[39]).toBeLessThan(history.loss[0] * 0.6);
    expect(net.steps).toBe(40 * Math.ceil(200 / 16));
  });

  it('L2 weight decay keeps weights smaller and leaves biases undecayed by it', () => {
    const { X, y } = datasets.moons({ samples: 200, noise: 0.1, seed: 1 });
    const plain = make({ optimizer: { name: 'sgd', learningRate: 0.5 } });
    const decayed = make({ optimizer: { name: 'sgd', learningRate: 0.5, weightDecay: 0.05 } });
    plain.fitSync(X, y, { epochs: 50, batchSize: 'full' });
    decayed.fitSync(X, y, { epochs: 50, batchSize: 'full' });
    const norm = (n: Network) => n.getWeights().reduce((s, l) => s + l.W.reduce((a, w) => a + w * w, 0), 0);
    expect(norm(decayed)).toBeLessThan(norm(plain));
  });

  it('Float32Array input trains exactly like nested arrays', () => {
    const a = make();
    const b = make();
    a.fitSync(xorX, xorY, { epochs: 20, batchSize: 2 });
    b.fitSync(new Float32Array(xorX.flat()), new Float32Array(xorY), { epochs: 20, batchSize: 2 });
    expect(b.getParameters()).toEqual(a.getParameters());
  });

  it('the same seed gives bit-identical weights after shuffled mini-batch training', () => {
    const { X, y } = datasets.moons({ samples: 100, noise: 0.1, seed: 2 });
    const a = make();
    const b = make();
    a.fitSync(X, y, { epochs: 5, batchSize: 7 });
    b.fitSync(X, y, { epochs: 5, batchSize: 7 });
    expect(Buffer.from(a.getParameters().buffer).equals(Buffer.from(b.getParameters().buffer))).toBe(true);
  });

  it('fit (async) gives the same result as fitSync', async () => {
    const { X, y } = datasets.moons({ samples: 100, noise: 0.1, seed: 2 });
    const a = make();
    const b = make();
    const ha = a.fitSync(X, y, { epochs: 5, batchSize: 10 });
    const hb = await b.fit(X, y, { epochs: 5, batchSize: 10 });
    expect(hb.loss).toEqual(ha.loss);
    expect(b.getParameters()).toEqual(a.getParameters());
  });

  it('validation data and split fill val_loss and val_accuracy', () => {
    const { X, y } = datasets.moons({ samples: 100, noise: 0.1, seed: 2 });
    const h1 = make().fitSync(X, y, { epochs: 3, validationSplit: 0.2 });
    expect(h1.val_loss.length).toBe(3);
    expect(h1.val_accuracy.length).toBe(3);
    const h2 = make().fitSync(X.slice(0, 80), y.slice(0, 80), {
      epochs: 3,
      validationData: [X.slice(80), y.slice(80)],
    });
    expect(h2.val_loss).toEqual(h1.val_loss);
  });

  it('onEpochEnd sees each epoch and can stop training', () => {
    const seen: number[] = [];
    const history = make().fitSync(xorX, xorY, {
      epochs: 100,
      onEpochEnd: (epoch, logs) => {
        seen.push(epoch);
        expect(Number.isFinite(logs.loss)).toBe(true);
        return epoch < 4;
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(history.epochs).toBe(5);
    expect(history.stopReason).toBe('callback');
  });

  it('a throwing onEpochEnd propagates, and the network stays usable', async () => {
    const net = make();
    expect(() =>
      net.fitSync(xorX, xorY, {
        epochs: 10,
        onEpochEnd: () => {
          throw new Error('boom');
        },
      }),
    ).toThrow('boom');
    expect(net.training).toBe(false);
    expect(net.steps).toBe(1);
    await expect(
      net.fit(xorX, xorY, {
        epochs: 10,
        onEpochEnd: async () => {
          throw new Error('async boom');
        },
      }),
    ).rejects.toThrow('async boom');
    expect(net.predict(xorX).length).toBe(4);
  });

  it('fitSync refuses an onEpochEnd that returns a Promise; fit awaits it and honours its answer', async () => {
    const net = make();
    expect(() => net.fitSync(xorX, xorY, { epochs: 10, onEpochEnd: async () => true })).toThrow(
      new TypeError('Expected a synchronous onEpochEnd for fitSync but it returned a Promise; use fit()'),
    );
    expect(net.training).toBe(false);
    expect(net.steps).toBe(1); // the first epoch ran (one batch of 4), then the callback was refused
    const seen: number[] = [];
    const history = await net.fit(xorX, xorY, {
      epochs: 10,
      onEpochEnd: async (epoch) => {
        seen.push(epoch);
        await new Promise((resolve) => setImmediate(resolve));
        return epoch < 2;
      },
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(history.stopReason).toBe('callback');
    expect(net.steps).toBe(4);
  });

  it('onEpochEnd sees the steps and weights of the epoch it reports', async () => {
    const net = make();
    const steps: number[] = [];
    const firsts: number[] = [];
    await net.fit(xorX, xorY, {
      epochs: 3,
      batchSize: 2,
      onEpochEnd: () => {
        steps.push(net.steps);
        firsts.push(net.getParameters()[0]);
      },
    });
    expect(steps).toEqual([2, 4, 6]);
    expect(firsts[2]).toBe(net.getParameters()[0]);
    expect(new Set(firsts).size).toBe(3);
  });

  it('fit lets the event loop turn between chunks', async () => {
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const turnsAtEpochEnd: number[] = [];
    try {
      await make().fit(xorX, xorY, { epochs: 5, onEpochEnd: () => void turnsAtEpochEnd.push(turns) });
    } finally {
      ticking = false;
    }
    for (let e = 1; e < 5; e++) expect(turnsAtEpochEnd[e]).toBeGreaterThan(turnsAtEpochEnd[e - 1]);
  });

  it('early stopping stops after patience epochs and can restore the best weights', () => {
    let best: Float32Array | null = null;
    let bestLoss = Number.POSITIVE_INFINITY;
    const net = make({ optimizer: { name: 'sgd', learningRate: 30 } }); // too large: the loss wanders
    const history = net.fitSync(xorX, xorY, {
      epochs: 500,
      batchSize: 'full',
      earlyStopping: { monitor: 'loss', patience: 3, restoreBestWeights: true },
      onEpochEnd: (_epoch, logs) => {
        if (logs.loss < bestLoss) {
          bestLoss = logs.loss;
          best = net.getParameters();
        }
      },
    });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.epochs).toBeLessThan(500);
    expect(history.epochs - 1 - history.bestEpoch).toBe(3);
    expect(history.loss[history.bestEpoch]).toBe(Math.min(...history.loss));
    expect(best).not.toBeNull();
  });

  it('logEvery prints the first epoch, every Nth and the last', () => {
    const lines: string[] = [];
    make().fitSync(xorX, xorY, { epochs: 25, logEvery: 10, log: (l) => lines.push(l) });
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['0', '10', '20', '24']);
    expect(lines[0]).toMatch(/^Epoch 0 loss: \d\.\d{4} accuracy: \d\.\d{4}$/);
  });

  it('an aborted signal stops at the next chunk boundary and leaves a usable network', async () => {
    const controller = new AbortController();
    const net = make();
    const history = await net.fit(xorX, xorY, {
      epochs: 1000,
      signal: controller.signal,
      onEpochEnd: (epoch) => {
        if (epoch === 2) controller.abort();
      },
    });
    expect(history.stopReason).toBe('aborted');
    expect(history.epochs).toBe(3);
    expect(net.predict(xorX).flat().every(Number.isFinite)).toBe(true);
  });

  it('a diverging loss stops with a clear error and restores the weights', () => {
    const net = new Network({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'mse',
      optimizer: { name: 'sgd', learningRate: 10 },
      seed: 1,
      engine,
    });
    const X = [[1e3], [-2e3], [3e3]];
    expect(() => net.fitSync(X, [1, 2, 3], { epochs: 200, batchSize: 'full' })).toThrow(/Training diverged/);
    expect(net.getParameters().every(Number.isFinite)).toBe(true);
    expect(net.training).toBe(false);
  });

  it('a second fit while one runs, and predict during it, are rejected', async () => {
    const net = make();
    const running = net.fit(xorX, xorY, { epochs: 50 });
    expect(net.training).toBe(true);
    await expect(net.fit(xorX, xorY)).rejects.toThrow('Cannot fit while this network is training');
    expect(() => net.predict(xorX)).toThrow('Cannot predict while this network is training');
    await running;
    expect(net.training).toBe(false);
  });

  it('digits: 64-32-10 softmax reaches test accuracy >= 0.95', () => {
    const { X, y } = datasets.digits();
    const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 0.25, seed: 0 });
    const scaled = standardize(XTrain);
    const net = new Network({
      inputs: 64,
      layers: [
        { units: 32, activation: 'relu' },
        { units: 10, activation: 'softmax' },
      ],
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 0,
      engine,
    });
    net.fitSync(scaled.X, yTrain, { epochs: 30, batchSize: 32 });
    expect(net.evaluate(applyStandardize(XTest, scaled), yTest).accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe.each(engineNames)('the step cap on the %s engine', (engine) => {
  // A network whose steps are near 2^53-1, as a model file can hold them.
  const nearCap = (room: number) => {
    const json = new Network({
      inputs: 2,
      layers: [{ units: 1, activation: 'sigmoid' }],
      loss: 'bce',
      optimizer: 'adam',
      engine,
    }).toJSON();
    return Network.fromJSON({ ...json, steps: Number.MAX_SAFE_INTEGER - room }, { engine });
  };

  it('refuses up front a fit that would pass it, naming steps, and changes nothing', async () => {
    for (const run of ['fitSync', 'fit'] as const) {
      const net = nearCap(5);
      const before = net.getParameters();
      // 4 rows in batches of 2: 2 steps per epoch, 3 epochs need 6 > 5
      const train = async () => net[run](xorX, xorY, { epochs: 3, batchSize: 2, shuffle: false });
      await expect(train()).rejects.toThrow(RangeError);
      await expect(train()).rejects.toThrow(
        /steps \(now 9007199254740986\) must stay an integer in 0\.\.2\^53-1/,
      );
      expect(net.steps).toBe(Number.MAX_SAFE_INTEGER - 5);
      expect(net.getParameters()).toEqual(before);
      expect(net.training).toBe(false);
    }
  });

  it('trains right up to it', () => {
    const net = nearCap(6);
    const history = net.fitSync(xorX, xorY, { epochs: 3, batchSize: 2, shuffle: false });
    expect(history.epochs).toBe(3);
    expect(net.steps).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => net.fitSync(xorX, xorY, { epochs: 1 })).toThrow(RangeError);
  });
});
