// fit on a stream of { X, y } batches: bad streams are refused with the batch named and the network
// as it was; a stream trains exactly the batches the array fit trains with shuffle off (same
// weights bit for bit, whatever sizes the source yields), with history, validation, callbacks,
// early stopping, scaling, schedules and dropout, on every engine.
import { describe, expect, it } from 'vitest';
import { type Batch, type FitOptions, Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

/** A seeded table: rows x 3 features, a 3-class label and a regression target in the hundreds. */
function table(rows: number, seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const X: number[][] = [];
  const label: number[] = [];
  const value: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = [next() * 4 - 2, next() * 10, next() - 0.5];
    X.push(row);
    label.push(row[0] + row[2] > 0 ? (row[1] > 5 ? 2 : 1) : 0);
    value.push(100 + 30 * row[0] - 4 * row[1] + next());
  }
  return { X, label, value };
}

/** Cuts rows into source batches of the given sizes, cycling through them. */
function cut<T>(rows: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  for (let r = 0, k = 0; r < rows.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(rows.slice(r, r + n));
    r += n;
  }
  return out;
}

/** A function returning a fresh async generator of the batches (X as rows or as a Float32Array). */
function source(X: number[][], y: number[], sizes: number[], packed = false): () => AsyncIterable<Batch> {
  const xs = cut(X, sizes);
  const ys = cut(y, sizes);
  return async function* batches() {
    for (let k = 0; k < xs.length; k++) {
      await Promise.resolve(); // a real await between batches, as a cursor has
      yield { X: packed ? new Float32Array(xs[k].flat()) : xs[k], y: ys[k] };
    }
  };
}

