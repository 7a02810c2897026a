// Faults during training, on every engine: a throwing onEpochEnd, an AbortSignal, a loss that
// diverges, and allocation failure of a huge network. After each, the network must be in a state
// a plain run explains (bit-identical to a fresh network trained for the epochs that completed),
// idle and usable. Allocation failure runs in a child process whose address space is capped
// (prlimit) after start-up, so every big allocation really fails: it must be a JS exception.
import { spawn, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const SCALE = Number(process.env.FASTMLP_PROPERTY_RUNS ?? 1) || 1;
const runs = (base: number) => ({ numRuns: Math.max(1, Math.round(base * SCALE)) });

const X = Array.from({ length: 40 }, (_, i) => [Math.sin(i * 0.9), Math.cos(i * 0.4), (i % 5) / 5]);
const yClass = X.map(([a, b]) => (a * b > 0 ? 1 : 0));
const yReg = X.map(([a, b, c]) => [a - b + 0.5 * c]);

describe.each(engineNames)('faults on the %s engine', (engine) => {
  const classifier = (extra: Partial<NetworkOptions> = {}) =>
    new Network({
      inputs: 3,
      layers: [
        { units: 8, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      optimizer: { name: 'adam', learningRate: 0.02 },
      seed: 3,
      engine,
      ...extra,
    });
  const regressor = () =>
    new Network({
      inputs: 3,
      layers: [
        { units: 16, activation: 'relu' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { name: 'momentum', learningRate: 0.01 },
      seed: 4,
      engine,
    });

  it('a callback that throws at epoch k leaves exactly k + 1 epochs trained, and fit can go on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom('throw', 'reject', 'throw-non-error'),
        async (k, batchSize, how) => {
          const boom = new Error(`boom at ${k}`);
          const net = classifier();
          const error = await net
            .fit(X, yClass, {
              epochs: 10,
              batchSize,
              onEpochEnd: (epoch) => {
                if (epoch !== k) return;
                if (how === 'reject') return Promise.reject(boom);
                throw how === 'throw' ? boom : 'not an error';
              },
            })
            .then(
              () => null,
              (e: unknown) => e,
            );
          expect(error).toBe(how === 'throw-non-error' ? 'not an error' : boom);
          expect(net.training).toBe(false);
          const alone = classifier();
          alone.fitSync(X, yClass, { epochs: k + 1, batchSize, onEpochEnd: () => {} });
          expect(net.getParameters()).toEqual(alone.getParameters());
          expect(net.steps).toBe(alone.steps);
          // usable: training resumes from there exactly like an uninterrupted run would
          await net.fit(X, yClass, { epochs: 2, batchSize });
          alone.fitSync(X, yClass, { epochs: 2, batchSize });
          expect(net.getParameters()).toEqual(alone.getParameters());
        },
      ),
      runs(12),
    );
  });

  it('an abort from a timer stops at a chunk boundary with a consistent, usable network', async () => {
    for (const delay of [0, 10]) {
      const controller = new AbortController();
      const net = regressor();
      const timer = setTimeout(() => controller.abort(), delay);
      const history = await net.fit(X, yReg, { epochs: 1e6, batchSize: 8, signal: controller.signal });
      clearTimeout(timer);
      expect(history.stopReason).toBe('aborted');
      expect(history.epochs).toBeGreaterThanOrEqual(1);
      expect(history.epochs).toBeLessThan(1e6);
      expect(history.loss.length).toBe(history.epochs);
      expect(net.training).toBe(false);
      expect(net.steps).toBe(history.epochs * Math.ceil(X.length / 8));
      // what a chunk boundary means: the weights are those of exactly history.epochs epochs
      const alone = regressor();
      alone.fitSync(X, yReg, { epochs: history.epochs, batchSize: 8 });
      expect(net.getParameters()).toEqual(alone.getParameters());
      expect(net.evaluate(X, yReg).loss).toBe(alone.evaluate(X, yReg).loss);
      const again = await net.fit(X, yReg, { epochs: 3, batchSize: 8 });
      expect(again.stopReason).toBe('completed');
    }
  });

  it('a signal aborted before fit starts trains nothing: 0 epochs, the network unchanged', async () => {
    for (const mode of ['async', 'sync'] as const) {
      const net = classifier();
      await net.fit(X, yClass, { epochs: 3, batchSize: 8 }); // optimizer state and steps not zero
      const before = JSON.stringify(net.toJSON());
      const options = { epochs: 50, signal: AbortSignal.abort() };
      const history = mode === 'async' ? await net.fit(X, yClass, options) : net.fitSync(X, yClass, options);
      expect(history.stopReason).toBe('aborted');
      expect(history.epochs).toBe(0);
      expect(history.loss).toEqual([]);
      expect(net.training).toBe(false);
      expect(JSON.stringify(net.toJSON())).toBe(before); // weights, optimizer state, steps, shuffles
      // bad arguments are still reported, before the signal is looked at
      expect(() => net.fitSync(X, [1], options)).toThrow(RangeError);
    }
  });

  it('an onEpochEnd that never settles is abandoned when the signal aborts: fit resolves as aborted', async () => {
    for (const late of ['never', 'rejects-later'] as const) {
      const controller = new AbortController();
      const net = classifier();
      const history = await net.fit(X, yClass, {
        epochs: 10,
        batchSize: 8,
        signal: controller.signal,
        onEpochEnd: (epoch) => {
          if (epoch !== 2) return;
          setTimeout(() => controller.abort(), 5);
          return late === 'never'
            ? new Promise<void>(() => {})
            : new Promise<void>((_, reject) => setTimeout(() => reject(new Error('too late')), 30));
        },
      });
      expect(history.stopReason).toBe('aborted');
      expect(history.epochs).toBe(3); // the epoch whose callback was abandoned had completed
      expect(net.training).toBe(false);
      const alone = classifier();
      alone.fitSync(X, yClass, { epochs: 3, batchSize: 8 });
      expect(net.getParameters()).toEqual(alone.getParameters());
      expect(net.steps).toBe(alone.steps);
      // the abandoned promise settling later changes nothing (and is no unhandled rejection)
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(net.getParameters()).toEqual(alone.getParameters());
    }
  });

  describe('a loss that diverges stops training with a clear error and restores the weights', () => {
    const diverging = () =>
      new Network({
        inputs: 1,
        layers: [{ units: 1, activation: 'linear' }],
        loss: 'mse',
        optimizer: { name: 'sgd', learningRate: 5 },
        seed: 1,
        engine,
      });
    const data = [[1e3], [-2e3], [3e3]];
    const target = [1, 2, 3];

    it('per-epoch chunks: the weights of the last finite epoch, for fit and fitSync', async () => {
      for (const mode of ['sync', 'async'] as const) {
        const net = diverging();
        let last = net.getParameters();
        let lastSteps = 0;
        const options = {
          epochs: 500,
          batchSize: 'full' as const,
          onEpochEnd: () => {
            last = net.getParameters();
            lastSteps = net.steps;
          },
        };
        const run = () =>
          mode === 'sync' ? net.fitSync(data, target, options) : net.fit(data, target, options);
        const error = await Promise.resolve()
          .then(run)
          .then(
            () => null,
            (e: unknown) => e as Error,
          );
        expect(error).toBeInstanceOf(Error);
        expect(error?.message).toMatch(
          /^Training diverged: the loss became (NaN|Infinity) in epoch \d+; the weights are restored to before that chunk\. Lower the learning rate or standardize the inputs\.$/,
        );
        expect(net.getParameters()).toEqual(last);
        expect(net.steps).toBe(lastSteps);
        expect(net.training).toBe(false);
      }
    });

    it('multi-epoch chunks: the weights from before the chunk, then the network trains on', async () => {
      const net = diverging();
      const before = net.getParameters();
      await expect(net.fit(data, target, { epochs: 500, batchSize: 'full' })).rejects.toThrow(
        /Training diverged/,
      );
      expect(net.getParameters()).toEqual(before);
      expect(net.steps).toBe(0);
      const small = [[1], [-2], [3]];
      const history = await net.fit(small, target, { epochs: 20, batchSize: 'full' });
      expect(history.loss.every(Number.isFinite)).toBe(true);
      expect(net.predict(small).flat().every(Number.isFinite)).toBe(true);
    });
  });
});

// --- allocation failure -------------------------------------------------------------------------

// The child loads fastmlp, warms the libuv pool (its threads start lazily; a thread libuv cannot
// start aborts the process, which is Node's, not ours), reports its address-space size, and
// waits; the parent caps RLIMIT_AS a little above it; the child then runs each case and prints
// one JSON line per case.
const CHILD = `
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
const { Network } = await import(${JSON.stringify(new URL('../lib/index.ts', import.meta.url).pathname)});
await Promise.all(Array.from({ length: 8 }, () => stat('.')));
const vm = Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
console.log(JSON.stringify({ ready: vm }));
await new Promise((resolve) => process.stdin.once('data', resolve));
const engines = JSON.parse(process.argv[1]);
const sgd = { name: 'sgd', learningRate: 0.1 };
const cases = {
  // 2^20 x 255 + 255 parameters: just under the 2^28 cap; 1 GiB of weights, 2 GiB of adam state
  nearCapAdam: (engine) => new Network({ inputs: 1 << 20, layers: [{ units: 255, activation: 'sigmoid' }], seed: 1, engine }),
  // few parameters, but a 2^20-unit layer: a trainer's workspaces of 512 rows x 2^20 floats do
  // not fit; predict's inference model holds one row (block rows shrink on wide layers): it fits
  wideLayer: (engine) =>
    new Network({ inputs: 1, layers: [{ units: 1 << 20, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], optimizer: sgd, seed: 1, engine })
      .predict(new Float32Array(1)),
  wideFit: (engine) =>
    new Network({ inputs: 1, layers: [{ units: 1 << 20, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], optimizer: sgd, seed: 1, engine })
      .fit(new Float32Array(512), new Float32Array(512), { epochs: 1, batchSize: 512 }),
  // 256 threads of 8 MiB stacks do not fit in the cap
  manyThreads: (engine) =>
    new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1, engine, threads: 256 }).predict(new Float32Array(2)),
};
for (const engine of engines) {
  for (const [name, run] of Object.entries(cases)) {
    try {
      await run(engine);
      console.log(JSON.stringify({ engine, name, ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ engine, name, type: e?.constructor?.name, message: String(e?.message ?? e) }));
    }
  }
  // and the process is still fine: a small network trains
  const small = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1, engine });
  const h = await small.fit([[0, 1], [1, 0]], [1, 0], { epochs: 3 });
  console.log(JSON.stringify({ engine, name: 'afterwards', ok: h.loss.every(Number.isFinite) }));
}
process.exit(0);
`;

interface Outcome {
  engine: string;
  name: string;
  ok?: boolean;
  type?: string;
  message?: string;
}

async function underAddressSpaceCap(
  extraKiB: number,
): Promise<{ code: number | null; signal: string | null; lines: Outcome[]; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', CHILD, JSON.stringify(engineNames)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  // The child may exit before it reads 'go' (a failed allocation ends it): ignore EPIPE.
  child.stdin.on('error', () => {});
  let sent = false;
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const first = stdout.split('\n')[0];
      if (!sent && stdout.includes('\n') && first.startsWith('{"ready"')) {
        sent = true;
        const vm = (JSON.parse(first) as { ready: number }).ready;
        const set = spawnSync('prlimit', ['--pid', String(child.pid), `--as=${(vm + extraKiB) * 1024}`]);
        if (set.status !== 0) reject(new Error(`prlimit failed: ${set.stderr}`));
        child.stdin.write('go\n');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
  }).catch(async (error) => {
    child.kill();
    throw error;
  });
  const { code, signal } = await done;
  const lines = stdout
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Outcome);
  return { code, signal, lines, stderr };
}

