// Training throughput (samples/s) of 784-128-10 (ReLU, softmax cross-entropy, SGD lr 0.01) at
// batch 64 and 256 on synthetic MNIST-shaped data, at two levels: the engine's trainer
// (createTrainer + trainEpochs) and the public API (Network.fitSync; tfjs model.fit). Before
// timing, one epoch of two batches is compared with a float64 SGD written in plain loops.

import { stateSize } from '../../lib/engine/layout.js';
import { Network } from '../../lib/index.js';
import {
  MLP_CLASSES,
  MLP_HIDDEN,
  MLP_INPUTS,
  maxAbsDiff,
  mlpInitialParams,
  mlpOptions,
  mlpPlan,
  syntheticMnist,
  tfjsModel,
  tfjsParams,
} from '../fixtures.js';
import { measureAsync, measureSync } from '../measure.js';
import {
  type CaseSpec,
  type Check,
  notApplicable,
  type Outcome,
  type Subject,
  type TrialContext,
  type Workload,
} from '../types.js';

const LEARNING_RATE = 0.01;
/** Parameters after the check epoch may differ from the float64 reference by this much. */
const TOLERANCE = 1e-4;

const LABELS = {
  engine: 'trainEpochs',
  network: 'fit',
  async: 'await fit (async)',
} as const;

const trainCase = (level: keyof typeof LABELS, batch: number): CaseSpec => ({
  id: `${level}-b${batch}`,
  label: `${LABELS[level]}, batch ${batch}`,
  unit: 'samples/s',
  higherIsBetter: true,
  params: { level, batch },
});

/** Rows of one timed epoch: tfjs-cpu runs ~1000 samples/s, so it gets a shorter epoch. */
function epochRows(subject: Subject, quick: boolean): number {
  if (quick) return 128;
  return subject.kind === 'tfjs' ? 1024 : 2048;
}

// --- float64 reference ----------------------------------------------------------------------------

/** One epoch of minibatch SGD in float64, data order, in place on params; returns the epoch loss. */
export function referenceEpoch(
  params: Float64Array,
  X: Float32Array,
  Y: Float32Array,
  rows: number,
  batch: number,
): number {
  const [I, H, O] = [MLP_INPUTS, MLP_HIDDEN, MLP_CLASSES];
  const b1 = I * H;
  const W2 = b1 + H;
  const b2 = W2 + H * O;
  let total = 0;
  for (let r0 = 0; r0 < rows; r0 += batch) {
    const n = Math.min(batch, rows - r0);
    const grad = new Float64Array(params.length);
    for (let r = r0; r < r0 + n; r++) {
      // forward: h = relu(x W1 + b1), z = h W2 + b2, p = softmax(z)
      const h = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let z = params[b1 + j];
        for (let i = 0; i < I; i++) z += X[r * I + i] * params[i * H + j];
        h[j] = Math.max(0, z);
      }
      const z = new Float64Array(O);
      for (let c = 0; c < O; c++) {
        let s = params[b2 + c];
        for (let j = 0; j < H; j++) s += h[j] * params[W2 + j * O + c];
        z[c] = s;
      }
      const max = Math.max(...z);
      let sum = 0;
      for (let c = 0; c < O; c++) sum += Math.exp(z[c] - max);
      const lse = max + Math.log(sum);
      // backward: dz = (p - y) / n (softmax + cross-entropy fused), dh = dz W2^T * (h > 0)
      const dz = new Float64Array(O);
      for (let c = 0; c < O; c++) {
        total -= Y[r * O + c] * (z[c] - lse);
        dz[c] = (Math.exp(z[c] - lse) - Y[r * O + c]) / n;
        grad[b2 + c] += dz[c];
      }
      for (let j = 0; j < H; j++) {
        let dh = 0;
        for (let c = 0; c < O; c++) {
          grad[W2 + j * O + c] += h[j] * dz[c];
          dh += dz[c] * params[W2 + j * O + c];
        }
        if (h[j] <= 0) continue;
        grad[b1 + j] += dh;
        for (let i = 0; i < I; i++) grad[i * H + j] += X[r * I + i] * dh;
      }
    }
    for (let p = 0; p < params.length; p++) params[p] -= LEARNING_RATE * grad[p];
  }
  return total / rows;
}

function compare(label: string, rows: number, got: Float32Array, want: Float64Array): Check {
  const diff = maxAbsDiff(got, want);
  return {
    passed: diff <= TOLERANCE,
    detail: `${label}: params after 1 epoch of ${rows} rows vs float64 SGD, max abs diff ${diff.toExponential(1)}`,
  };
}

// --- the workload -------------------------------------------------------------------------------

