// The seed tutorials as wall time (new Network + fitSync, full batch): seed 003 (moons, 1000
// samples, 2-16-1 ReLU/sigmoid, BCE, lr 1, 1000 epochs) and seed 000 (circles, 120 training
// samples, 2-3-1 sigmoid, summed squared error, lr 0.01, 100,000 iterations). Same data and
// settings as examples/003-*.ts and examples/000-*.ts; tfjs runs model.fit from the same weights.
import type * as TF from '@tensorflow/tfjs';
import { datasets, Network, type NetworkOptions, trainTestSplit } from '../../lib/index.js';
import { tfjsModel } from '../fixtures.js';
import { timeOnce, timeOnceAsync } from '../measure.js';
import type { CaseSpec, Check, Outcome, Subject, TrialContext, Workload } from '../types.js';

interface Seed {
  X: number[][];
  y: number[];
  options: (engine: 'native' | 'ts', threads: number) => NetworkOptions;
  epochs: number;
  hidden: { units: number; activation: 'relu' | 'sigmoid' };
}

function seed003(epochs: number): Seed {
  const { X, y } = datasets.moons({ samples: 1000, noise: 0.2, seed: 3 });
  const smallNormal = { name: 'normal', std: 0.1 } as const;
  return {
    X,
    y,
    epochs,
    hidden: { units: 16, activation: 'relu' },
    options: (engine, threads) => ({
      inputs: 2,
      layers: [
        { units: 16, activation: 'relu', initializer: smallNormal },
        { units: 1, activation: 'sigmoid', initializer: smallNormal },
      ],
      loss: 'bce',
      optimizer: { name: 'sgd', learningRate: 1 },
      seed: 3,
      engine,
      threads,
    }),
  };
}

function seed000(epochs: number): Seed {
  const { X, y } = datasets.circles({ samples: 200, noise: 0.1, factor: 0.5, seed: 1 });
  const { XTrain, yTrain } = trainTestSplit(X, y, { testSize: 0.4, seed: 42 });
  return {
    X: XTrain,
    y: yTrain as number[],
    epochs,
    hidden: { units: 3, activation: 'sigmoid' },
    options: (engine, threads) => ({
      inputs: 2,
      layers: [
        { units: 3, activation: 'sigmoid', initializer: 'uniform' },
        { units: 1, activation: 'sigmoid', initializer: 'uniform' },
      ],
      loss: 'sse',
      optimizer: { name: 'sgd', learningRate: 0.01 },
      seed: 7,
      engine,
      threads,
    }),
  };
}

const seedCase = (id: string, label: string, epochs: number): CaseSpec => ({
  id,
  label,
  unit: 's',
  higherIsBetter: false,
  params: { seed: id, epochs },
});

function seedOf(c: CaseSpec): Seed {
  const epochs = Number(c.params.epochs);
  return c.params.seed === 'seed003' ? seed003(epochs) : seed000(epochs);
}

function checkLosses(first: number, last: number, epochs: number, accuracy: number | null): Check {
  const detail = `loss ${first.toPrecision(4)} -> ${last.toPrecision(4)} after ${epochs} epochs${accuracy === null ? '' : `, train accuracy ${accuracy.toFixed(3)}`}`;
  return { passed: Number.isFinite(last) && last < first, detail };
}

/** Runs until 3 runs and the budget are done, or 5 runs, or maxWall seconds: at least once. */
async function repeat(run: () => Promise<number>, total: number, maxWall: number): Promise<number[]> {
  const values: number[] = [];
  let spent = 0;
  while (values.length < 5) {
    const t = await run();
    values.push(t);
    spent += t;
    if ((values.length >= 3 && spent >= total) || spent + t > maxWall) break;
  }
  return values;
}