const prlimit = spawnSync('prlimit', ['--version']).status === 0 && process.platform === 'linux';

describe.skipIf(!prlimit)('allocation failure (address space capped with prlimit)', () => {
  it.each([
    ['300 MiB', 300 * 1024],
    ['1.3 GiB', 1300 * 1024],
  ])(
    'with %s to spare, every failed allocation is a JS exception and the process lives on',
    async (_label, extra) => {
      const { code, signal, lines, stderr } = await underAddressSpaceCap(extra);
      expect(signal, stderr).toBeNull();
      expect(code, stderr).toBe(0);
      const byCase = new Map(lines.map((l) => [`${l.engine} ${l.name}`, l]));
      for (const engine of engineNames) {
        const adam = byCase.get(`${engine} nearCapAdam`)!;
        expect(adam.type).toBe('RangeError');
        expect(adam.message).toMatch(
          /^Could not allocate (267387135 floats for the network's parameters|534774270 floats for the network's optimizer state)$/,
        );
        expect(byCase.get(`${engine} wideLayer`)?.ok, 'predict needs no training workspaces').toBe(true);
        const fit = byCase.get(`${engine} wideFit`)!;
        for (const o of [fit]) {
          expect(o.ok, JSON.stringify(o)).toBeUndefined();
          if (engine === 'native') {
            expect(o.type).toBe('Error');
            expect(o.message).toBe('out of memory in the native core (a workspace or a size is too large)');
          } else {
            expect(o.type).toBe('RangeError'); // V8's "Array buffer allocation failed"
          }
        }
        const threads = byCase.get(`${engine} manyThreads`)!;
        // the TS engine ignores threads; the native one may fail to start them: an Error, not abort
        if (!threads.ok) expect(threads.type).toBe('Error');
        expect(byCase.get(`${engine} afterwards`)?.ok).toBe(true);
      }
    },
  );
});
