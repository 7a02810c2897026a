// What an optimizer costs in training: fit of 784-128-10 (ReLU, softmax cross-entropy) at batch
// 64 on the native engine. The adam row is throughput (samples/s); every other row is the time
// of one epoch with that optimizer over the time of one epoch with adam, measured side by side
// (alternating adam, other, other, adam, ... in one process, so a busy machine slows both alike)
// and reported per pair: adamw (its decoupled decay is one more multiply per weight, in the same
// pass), adamw with clipNorm (one more pass over the gradients for the norm, and a scaling pass
// when it clips) and rmsprop. Before timing, two steps are compared with the TS engine's, which
// test/24 checks against float64 replays of PyTorch's formulas.

import { Network, type NetworkOptions } from '../../lib/index.js';
import { maxAbsDiff, mlpOptions, syntheticMnist } from '../fixtures.js';
import { measureSync } from '../measure.js';
import type { CaseSpec, Check, Outcome, Subject, TrialContext, Workload } from '../types.js';

const BATCH = 64;
/**
 * Parameters after the check steps may differ from the TS engine's by this much (as the train
 * workload's; rmsprop's first steps are about lr * sign(g), so a gradient element near 0 whose
 * float32 sum differs between the engines moves its weight by up to ~lr differently).
 */
const TOLERANCE = 1e-4;
/** Side-by-side pairs of epochs timed per ratio case (each pair: adam, then the other, in ABBA order). */
const PAIRS = { quick: 4, full: 12 };

const OPTIMIZERS: Record<string, NetworkOptions['optimizer']> = {
  adam: { name: 'adam', learningRate: 0.001 },
  adamw: { name: 'adamw', learningRate: 0.001, weightDecay: 0.01 },
  'adamw-clip': { name: 'adamw', learningRate: 0.001, weightDecay: 0.01, clipNorm: 1 },
  rmsprop: { name: 'rmsprop', learningRate: 0.001 },
};

const LABELS: Record<string, string> = {
  adam: 'fit, batch 64, adam',
  adamw: 'fit, batch 64, adamw (decay 0.01)',
  'adamw-clip': 'fit, batch 64, adamw + clipNorm 1',
  rmsprop: 'fit, batch 64, rmsprop',
};

const optimizerCase = (name: string): CaseSpec =>
  name === 'adam'
    ? {
        id: `fit-b${BATCH}-adam`,
        label: LABELS.adam,
        unit: 'samples/s',
        higherIsBetter: true,
        params: { optimizer: name },
      }
    : {
        id: `fit-b${BATCH}-${name}-vs-adam`,
        label: `${LABELS[name]}: epoch time / adam's`,
        unit: 'x adam',
        higherIsBetter: false,
        params: { optimizer: name },
      };

function network(choice: 'native' | 'ts', threads: number, optimizer: string): Network {
  return new Network({ ...mlpOptions(choice, threads), optimizer: OPTIMIZERS[optimizer] });
}

export const optimizers: Workload = {
  name: 'optimizers',
  title: 'optimizer cost: fit of 784-128-10 (ReLU, softmax CE) at batch 64, synthetic MNIST-shaped data',
  engines: ['native-1t', 'native-2t'],
  cases(quick) {
    return (quick ? ['adam', 'adamw'] : Object.keys(OPTIMIZERS)).map(optimizerCase);
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp') return { status: 'skipped', reason: 'fastmlp engines only' };
    const name = String(c.params.optimizer);
    const checkRows = 2 * BATCH; // two steps: the second on updated weights and moments
    const checkData = syntheticMnist(checkRows, 3);
    const twoSteps = (net: Network, X: Float32Array, y: Float32Array) =>
      net.fitSync(X, y, { epochs: 1, batchSize: BATCH, shuffle: false });
    const probe = network(subject.choice, subject.threads, name);
    const twin = network('ts', 1, name);
    twoSteps(probe, checkData.X, checkData.labels);
    twoSteps(twin, checkData.X, checkData.labels);
    const diff = maxAbsDiff(probe.getParameters(), twin.getParameters());
    const check: Check = {
      passed: diff <= TOLERANCE,
      detail: `params after 2 steps of ${name} vs the TS engine, max abs diff ${diff.toExponential(1)}`,
    };
    if (!check.passed) return { status: 'failed', reason: `wrong result: ${check.detail}` };
    const rows = ctx.quick ? 256 : 2048;
    const data = syntheticMnist(rows);
    const net = network(subject.choice, subject.threads, name);
    const epoch = (n: Network) => {
      const start = performance.now();
      n.fitSync(data.X, data.labels, { epochs: 1, batchSize: BATCH });
      return (performance.now() - start) / 1000;
    };
    if (name === 'adam') {
      const budget = { ...ctx.budget, minSamples: Math.min(ctx.budget.minSamples, 5) };
      const { perCall } = measureSync(() => epoch(net), budget);
      return {
        status: 'ok',
        values: perCall.map((t) => rows / t),
        check,
        info: { rows, includes: 'fitSync, 1 shuffled epoch per call' },
      };
    }
    const adam = network(subject.choice, subject.threads, 'adam');
    epoch(adam); // warm-up: workspaces, first-touch of the state
    epoch(net);
    const ratios: number[] = [];
    for (let k = 0; k < (ctx.quick ? PAIRS.quick : PAIRS.full); k++) {
      // ABBA: adam first in even pairs, last in odd ones, so a drifting load cancels out
      const adamFirst = k % 2 === 0;
      const before = epoch(adamFirst ? adam : net);
      const after = epoch(adamFirst ? net : adam);
      ratios.push(adamFirst ? after / before : before / after);
    }
    return {
      status: 'ok',
      values: ratios,
      check,
      info: {
        rows,
        pairs: ratios.length,
        includes: 'fitSync, 1 shuffled epoch per call, adam and this alternating',
      },
    };
  },
};
