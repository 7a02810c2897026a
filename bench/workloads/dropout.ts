// What dropout costs: training 784-128-10 (ReLU, softmax CE, SGD lr 0.01) at batch 64 with the
// hidden layer's dropout 0 and 0.2, side by side, through the engine's trainer (trainEpochs, one
// epoch a call). Before timing, two batches with dropout 0.2 are compared with the TS engine,
// which test/26 checks against a float64 reference with the same masks.

import type { Engine, TrainerPlan } from '../../lib/engine/engine.js';
import { tsEngine } from '../../lib/engine/ts/index.js';
import { maxAbsDiff, mlpInitialParams, mlpPlan, syntheticMnist } from '../fixtures.js';
import { measureSync } from '../measure.js';
import type { CaseSpec, Check, Outcome, Subject, TrialContext, Workload } from '../types.js';

const BATCH = 64;
/** Parameters after the check epoch may differ from the TS engine's by this much. */
const TOLERANCE = 1e-4;
/** The dropout generator every run starts from. */
const WORDS = [0x9e3779b9, 0x243f6a88, 0x85a308d3, 0x13198a2e];

const dropoutCase = (rate: number): CaseSpec => ({
  id: `dropout-${rate}`,
  label: `trainEpochs, batch ${BATCH}, dropout ${rate}`,
  unit: 'samples/s',
  higherIsBetter: true,
  params: { rate },
});

function planWith(rate: number, threads: number): TrainerPlan {
  const plan = mlpPlan(BATCH, threads);
  return { ...plan, layers: plan.layers.map((layer, l) => (l === 0 ? { ...layer, dropout: rate } : layer)) };
}

/** One epoch of `rows` rows from the initial weights; the params after it. */
function oneEpoch(
  engine: Engine,
  plan: TrainerPlan,
  X: Float32Array,
  Y: Float32Array,
  rows: number,
): Float32Array {
  const params = mlpInitialParams().slice();
  const trainer = engine.createTrainer(plan, params, new Float32Array(0));
  const rng = Uint32Array.from(WORDS);
  trainer.trainEpochs({
    X,
    Y,
    rows,
    order: null,
    epochs: 1,
    batchSize: BATCH,
    step: 0,
    losses: new Float64Array(1),
    rng,
  });
  trainer.dispose();
  return params;
}

export const dropout: Workload = {
  name: 'dropout',
  title: `dropout's cost: training 784-128-10 at batch ${BATCH}, hidden dropout 0 vs 0.2 (native engine)`,
  engines: ['native-1t', 'native-2t'],
  cases: () => [dropoutCase(0), dropoutCase(0.2)],
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp') return { status: 'failed', reason: 'dropout is a fastmlp workload' };
    const rate = Number(c.params.rate);
    const plan = planWith(rate, subject.threads);
    const checkRows = 2 * BATCH;
    const checkData = syntheticMnist(checkRows, 3);
    const got = oneEpoch(subject.engine, plan, checkData.X, checkData.Y, checkRows);
    const want = Float64Array.from(
      oneEpoch(tsEngine, planWith(rate, 1), checkData.X, checkData.Y, checkRows),
    );
    const diff = maxAbsDiff(got, want);
    const check: Check = {
      passed: diff <= TOLERANCE,
      detail: `params after 1 epoch of ${checkRows} rows with dropout ${rate} vs the TS engine, max abs diff ${diff.toExponential(1)}`,
    };
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    const rows = ctx.quick ? 128 : 2048;
    const data = syntheticMnist(rows);
    const params = mlpInitialParams().slice();
    const trainer = subject.engine.createTrainer(plan, params, new Float32Array(0));
    const losses = new Float64Array(1);
    const rng = Uint32Array.from(WORDS);
    let step = 0;
    const budget = { ...ctx.budget, minSamples: Math.min(ctx.budget.minSamples, 5) };
    const { perCall } = measureSync(() => {
      step = trainer.trainEpochs({
        X: data.X,
        Y: data.Y,
        rows,
        order: null,
        epochs: 1,
        batchSize: BATCH,
        step,
        losses,
        rng,
      });
    }, budget);
    trainer.dispose();
    if (!Number.isFinite(losses[0]))
      return { status: 'failed', reason: `loss became ${losses[0]} while timing` };
    return {
      status: 'ok',
      values: perCall.map((t) => rows / t),
      check,
      info: { rows, dropout: rate, includes: 'trainEpochs, 1 epoch per call, masks drawn inside the engine' },
    };
  },
};