export const train: Workload = {
  name: 'train',
  title: 'training 784-128-10 (ReLU, softmax CE, SGD lr 0.01), synthetic MNIST-shaped data',
  engines: ['native-1t', 'native-2t', 'ts', 'tfjs-cpu', 'tfjs-wasm'],
  cases(quick) {
    if (quick) return [trainCase('engine', 64), trainCase('network', 64)];
    return [
      trainCase('engine', 64),
      trainCase('engine', 256),
      trainCase('network', 64),
      trainCase('network', 256),
      trainCase('async', 64),
      trainCase('async', 256),
    ];
  },
  skip(engine, c) {
    return engine.startsWith('tfjs') && c.params.level !== 'network'
      ? 'tfjs is compared at the model.fit level'
      : null;
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    const level = String(c.params.level);
    const batch = Number(c.params.batch);
    const init = mlpInitialParams();
    // two steps, so the second runs on updated weights
    const checkRows = 2 * batch;
    const checkData = syntheticMnist(checkRows, 3);
    const ref = Float64Array.from(init);
    referenceEpoch(ref, checkData.X, checkData.Y, checkRows, batch);
    const rows = epochRows(subject, ctx.quick);
    const data = syntheticMnist(rows);
    const budget = { ...ctx.budget, minSamples: Math.min(ctx.budget.minSamples, 5) };
    const rate = (perCall: number[]): number[] => perCall.map((t) => rows / t);
    const info = { rows, data: 'synthetic: inputs U[0,1), labels U{0..9}' };

    if (subject.kind === 'tfjs') {
      if (level !== 'network') return notApplicable('tfjs is compared at the model.fit level');
      const { tf } = subject;
      const layers = [
        { units: MLP_HIDDEN, activation: 'relu' as const },
        { units: MLP_CLASSES, activation: 'softmax' as const },
      ];
      const compile = (m: ReturnType<typeof tfjsModel>) =>
        m.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: 'categoricalCrossentropy' });
      const probe = tfjsModel(tf, MLP_INPUTS, layers, init);
      compile(probe);
      const [cx, cy] = [
        tf.tensor2d(checkData.X, [checkRows, MLP_INPUTS]),
        tf.tensor2d(checkData.Y, [checkRows, MLP_CLASSES]),
      ];
      await probe.fit(cx, cy, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
      const check = compare('model.fit', checkRows, tfjsParams(probe), ref);
      tf.dispose([cx, cy]);
      probe.dispose();
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const model = tfjsModel(tf, MLP_INPUTS, layers, init);
      compile(model);
      const [xs, ys] = [tf.tensor2d(data.X, [rows, MLP_INPUTS]), tf.tensor2d(data.Y, [rows, MLP_CLASSES])];
      const { perCall } = await measureAsync(async () => {
        await model.fit(xs, ys, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
      }, budget);
      return {
        status: 'ok',
        values: rate(perCall),
        check,
        info: { ...info, includes: 'model.fit, 1 epoch per call' },
      };
    }

    const threads = subject.threads;
    if (level === 'network') {
      const probe = new Network(mlpOptions(subject.choice, threads));
      probe.fitSync(checkData.X, checkData.labels, { epochs: 1, batchSize: batch, shuffle: false });
      const check = compare('Network.fitSync', checkRows, probe.getParameters(), ref);
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const net = new Network(mlpOptions(subject.choice, threads));
      const { perCall } = measureSync(() => {
        net.fitSync(data.X, data.labels, { epochs: 1, batchSize: batch });
      }, budget);
      return {
        status: 'ok',
        values: rate(perCall),
        check,
        info: { ...info, includes: 'fitSync, 1 shuffled epoch per call' },
      };
    }

    if (level === 'async') {
      // The native engine's fit runs each chunk off the event loop (trainEpochsAsync), on copies
      // of the data and weights it owns for the call: this row prices those copies.
      const probe = new Network(mlpOptions(subject.choice, threads));
      await probe.fit(checkData.X, checkData.labels, { epochs: 1, batchSize: batch, shuffle: false });
      const check = compare('Network.fit', checkRows, probe.getParameters(), ref);
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const net = new Network(mlpOptions(subject.choice, threads));
      const { perCall } = await measureAsync(async () => {
        await net.fit(data.X, data.labels, { epochs: 1, batchSize: batch });
      }, budget);
      return {
        status: 'ok',
        values: rate(perCall),
        check,
        info: { ...info, includes: 'await fit, 1 shuffled epoch per call' },
      };
    }

    const { engine } = subject;
    const plan = mlpPlan(batch, threads);
    const state = new Float32Array(stateSize('sgd', init.length));
    const losses = new Float64Array(1);
    const probeParams = init.slice();
    const probe = engine.createTrainer(plan, probeParams, state);
    probe.trainEpochs({
      X: checkData.X,
      Y: checkData.Y,
      rows: checkRows,
      order: null,
      epochs: 1,
      batchSize: batch,
      step: 0,
      losses,
    });
    probe.dispose();
    const check = compare('trainEpochs', checkRows, probeParams, ref);
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    const params = init.slice();
    const trainer = engine.createTrainer(plan, params, state);
    let step = 0;
    const { perCall } = measureSync(() => {
      step = trainer.trainEpochs({
        X: data.X,
        Y: data.Y,
        rows,
        order: null,
        epochs: 1,
        batchSize: batch,
        step,
        losses,
      });
    }, budget);
    const lastLoss = losses[0];
    trainer.dispose();
    if (!Number.isFinite(lastLoss))
      return { status: 'failed', reason: `loss became ${lastLoss} while timing` };
    return {
      status: 'ok',
      values: rate(perCall),
      check,
      info: { ...info, lastLoss, includes: 'trainEpochs, 1 epoch per call' },
    };
  },
};