describe.each(engineNames)('fit on a stream, %s engine', (engine) => {
  const classifier = (extra: Partial<NetworkOptions> = {}) =>
    new Network({
      inputs: 3,
      layers: [
        { units: 6, activation: 'relu', dropout: 0.2 },
        { units: 3, activation: 'softmax' },
      ],
      loss: 'cross-entropy',
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 11,
      engine,
      ...extra,
    });
  const data = table(53, 7);

  describe('bad streams throw a clear error and leave the network as it was', () => {
    /** Each case: a source, fit options, the message; the fit must reject and change nothing. */
    const bad = (X: number[][]): [string, unknown, FitOptions, string | RegExp][] => [
      [
        'a batch of the wrong width, after two good ones',
        async function* () {
          yield { X: X.slice(0, 10), y: data.label.slice(0, 10) };
          yield { X: X.slice(10, 20), y: data.label.slice(10, 20) };
          yield { X: [[1, 2]], y: [0] };
        },
        { batchSize: 4 },
        "Expected a row of 3 numbers (the network's inputs) for batch[2].X[0] but received an array of length 2",
      ],
      [
        'a label out of range',
        async function* () {
          yield { X: X.slice(0, 5), y: [0, 1, 2, 3, 0] };
        },
        {},
        'Expected a class index in 0..2 for batch[0].y[3] but received 3',
      ],
      [
        'a batch without y',
        async function* () {
          yield { X: X.slice(0, 5), y: data.label.slice(0, 5) };
          yield { X: X.slice(0, 5) };
        },
        {},
        /^Expected an object \{ X, y \} \(samples and their targets\) for batch\[1\] but received/,
      ],
      [
        'targets for fewer rows than X',
        async function* () {
          yield { X: X.slice(0, 5), y: [0, 1] };
        },
        {},
        /for batch\[0\]\.y/,
      ],
      [
        'a source that gives nothing',
        async function* () {},
        {},
        'Expected the source to give at least one batch in epoch 0 but it gave none',
      ],
      [
        'a generator object for several epochs',
        (async function* () {
          yield { X: X.slice(0, 5), y: data.label.slice(0, 5) };
        })(),
        { epochs: 2 },
        /^Expected a source that starts anew each epoch for 2 epochs but received an iterator \(a generator object can be read once\): pass a function returning a fresh one/,
      ],
      [
        'a function returning no iterable',
        () => 42,
        {},
        'Expected an iterable or async iterable of { X, y } batches for source() but received 42',
      ],
      [
        'shuffle: true',
        source(X, data.label, [8]),
        { shuffle: true },
        /^Expected no shuffle: true when fit trains on a stream of batches/,
      ],
      [
        'validationSplit',
        source(X, data.label, [8]),
        { validationSplit: 0.2 },
        'Expected no validationSplit when fit trains on a stream of batches (pass validationData (arrays) instead)',
      ],
      [
        "batchSize 'full'",
        source(X, data.label, [8]),
        { batchSize: 'full' },
        /^Expected a number of rows for a stream of batches \('full' needs the whole data\) for batchSize/,
      ],
      [
        'a cosine schedule',
        source(X, data.label, [8]),
        { schedule: { name: 'cosine' } },
        /^Expected a schedule other than 'cosine'/,
      ],
    ];

    it.each(bad(data.X))('%s', async (_, src, options, message) => {
      const net = classifier();
      const before = net.getParameters();
      await expect(net.fit(src as never, options)).rejects.toThrow(message);
      expect(net.getParameters()).toEqual(before);
      expect(net.steps).toBe(0);
      expect(net.training).toBe(false);
    });

    it('a source that throws mid-epoch rejects with its error and restores the network', async () => {
      const net = classifier();
      await net.fit(source(data.X, data.label, [9]), { epochs: 1, batchSize: 4 });
      const before = net.getParameters();
      const steps = net.steps;
      const failing = async function* () {
        yield { X: data.X.slice(0, 20), y: data.label.slice(0, 20) };
        throw new Error('cursor lost');
      };
      await expect(net.fit(failing, { batchSize: 4 })).rejects.toThrow('cursor lost');
      expect(net.getParameters()).toEqual(before);
      expect(net.steps).toBe(steps);
    });

    it('fitSync refuses an async source, and closes the iterator it opened', async () => {
      const net = classifier();
      let closed = false;
      const gen = function* () {
        try {
          yield { X: data.X.slice(0, 5), y: [0, 1, 2, 3, 0] };
        } finally {
          closed = true;
        }
      };
      expect(() => net.fitSync(source(data.X, data.label, [8]))).toThrow(
        /^Expected a synchronous iterable of batches for fitSync \(an async one needs fit\(\)\) for source\(\)/,
      );
      expect(() => net.fitSync(gen)).toThrow(
        'Expected a class index in 0..2 for batch[0].y[3] but received 3',
      );
      expect(closed).toBe(true);
      expect(net.steps).toBe(0);
    });
  });

  describe('a stream trains the batches of the array fit with shuffle off', () => {
    const sizes = [7, 3, 12, 1, 14]; // none a multiple of batchSize: rows carry over between source batches
    for (const packed of [false, true]) {
      it(`classification with dropout, validation and callbacks (source X as ${packed ? 'Float32Array' : 'rows'})`, async () => {
        const validationData: [number[][], number[]] = [data.X.slice(0, 12), data.label.slice(0, 12)];
        const options = (seen: number[]): FitOptions => ({
          epochs: 4,
          batchSize: 5,
          validationData,
          schedule: { name: 'step', every: 2, gamma: 0.5 },
          onEpochEnd: (epoch) => {
            seen.push(epoch);
          },
        });
        const byArray = classifier();
        const arraySeen: number[] = [];
        const expected = await byArray.fit(data.X, data.label, { ...options(arraySeen), shuffle: false });
        const byStream = classifier();
        const streamSeen: number[] = [];
        const history = await byStream.fit(source(data.X, data.label, sizes, packed), options(streamSeen));
        expect(byStream.getParameters()).toEqual(byArray.getParameters());
        expect(byStream.steps).toBe(byArray.steps);
        expect(byStream.steps).toBe(4 * Math.ceil(53 / 5));
        expect(streamSeen).toEqual(arraySeen);
        expect(history.accuracy).toEqual(expected.accuracy);
        expect(history.val_loss).toEqual(expected.val_loss);
        expect(history.learningRate).toEqual(expected.learningRate);
        history.loss.forEach((loss, e) => expect(loss).toBeCloseTo(expected.loss[e], 10));
        expect(history.epochs).toBe(4);
      });
    }

    it('regression with inputScaling and targetScaling, sum loss, fitSync on a sync generator', () => {
      const make = () => {
        const net = new Network({
          inputs: 3,
          layers: [
            { units: 5, activation: 'tanh' },
            { units: 1, activation: 'linear' },
          ],
          loss: 'sse',
          optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.9 },
          seed: 3,
          engine,
        });
        net.inputScaling = { mean: [0, 5, 0], std: [1.2, 2.9, 0.3] };
        net.targetScaling = { mean: [90], std: [40] };
        return net;
      };
      const byArray = make();
      const expected = byArray.fitSync(data.X, data.value, { epochs: 3, batchSize: 8, shuffle: false });
      const byStream = make();
      const xs = cut(data.X, [20, 13]);
      const ys = cut(data.value, [20, 13]);
      const history = byStream.fitSync(
        function* () {
          for (let k = 0; k < xs.length; k++) yield { X: xs[k], y: ys[k] };
        },
        { epochs: 3, batchSize: 8 },
      );
      expect(byStream.getParameters()).toEqual(byArray.getParameters());
      history.loss.forEach((loss, e) => expect(loss).toBeCloseTo(expected.loss[e], 6));
      history.mae.forEach((mae, e) => expect(mae).toBeCloseTo(expected.mae[e], 10));
    });

    it('early stopping restores the best weights as the array fit does', async () => {
      const options: FitOptions = {
        epochs: 30,
        batchSize: 6,
        validationData: [data.X.slice(40), data.label.slice(40)],
        earlyStopping: { patience: 2, restoreBestWeights: true, minDelta: 0.01 },
      };
      const net = () => classifier({ optimizer: { name: 'sgd', learningRate: 0.5 } });
      const byArray = net();
      const expected = await byArray.fit(data.X, data.label, { ...options, shuffle: false });
      const byStream = net();
      const history = await byStream.fit(source(data.X, data.label, [10]), options);
      expect(expected.stopReason).toBe('early-stopping'); // the case must exercise it
      expect(history.stopReason).toBe('early-stopping');
      expect(history.bestEpoch).toBe(expected.bestEpoch);
      expect(byStream.getParameters()).toEqual(byArray.getParameters());
    });

    it('an object source is read anew each epoch; its schema becomes the network\u2019s', async () => {
      const schema = {
        features: ['a', 'b', 'c'].map((name) => ({ name, kind: 'numeric' as const, fill: 0 })),
        target: 'label',
        task: 'classification' as const,
        classNames: ['low', 'mid', 'high'],
        missingValues: [''],
      };
      const batches = source(data.X, data.label, [16]);
      let opened = 0;
      const src = {
        schema,
        [Symbol.asyncIterator]: () => {
          opened++;
          return batches()[Symbol.asyncIterator]();
        },
      };
      const net = classifier();
      await net.fit(src, { epochs: 3, batchSize: 8 });
      expect(opened).toBe(3);
      expect(net.schema).toEqual(schema);
      expect(net.predictLabels([{ a: 1, b: 7, c: 0.4 }])).toHaveLength(1);
    });

    it('an abort ends a long epoch after the current batch and closes the source', async () => {
      const controller = new AbortController();
      let pulled = 0;
      let closed = false;
      const endless = async function* () {
        try {
          for (;;) {
            pulled++;
            if (pulled === 5) controller.abort();
            yield { X: data.X.slice(0, 8), y: data.label.slice(0, 8) };
          }
        } finally {
          closed = true;
        }
      };
      const net = classifier();
      const history = await net.fit(endless, { epochs: 3, batchSize: 4, signal: controller.signal });
      expect(history.stopReason).toBe('aborted');
      expect(pulled).toBe(5);
      expect(closed).toBe(true);
      expect(net.steps).toBe(10);
    });
  });
});

describe('which calls are the stream form', () => {
  const net = () => new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], engine: 'ts' });

  it('a Map or Set is X of the array form, named as X', async () => {
    for (const X of [new Map(), new Set([{ X: [[1, 2]], y: [1] }])]) {
      await expect(net().fit(X as never)).rejects.toThrow(/for X but received an instance of (Map|Set)$/);
    }
  });

  it('a third argument makes it fit(X, y, options), even with y undefined', async () => {
    const source = () => [{ X: [[1, 2]], y: [1] }];
    await expect(net().fit(source as never, undefined as never, { epochs: 1 })).rejects.toThrow(TypeError);
    const h = await net().fit(source, { epochs: 1 }); // the stream form
    expect(h.epochs).toBe(1);
  });
});
