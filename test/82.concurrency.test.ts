// Concurrency, on every engine: many networks training at once each give the result they give
// alone (bit-identical parameters and losses); a busy network rejects a second fit and every
// call that reads or writes its weights mid-training, and those rejections do not disturb the
// fit that is running.
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

type Config = {
  options: NetworkOptions;
  X: Float32Array;
  y: number[];
  fit: { epochs: number; batchSize: number | 'full' };
};

/** Eight different problems: shapes, losses, optimizers, batch sizes and data all differ. */
function configs(engine: 'ts' | 'native'): Config[] {
  return Array.from({ length: 8 }, (_, i) => {
    const inputs = 2 + (i % 3);
    const rows = 64 + 16 * i;
    const X = Float32Array.from({ length: rows * inputs }, (_, j) => Math.sin(j * (0.3 + i * 0.07)));
    const softmax = i % 2 === 0;
    const y = Array.from({ length: rows }, (_, r) => (softmax ? r % 3 : (r * 7 + i) % 2));
    const options: NetworkOptions = {
      inputs,
      layers: [
        { units: 8 + 4 * i, activation: i % 3 === 0 ? 'relu' : 'tanh' },
        softmax ? { units: 3, activation: 'softmax' } : { units: 1, activation: 'sigmoid' },
      ],
      optimizer: i % 4 === 0 ? { name: 'sgd', learningRate: 0.1 } : { name: 'adam', learningRate: 0.01 },
      seed: 100 + i,
      engine,
      threads: 1 + (i % 2),
    };
    return { options, X, y, fit: { epochs: 6 + i, batchSize: i === 3 ? 'full' : 4 + i } };
  });
}

