// Inference latency and throughput of 784-128-10: one sample (us/call, median over many calls)
// and batches of 1024 (samples/s; 256 in quick mode), through the public API (Network.predict with a Float32Array;
// tfjs model.predict + dataSync) and the engine's inference model (Engine.createModel) directly. Outputs are checked
// against a float64 forward pass before timing.

import type * as TF from '@tensorflow/tfjs';
import { Network } from '../../lib/index.js';
import {
  MLP_CLASSES,
  MLP_INPUTS,
  maxAbsDiff,
  mlpInitialParams,
  mlpOptions,
  mlpPlan,
  referenceForward,
  syntheticMnist,
  tfjsModel,
} from '../fixtures.js';
import { measureSync } from '../measure.js';
import {
  type CaseSpec,
  type Check,
  notApplicable,
  type Outcome,
  type Subject,
  type TrialContext,
  type Workload,
} from '../types.js';

const CHECK_ROWS = 4;
const TOLERANCE = 1e-5;
/** Rows of the batch case (quick mode: 256, so tfjs-cpu's ~1 s per 1024 rows stays short). */
const batchRows = (quick: boolean): number => (quick ? 256 : 1024);

const predictCase = (level: 'network' | 'engine', rows: number): CaseSpec => {
  const api = level === 'network' ? 'predict' : 'model.predict';
  return rows === 1
    ? {
        id: `${level}-one`,
        label: `${api}, 1 sample`,
        unit: 'us/call',
        higherIsBetter: false,
        params: { level, rows },
      }
    : {
        id: `${level}-b${rows}`,
        label: `${api}, ${rows} samples`,
        unit: 'samples/s',
        higherIsBetter: true,
        params: { level, rows },
      };
};

function checkOutputs(label: string, params: Float32Array, X: Float32Array, out: ArrayLike<number>): Check {
  const want = Array.from({ length: CHECK_ROWS }, (_, r) => referenceForward(params, X, r)).flat();
  const diff = maxAbsDiff(Array.from(out).slice(0, CHECK_ROWS * MLP_CLASSES), want);
  return {
    passed: diff <= TOLERANCE,
    detail: `${label}: ${CHECK_ROWS} rows of probabilities vs float64, max abs diff ${diff.toExponential(1)}`,
  };
}

export const predict: Workload = {
  name: 'predict',
  title: 'predict with 784-128-10',
  engines: ['native-1t', 'native-2t', 'ts', 'tfjs-cpu', 'tfjs-wasm'],
  cases(quick) {
    const n = batchRows(quick);
    return [
      predictCase('network', 1),
      predictCase('engine', 1),
      predictCase('network', n),
      predictCase('engine', n),
    ];
  },
  skip(engine, c) {
    return engine.startsWith('tfjs') && c.params.level === 'engine'
      ? 'tfjs is compared at the model.predict level'
      : null;
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    const rows = Number(c.params.rows);
    const level = String(c.params.level);
    const init = mlpInitialParams();
    const X = syntheticMnist(Math.max(rows, CHECK_ROWS)).X;
    const head = X.subarray(0, CHECK_ROWS * MLP_INPUTS);
    const input = X.subarray(0, rows * MLP_INPUTS);
    const toValue = (perCall: number[]): number[] => perCall.map((t) => (rows === 1 ? t * 1e6 : rows / t));

    if (subject.kind === 'tfjs') {
      if (level === 'engine') return notApplicable('tfjs is compared at the model.predict level');
      const { tf } = subject;
      const model = tfjsModel(
        tf,
        MLP_INPUTS,
        [
          { units: 128, activation: 'relu' },
          { units: MLP_CLASSES, activation: 'softmax' },
        ],
        init,
      );
      const run = (x: Float32Array, n: number): Float32Array => {
        const t = tf.tensor2d(x, [n, MLP_INPUTS]);
        const y = model.predict(t) as TF.Tensor;
        const out = y.dataSync() as Float32Array;
        tf.dispose([t, y]);
        return out;
      };
      const check = checkOutputs('model.predict', init, X, run(head, CHECK_ROWS));
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const { perCall } = measureSync(() => run(input, rows), ctx.budget);
      return {
        status: 'ok',
        values: toValue(perCall),
        check,
        info: { includes: 'tensor2d + predict + dataSync' },
      };
    }

    if (level === 'network') {
      const net = new Network(mlpOptions(subject.choice, subject.threads));
      net.setParameters(init);
      const check = checkOutputs('Network.predict', init, X, net.predict(head));
      if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
      const { perCall } = measureSync(() => net.predict(input), ctx.budget);
      return {
        status: 'ok',
        values: toValue(perCall),
        check,
        info: { includes: 'checks + output allocation' },
      };
    }

    const params = init.slice();
    const { layers, loss, threads } = mlpPlan(1, subject.threads);
    const model = subject.engine.createModel({ layers, loss, threads }, params);
    const out = new Float32Array(Math.max(rows, CHECK_ROWS) * MLP_CLASSES);
    model.predict(head, CHECK_ROWS, out);
    const check = checkOutputs('model.predict', init, X, out);
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    const { perCall } = measureSync(() => model.predict(input, rows, out), ctx.budget);
    model.dispose();
    return { status: 'ok', values: toValue(perCall), check, info: { includes: 'preallocated output' } };
  },
};
