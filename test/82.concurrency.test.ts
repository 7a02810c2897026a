// Concurrency, on every engine: many networks training at once each give the result they give
// alone (bit-identical parameters and losses); a busy network rejects a second fit and every
// call that reads or writes its weights mid-training, and those rejections do not disturb the
// fit that is running.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const SCALE = Number(process.env.FASTMLP_PROPERTY_RUNS ?? 1) || 1;
const runs = (base: number) => ({ numRuns: Math.max(1, Math.round(base * SCALE)) });

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
      ['set optimizer', () => (net.optimizer = 'sgd')],
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

  // Re-entrance: a getter inside an argument runs user code while the call reads its arguments.
  // The network is busy from the first line of every call that reads arguments, so such a getter
  // cannot start fit (or change the network) under a call that then uses the weights.
  describe('a getter inside an argument cannot start fit under the call reading it', () => {
    const c = () => configs(engine)[1];
    const busyMessage = /^Cannot fit while this network is (reading the arguments of another call|training)/;
    /** X as rows, whose first row is a getter that calls `reenter` once. */
    const rowsCalling = (X: Float32Array, inputs: number, reenter: () => void): number[][] => {
      const rows = Array.from({ length: X.length / inputs }, (_, r) => [
        ...X.subarray(r * inputs, (r + 1) * inputs),
      ]);
      const first = rows[0];
      let called = false;
      Object.defineProperty(rows, 0, {
        get() {
          if (!called) {
            called = true;
            reenter();
          }
          return first;
        },
      });
      return rows;
    };
    /** Marks the re-entrant fit's rejection handled now; the test awaits it after the outer call. */
    const caught = (p: Promise<unknown>) => {
      p.catch(() => {});
      return p;
    };
    const expectRejectedFit = async (inner: Promise<unknown> | undefined) => {
      expect(inner).toBeInstanceOf(Promise);
      const outcome = await (inner as Promise<unknown>).then(
        () => 'resolved',
        (e: Error) => e,
      );
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(busyMessage);
    };

    it('predict, predictClasses and evaluate serve untouched weights; the fit is rejected', async () => {
      const { options, X, y, fit } = c();
      const untouched = new Network(options);
      for (const call of ['predict', 'predictClasses', 'evaluate'] as const) {
        const net = new Network(options);
        let inner: Promise<unknown> | undefined;
        const rows = rowsCalling(X, options.inputs, () => {
          inner = caught(net.fit(X, y, fit));
        });
        const result =
          call === 'predict'
            ? net.predict(rows)
            : call === 'predictClasses'
              ? net.predictClasses(rows)
              : net.evaluate(rows, y);
        await expectRejectedFit(inner);
        const expected =
          call === 'predict'
            ? untouched.predict(X)
            : call === 'predictClasses'
              ? untouched.predictClasses(X)
              : untouched.evaluate(X, y);
        expect(call === 'predict' ? (result as number[][]).flat() : result).toEqual(
          call === 'predict' ? [...(expected as Float32Array)] : expected,
        );
        expect(net.training).toBe(false);
        expect(net.getParameters()).toEqual(untouched.getParameters());
      }
    });

    it("fit: a second fit started from fit's own arguments is rejected; the first runs as alone", async () => {
      const { options, X, y, fit } = c();
      const alone = new Network(options);
      await alone.fit(X, y, fit);
      for (const where of ['X', 'options'] as const) {
        const net = new Network(options);
        let inner: Promise<unknown> | undefined;
        const start = () => {
          inner = caught(net.fit(X, y, fit));
        };
        const opts =
          where === 'options'
            ? Object.defineProperty({ ...fit }, 'epochs', {
                enumerable: true,
                get() {
                  if (!inner) start();
                  return fit.epochs;
                },
              })
            : fit;
        const history = await net.fit(where === 'X' ? rowsCalling(X, options.inputs, start) : X, y, opts);
        await expectRejectedFit(inner);
        expect(history.epochs).toBe(fit.epochs);
        expect(net.training).toBe(false);
        expect(net.getParameters()).toEqual(alone.getParameters());
        expect(net.steps).toBe(alone.steps);
      }
    });

    it('property: any call re-entered from any row of any call is refused; the outer call acts as if alone', async () => {
      const { options, X, y } = c();
      const fitOptions = { epochs: 2, batchSize: 8 };
      const rowsOf = (data: Float32Array) =>
        Array.from({ length: data.length / options.inputs }, (_, r) => [
          ...data.subarray(r * options.inputs, (r + 1) * options.inputs),
        ]);
      const outerCalls: Record<string, (net: Network, rows: number[][]) => unknown> = {
        predict: (net, rows) => net.predict(rows),
        predictClasses: (net, rows) => net.predictClasses(rows),
        evaluate: (net, rows) => net.evaluate(rows, y),
        fit: (net, rows) => net.fit(rows, y, fitOptions),
        fitSync: (net, rows) => net.fitSync(rows, y, fitOptions),
      };
      const innerCalls: Record<string, (net: Network) => unknown> = {
        fit: (net) => net.fit(X, y, fitOptions),
        fitSync: (net) => net.fitSync(X, y, fitOptions),
        predict: (net) => net.predict(X),
        evaluate: (net) => net.evaluate(X, y),
        setParameters: (net) => net.setParameters(new Float32Array(net.parameterCount).fill(0.125)),
        'set inputScaling': (net) => {
          net.inputScaling = { mean: Array(options.inputs).fill(1), std: Array(options.inputs).fill(3) };
        },
        dispose: (net) => net.dispose(),
      };
      const rowCount = X.length / options.inputs;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.keys(outerCalls)),
          fc.constantFrom(...Object.keys(innerCalls)),
          fc.integer({ min: 0, max: rowCount - 1 }),
          async (outer, inner, at) => {
            const net = new Network(options);
            const rows = rowsOf(X);
            const row = rows[at];
            let refused: unknown = 'not called';
            Object.defineProperty(rows, at, {
              get() {
                if (refused === 'not called') {
                  try {
                    const result = innerCalls[inner](net);
                    refused =
                      result instanceof Promise
                        ? result.then(
                            () => 'accepted',
                            (e) => e,
                          )
                        : 'accepted';
                  } catch (error) {
                    refused = error;
                  }
                }
                return row;
              },
            });
            const result = await outerCalls[outer](net, rows);
            const error = await refused;
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message).toMatch(
              /^Cannot \S+( inputScaling)? while this network is (reading the arguments of another call|training)/,
            );
            expect(net.training).toBe(false);
            const alone = new Network(options);
            expect(result).toEqual(await outerCalls[outer](alone, rowsOf(X)));
            expect(net.getParameters()).toEqual(alone.getParameters());
            expect(net.steps).toBe(alone.steps);
            expect(net.inputScaling).toBeNull();
          },
        ),
        runs(40),
      );
    });

    it('setParameters and inputScaling = ... apply their values; the fit is rejected', async () => {
      const { options, X, y, fit } = c();
      const net = new Network(options);
      let inner: Promise<unknown> | undefined;
      class Reentrant extends Float32Array {
        override get length(): number {
          if (!inner) inner = caught(net.fit(X, y, fit));
          return super.length;
        }
      }
      const values = new Reentrant(net.parameterCount).fill(0.25);
      net.setParameters(values);
      await expectRejectedFit(inner);
      expect(net.getParameters()).toEqual(new Float32Array(net.parameterCount).fill(0.25));
      expect(net.training).toBe(false);

      inner = undefined;
      const mean = new Array(options.inputs).fill(1);
      const scaling = {
        get mean() {
          if (!inner) inner = caught(net.fit(X, y, fit));
          return mean;
        },
        std: new Array(options.inputs).fill(2),
      };
      net.inputScaling = scaling;
      await expectRejectedFit(inner);
      expect(net.inputScaling).toEqual({ mean, std: scaling.std });
      expect(net.getParameters()).toEqual(new Float32Array(net.parameterCount).fill(0.25));
      expect(net.training).toBe(false);
    });
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