describe.each(engineNames)('concurrency on the %s engine', (engine) => {
  it('8 fits at once (Promise.all) give each network bit-identically what it gets alone', async () => {
    const all = configs(engine);
    const alone: { params: Float32Array; loss: number[]; steps: number }[] = [];
    for (const c of all) {
      const net = new Network(c.options);
      const history = await net.fit(c.X, c.y, c.fit);
      alone.push({ params: net.getParameters(), loss: history.loss, steps: net.steps });
    }
    const nets = all.map((c) => new Network(c.options));
    const histories = await Promise.all(nets.map((net, i) => net.fit(all[i].X, all[i].y, all[i].fit)));
    nets.forEach((net, i) => {
      expect(net.getParameters(), `network ${i}`).toEqual(alone[i].params);
      expect(histories[i].loss, `network ${i}`).toEqual(alone[i].loss);
      expect(net.steps).toBe(alone[i].steps);
    });
    // and fitSync, one at a time, agrees too: async changes nothing about the arithmetic
    const sync = new Network(all[5].options);
    sync.fitSync(all[5].X, all[5].y, all[5].fit);
    expect(sync.getParameters()).toEqual(alone[5].params);
  });

  it('the same network trained twice at once: the second fit is rejected and the first is unharmed', async () => {
    const c = configs(engine)[2];
    const reference = new Network(c.options);
    await reference.fit(c.X, c.y, c.fit);

    const net = new Network(c.options);
    const running = net.fit(c.X, c.y, c.fit);
    expect(net.training).toBe(true);
    const busy = (what: string) =>
      `Cannot ${what} while this network is training (fit() has not settled yet); await it first, or use a copy made with Network.fromJSON(net.toJSON())`;
    const seconds = await Promise.allSettled([net.fit(c.X, c.y, c.fit), net.fit(c.X, c.y, c.fit)]);
    for (const s of seconds) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect((s as PromiseRejectedResult).reason.message).toBe(busy('fit'));
    }
    const calls: [string, () => unknown][] = [
      ['fit', () => net.fitSync(c.X, c.y, c.fit)],
      ['predict', () => net.predict(c.X)],
      ['predict', () => net.predictClasses(c.X)],
      ['evaluate', () => net.evaluate(c.X, c.y)],
      ['setParameters', () => net.setParameters(reference.getParameters())],
      ['set inputScaling', () => (net.inputScaling = null)],
      ['dispose', () => net.dispose()],
    ];
    for (const [what, call] of calls) expect(call, what).toThrow(busy(what));
    const history = await running;
    expect(net.training).toBe(false);
    expect(history.epochs).toBe(c.fit.epochs);
    expect(net.getParameters()).toEqual(reference.getParameters());
    // idle again: everything works
    expect(net.predict(c.X).length).toBe((c.X.length / c.options.inputs) * 3);
    await net.fit(c.X, c.y, { epochs: 1 });
  });

  it('a network can be predicted on while another one trains, and copies train independently', async () => {
    const [a, b] = configs(engine);
    const trainer = new Network(a.options);
    const server = new Network(b.options);
    const before = server.predict(b.X);
    const running = trainer.fit(a.X, a.y, a.fit);
    const copy = Network.fromJSON(server.toJSON(), { engine, threads: b.options.threads });
    const copyRun = copy.fit(b.X, b.y, b.fit);
    for (let i = 0; i < 20; i++) {
      expect(server.predict(b.X)).toEqual(before);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([running, copyRun]);
    expect(server.predict(b.X)).toEqual(before);
    const alone = new Network(b.options);
    await alone.fit(b.X, b.y, b.fit);
    expect(copy.getParameters()).toEqual(alone.getParameters());
  });

  // Products large enough to split across threads (batch 64 x 128 x 128): on the native engine
  // the isolate's one thread pool serves both fits and the predicts, taking turns per parallel
  // region; turns change nothing in the arithmetic.
  it('two fits with parallel products and a predict on a third network at once each match running alone', async () => {
    const wide = (seed: number, threads: number): NetworkOptions => ({
      inputs: 32,
      layers: [
        { units: 128, activation: 'relu' },
        { units: 128, activation: 'tanh' },
        { units: 10, activation: 'softmax' },
      ],
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed,
      engine,
      threads,
    });
    const rows = 256;
    const X = Float32Array.from({ length: rows * 32 }, (_, j) => Math.sin(j * 0.37));
    const y = Array.from({ length: rows }, (_, r) => (r * 7) % 10);
    const fit = { epochs: 3, batchSize: 64 };
    const options = [wide(1, 2), wide(2, 3)];
    const alone: Float32Array[] = [];
    for (const o of options) {
      const net = new Network(o);
      await net.fit(X, y, fit);
      alone.push(net.getParameters());
    }
    const server = new Network(wide(3, 2));
    const want = server.predict(X);
    const nets = options.map((o) => new Network(o));
    const running = Promise.all(nets.map((net) => net.fit(X, y, fit)));
    let predicts = 0;
    let settled = false;
    running.then(() => {
      settled = true;
    });
    while (!settled) {
      expect(server.predict(X)).toEqual(want);
      predicts++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await running;
    expect(predicts).toBeGreaterThan(0);
    nets.forEach((net, i) => expect(net.getParameters(), `network ${i}`).toEqual(alone[i]));
  });
});

// Weights read while a native chunk runs on another thread would copy a buffer being written:
// getParameters / getWeights / toJSON / save are rejected then (they are fine in onEpochEnd,
// between chunks, and always on the TS engine, whose chunks run on the calling thread).
describe.runIf(engineNames.includes('native'))('reading weights during a native fit', () => {
  const engine = 'native';
  it('getParameters, getWeights, toJSON and save are rejected mid-chunk, and work after', async () => {
    const net = new Network({
      inputs: 16,
      layers: [
        { units: 64, activation: 'relu' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { name: 'sgd', learningRate: 0.001 },
      seed: 1,
      engine,
    });
    const X = Float32Array.from({ length: 512 * 16 }, (_, i) => Math.sin(i));
    const y = Float32Array.from({ length: 512 }, (_, i) => i % 2);
    const running = net.fit(X, y, { epochs: 20, batchSize: 16 });
    expect(() => net.getParameters()).toThrow('Cannot read parameters while this network is training');
    expect(() => net.getWeights()).toThrow('Cannot read weights while this network is training');
    expect(() => net.toJSON()).toThrow('Cannot serialize while this network is training');
    await expect(net.save('/tmp/never-written.safetensors')).rejects.toThrow(
      'Cannot save while this network is training',
    );
    await running;
    expect(net.getParameters().every(Number.isFinite)).toBe(true);
  });
});