export const seeds: Workload = {
  name: 'seeds',
  title: 'seed tutorials, wall time of the whole training (new Network + fitSync)',
  engines: ['native-1t', 'native-2t', 'ts', 'tfjs-cpu', 'tfjs-wasm'],
  cases(quick) {
    return quick
      ? [
          seedCase('seed003', 'seed 003 moons, 100 epochs', 100),
          seedCase('seed000', 'seed 000 circles, 2000 iterations', 2000),
        ]
      : [
          seedCase('seed003', 'seed 003 moons 2-16-1, 1000 epochs', 1000),
          seedCase('seed000', 'seed 000 circles 2-3-1, 100,000 iterations', 100_000),
        ];
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    const seed = seedOf(c);
    const maxWall = ctx.quick ? 0.75 : 10;
    if (subject.kind === 'fastmlp') {
      const { choice, threads } = subject;
      const options = seed.options(choice, threads);
      new Network(options).fitSync(seed.X, seed.y, { epochs: Math.min(50, seed.epochs), batchSize: 'full' }); // warm-up
      let first = Number.NaN;
      let last = Number.NaN;
      let accuracy = 0;
      const values = await repeat(
        async () => {
          let history: ReturnType<Network['fitSync']> | undefined;
          let net: Network | undefined;
          const t = timeOnce(() => {
            net = new Network(options);
            history = net.fitSync(seed.X, seed.y, { epochs: seed.epochs, batchSize: 'full' });
          });
          first = history!.loss[0];
          last = history!.loss[history!.loss.length - 1];
          accuracy = net!.evaluate(seed.X, seed.y).accuracy ?? Number.NaN;
          return t;
        },
        ctx.budget.total,
        maxWall,
      );
      const check = checkLosses(first, last, seed.epochs, accuracy);
      if (!check.passed) return { status: 'failed', reason: `did not train: ${check.detail}` };
      return { status: 'ok', values, check, info: { finalLoss: last, accuracy } };
    }

    // tfjs: same initial weights (drawn by fastmlp from the seed), model.fit full batch, no shuffle
    const { tf } = subject;
    const init = new Network(seed.options('ts', 1)).getParameters();
    const rows = seed.X.length;
    const xs = tf.tensor2d(seed.X);
    const ys = tf.tensor2d(seed.y, [rows, 1]);
    const sse = (yTrue: TF.Tensor, yPred: TF.Tensor): TF.Tensor => tf.sum(tf.square(tf.sub(yPred, yTrue)));
    const lossFn = c.params.seed === 'seed003' ? 'binaryCrossentropy' : sse;
    const lr = c.params.seed === 'seed003' ? 1 : 0.01;
    const fitEpochs = async (epochs: number): Promise<{ seconds: number; losses: number[] }> => {
      const model = tfjsModel(tf, 2, [seed.hidden, { units: 1, activation: 'sigmoid' }], init);
      model.compile({ optimizer: tf.train.sgd(lr), loss: lossFn });
      let losses: number[] = [];
      const seconds = await timeOnceAsync(async () => {
        const h = await model.fit(xs, ys, { batchSize: rows, epochs, shuffle: false, verbose: 0 });
        losses = h.history.loss as number[];
      });
      model.dispose();
      return { seconds, losses };
    };
    const probeEpochs = Math.min(seed.epochs, ctx.quick ? 20 : 200);
    const probe = await fitEpochs(probeEpochs);
    const perEpoch = probe.seconds / probeEpochs;
    // A whole seed 000 on tfjs would take minutes: run what fits in maxWall and scale up, saying so.
    const epochs =
      perEpoch * seed.epochs <= maxWall ? seed.epochs : Math.max(probeEpochs, Math.floor(maxWall / perEpoch));
    let first = Number.NaN;
    let last = Number.NaN;
    const values = await repeat(
      async () => {
        const r = await fitEpochs(epochs);
        first = r.losses[0];
        last = r.losses[r.losses.length - 1];
        return (r.seconds * seed.epochs) / epochs;
      },
      ctx.budget.total,
      maxWall,
    );
    tf.dispose([xs, ys]);
    const check = checkLosses(first, last, epochs, null);
    if (!check.passed) return { status: 'failed', reason: `did not train: ${check.detail}` };
    const info: Record<string, number | string | boolean> = { finalLoss: last, epochsRun: epochs };
    if (epochs < seed.epochs) info.extrapolated = `from ${epochs} of ${seed.epochs} epochs`;
    return { status: 'ok', values, check, info };
  },
};
