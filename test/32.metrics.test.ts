// Tasks and metrics: net.task from the output layer and loss, the engines' per-epoch training metric
// (TrainChunk.metric: accuracy, labels right, or mae) on both engines, history and progress lines,
// and evaluate's metrics by task: hand-computed cases always, and scikit-learn's on the same
// predictions when a python3 with sklearn is installed (skipped, visibly, otherwise).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ActivationName, LossName } from '../lib/engine/contract.js';
import type { TrainerPlan } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import { type Evaluation, type LayerSpec, Network } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { engineNames } from './helpers/engine-names.js';
import { optimizer } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';

// --- bad input first --------------------------------------------------------------------------

describe('bad input', () => {
  const regression = () =>
    new Network({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'mse',
      seed: 1,
      engine: 'ts',
    });
  const binary = () =>
    new Network({ inputs: 1, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1, engine: 'ts' });

  it('early stopping on a metric the task does not report is refused before training', () => {
    const net = regression();
    const before = net.getParameters();
    expect(() => net.fitSync([[1], [2]], [1, 2], { earlyStopping: { monitor: 'accuracy' } })).toThrow(
      new TypeError(
        "Expected 'loss', 'val_loss', 'mae' or 'val_mae' for earlyStopping.monitor of a regression network but received 'accuracy'",
      ),
    );
    expect(() => binary().fitSync([[1], [2]], [0, 1], { earlyStopping: { monitor: 'mae' } })).toThrow(
      "Expected 'loss', 'val_loss', 'accuracy' or 'val_accuracy' for earlyStopping.monitor of a binary network but received 'mae'",
    );
    expect(net.getParameters()).toEqual(before);
    expect(net.steps).toBe(0);
  });
});

// --- the task rule ----------------------------------------------------------------------------

describe('net.task follows the output layer and the loss', () => {
  // written out by hand from the rule in the issue, not from contract.ts
  const cases: [ActivationName, number, LossName, string][] = [
    ['softmax', 3, 'cross-entropy', 'multiclass'],
    ['softmax', 3, 'mse', 'multiclass'],
    ['softmax', 1, 'sse', 'multiclass'],
    ['sigmoid', 1, 'bce', 'binary'],
    ['sigmoid', 1, 'sse', 'binary'],
    ['sigmoid', 1, 'mse', 'binary'],
    ['sigmoid', 3, 'bce', 'multilabel'],
    ['sigmoid', 3, 'mse', 'multiclass'],
    ['sigmoid', 3, 'half-sse', 'multiclass'],
    ['linear', 1, 'mse', 'regression'],
    ['linear', 4, 'sse', 'regression'],
    ['tanh', 1, 'mse', 'regression'],
    ['relu', 2, 'half-sse', 'regression'],
    ['leakyRelu', 1, 'mse', 'regression'],
  ];
  it.each(cases)('%s x %i with %s: %s', (activation, units, loss, task) => {
    const net = new Network({ inputs: 2, layers: [{ units: 4 }, { units, activation }], loss, seed: 0 });
    expect(net.task).toBe(task);
  });
});

// --- the engines' training metric ---------------------------------------------------------------

/** A one-layer plan whose forward pass is known: W and b given, activation at the output. */
function onePlan(inputs: number, units: number, activation: ActivationName, loss: LossName): TrainerPlan {
  return {
    layers: [{ inputs, units, activation, useBias: true }],
    loss,
    optimizer: optimizer('sgd', { learningRate: 1e-30, momentum: 0 }),
    batchSize: 64,
    threads: 1,
  };
}

const identity = (k: number) => Float32Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0));

/** The metric of one full-batch epoch from params = [identity W, zero b]: the forward pass before any update. */
function firstEpochMetric(
  engineIndex: number,
  plan: TrainerPlan,
  X: number[][],
  Y: number[][],
  batchSize = X.length,
): number {
  const engine = engines[engineIndex];
  const { inputs, units } = plan.layers[0];
  const params = new Float32Array(paramLayout(plan.layers).size);
  params.set(identity(inputs).subarray(0, inputs * units));
  const trainer = engine.createTrainer(plan, params, new Float32Array(stateSize('sgd', params.length)));
  const metric = new Float64Array(1);
  trainer.trainEpochs({
    X: Float32Array.from(X.flat()),
    Y: Float32Array.from(Y.flat()),
    rows: X.length,
    order: null,
    epochs: 1,
    batchSize,
    step: 0,
    losses: new Float64Array(1),
    metric,
  });
  trainer.dispose();
  return metric[0];
}

describe.each(engines.map((e, i) => [e.name, i] as const))(
  'TrainChunk.metric on the %s engine',
  (_name, index) => {
    it('binary: rows whose p >= 0.5 matches y >= 0.5', () => {
      // p = sigmoid(x): classes 1, 0, 0, 1, 1 (sigmoid(0) = 0.5 counts as 1); y 1, 1, 0, 0, 1: 3 right
      const X = [[2], [-1], [-3], [1], [0]];
      expect(firstEpochMetric(index, onePlan(1, 1, 'sigmoid', 'bce'), X, [[1], [1], [0], [0], [1]])).toBe(3);
    });

    it('multiclass: rows whose first argmax matches (softmax, and sigmoid without bce)', () => {
      const X = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 1],
      ];
      const Y = [
        [1, 0, 0],
        [0, 0, 1],
        [0, 0, 1],
        [1, 0, 0],
      ];
      expect(firstEpochMetric(index, onePlan(3, 3, 'softmax', 'cross-entropy'), X, Y)).toBe(2);
      expect(firstEpochMetric(index, onePlan(3, 3, 'sigmoid', 'mse'), X, Y)).toBe(2);
    });

    it('multilabel: the sum over rows of the fraction of labels thresholded right', () => {
      // predicted labels are x >= 0 (sigmoid(x) >= 0.5): rows get 2/3, 3/3, 1/3 and 3/3 right
      const X = [
        [1, -1, -1],
        [-1, 1, -1],
        [1, -1, 1],
        [-1, -1, -1],
      ];
      const Y = [
        [1, 0, 1],
        [0, 1, 0],
        [1, 1, 0],
        [0, 0, 0],
      ];
      const metric = firstEpochMetric(index, onePlan(3, 3, 'sigmoid', 'bce'), X, Y, 3); // batches of 3 and 1
      expect(metric).toBeCloseTo(2 / 3 + 1 + 1 / 3 + 1, 12);
    });

    it('regression: the sum over rows of mean |p - y| (so metric / rows is the mae)', () => {
      // P = X exactly (identity W, zero b, linear): row errors |1-2|+|0-0.5| = 1.5, |2-2|+|-1-1| = 2, |4-1|+|3-3| = 3
      const X = [
        [1, 0],
        [2, -1],
        [4, 3],
      ];
      const Y = [
        [2, 0.5],
        [2, 1],
        [1, 3],
      ];
      expect(firstEpochMetric(index, onePlan(2, 2, 'linear', 'mse'), X, Y, 2)).toBe(1.5 / 2 + 2 / 2 + 3 / 2);
    });
  },
);

describe('the training metric: both engines agree, and the history reports it', () => {
  const random = new Random(32);
  const rows = 37;
  const X = Array.from({ length: rows }, () => [random.normal(), random.normal(), random.normal()]);
  const tasks: [string, LayerSpec, LossName, number[][]][] = [
    ['binary', { units: 1, activation: 'sigmoid' }, 'bce', X.map((x) => [x[0] + x[1] > 0 ? 1 : 0])],
    [
      'multiclass',
      { units: 3, activation: 'softmax' },
      'cross-entropy',
      X.map((x) => [0, 1, 2].map((c) => (c === (x[0] > 0 ? 0 : x[1] > 0 ? 1 : 2) ? 1 : 0))),
    ],
    ['multilabel', { units: 3, activation: 'sigmoid' }, 'bce', X.map((x) => x.map((v) => (v > 0 ? 1 : 0)))],
    ['regression', { units: 2, activation: 'linear' }, 'mse', X.map((x) => [x[0] - x[1], 2 * x[2]])],
  ];
  const net = (layer: LayerSpec, loss: LossName, engine: 'ts' | 'native') =>
    new Network({ inputs: 3, layers: [{ units: 8, activation: 'tanh' }, layer], loss, seed: 5, engine });

  it.each(tasks)(
    '%s: history and val_ history hold the headline metric per epoch',
    (task, layer, loss, Y) => {
      for (const engine of engineNames) {
        const n = net(layer, loss, engine);
        expect(n.task).toBe(task);
        const history = n.fitSync(X, Y, { epochs: 6, batchSize: 'full', validationSplit: 0.25 });
        if (task === 'regression') {
          expect(history.accuracy).toEqual([]);
          expect(history.val_accuracy).toEqual([]);
          expect(history.mae).toHaveLength(6);
          expect(history.val_mae).toHaveLength(6);
          expect(history.mae.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
        } else {
          expect(history.mae).toEqual([]);
          expect(history.val_mae).toEqual([]);
          expect(history.accuracy).toHaveLength(6);
          expect(history.val_accuracy).toHaveLength(6);
          expect(history.accuracy.every((v) => v >= 0 && v <= 1)).toBe(true);
        }
      }
    },
  );

  it.each(tasks)(
    '%s: epoch 0 of full-batch training is the metric evaluate reports before it',
    (_task, layer, loss, Y) => {
      for (const engine of engineNames) {
        const n = net(layer, loss, engine);
        const before = n.evaluate(X, Y);
        const history = n.fitSync(X, Y, { epochs: 1, batchSize: 'full' });
        if (before.task === 'regression') expect(history.mae[0]).toBeCloseTo(before.mae, 5);
        else expect(history.accuracy[0]).toBeCloseTo(before.accuracy, 12); // summed in another order
      }
    },
  );

  it.each(tasks)(
    '%s: native and TS report the same metrics over 20 shuffled mini-batch epochs',
    (_task, layer, loss, Y) => {
      if (engineNames.length < 2) return; // the native engine is not built (engines.ts fails in CI)
      const [a, b] = engineNames.map((engine) =>
        net(layer, loss, engine).fitSync(X, Y, { epochs: 20, batchSize: 8, validationSplit: 0.2 }),
      );
      const close = (x: number[], y: number[]) => x.forEach((v, i) => expect(v).toBeCloseTo(y[i], 4));
      close(a.accuracy, b.accuracy);
      close(a.val_accuracy, b.val_accuracy);
      close(a.mae, b.mae);
      close(a.val_mae, b.val_mae);
    },
  );

  it('early stopping monitors mae / val_mae for regression (lower is better)', () => {
    const [, layer, loss, Y] = tasks[3];
    const n = new Network({
      inputs: 3,
      layers: [{ units: 8, activation: 'tanh' }, layer],
      loss,
      seed: 5,
      engine: 'ts',
      optimizer: { name: 'adam', learningRate: 0.05 },
    });
    const history = n.fitSync(X, Y, {
      epochs: 40,
      batchSize: 'full',
      validationSplit: 0.25,
      earlyStopping: { monitor: 'val_mae', patience: 40 },
    });
    expect(history.epochs).toBe(40);
    const best = history.val_mae.indexOf(Math.min(...history.val_mae));
    expect(history.bestEpoch).toBe(best);
    expect(history.val_mae[best]).toBeLessThan(history.val_mae[0]);
  });

  it('progress lines print the headline metric: mae for regression', () => {
    const lines: string[] = [];
    const [, layer, loss, Y] = tasks[3];
    net(layer, loss, 'ts').fitSync(X, Y, {
      epochs: 2,
      batchSize: 'full',
      validationSplit: 0.25,
      logEvery: 1,
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toMatch(/^Epoch 0 loss: \S+ mae: \S+ val_loss: \S+ val_mae: \S+$/);
    const classify: string[] = [];
    net(tasks[2][1], 'bce', 'ts').fitSync(X, tasks[2][3], {
      epochs: 1,
      logEvery: 1,
      log: (l) => classify.push(l),
    });
    expect(classify[0]).toMatch(/^Epoch 0 loss: \S+ accuracy: \d\.\d{4}$/);
  });
});

// --- evaluate: hand-computed cases on networks whose outputs are set by hand ---------------------

/** A one-layer network with identity weights and zero biases: its outputs are activation(X). */
function fixedNet(k: number, activation: ActivationName, loss: LossName, engine: 'ts' | 'native'): Network {
  const net = new Network({ inputs: k, layers: [{ units: k, activation }], loss, seed: 0, engine });
  net.setWeights(0, { W: identity(k), b: new Float32Array(k) });
  return net;
}

const oneHot = (classes: number[], k: number) =>
  classes.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0)));

describe.each(engineNames)('evaluate by task on the %s engine (hand-computed)', (engine) => {
  it('binary: accuracy, macro precision/recall/f1, confusion matrix', () => {
    // predicted 1, 0, 0, 1, 1 against y 1, 1, 0, 0, 1
    const e = fixedNet(1, 'sigmoid', 'bce', engine).evaluate([[2], [-1], [-3], [1], [0]], [1, 1, 0, 0, 1]);
    if (e.task !== 'binary') throw new Error(`expected binary, got ${e.task}`);
    expect(e.accuracy).toBe(3 / 5);
    expect(e.confusionMatrix).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(e.perClass.precision).toEqual([1 / 2, 2 / 3]);
    expect(e.perClass.recall).toEqual([1 / 2, 2 / 3]);
    expect(e.perClass.support).toEqual([2, 3]);
    expect(e.precision).toBeCloseTo(7 / 12, 14);
    expect(e.recall).toBeCloseTo(7 / 12, 14);
    expect(e.f1).toBeCloseTo(7 / 12, 14);
    expect(Object.keys(e).sort()).toEqual(
      ['accuracy', 'confusionMatrix', 'f1', 'loss', 'perClass', 'precision', 'recall', 'task'].sort(),
    );
  });

  it('multiclass: macro averages over the classes present or predicted', () => {
    const yTrue = [0, 0, 1, 1, 2, 2, 0, 1];
    const yPred = [0, 1, 1, 1, 0, 2, 0, 2];
    const e = fixedNet(3, 'softmax', 'cross-entropy', engine).evaluate(oneHot(yPred, 3), yTrue);
    if (e.task !== 'multiclass') throw new Error(`expected multiclass, got ${e.task}`);
    expect(e.accuracy).toBe(5 / 8);
    expect(e.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 1],
    ]);
    expect(e.perClass.f1.map((v) => Number(v.toFixed(12)))).toEqual(
      [2 / 3, 2 / 3, 1 / 2].map((v) => Number(v.toFixed(12))),
    );
    expect(e.precision).toBeCloseTo(11 / 18, 14);
    expect(e.recall).toBeCloseTo(11 / 18, 14);
    expect(e.f1).toBeCloseTo(11 / 18, 14);
  });

  it('multiclass: a class predicted but absent scores 0; a class neither present nor predicted is left out', () => {
    // 4 classes; class 2 predicted once but never in y (precision 0, recall 0); class 3 nowhere
    const e = fixedNet(4, 'softmax', 'cross-entropy', engine).evaluate(oneHot([0, 2, 1, 1], 4), [0, 0, 1, 1]);
    if (e.task !== 'multiclass') throw new Error(`expected multiclass, got ${e.task}`);
    expect(e.perClass.precision).toEqual([1, 1, 0, 0]);
    expect(e.perClass.recall).toEqual([1 / 2, 1, 0, 0]);
    expect(e.precision).toBeCloseTo(2 / 3, 14); // (1 + 1 + 0) / 3: class 3 not averaged
    expect(e.recall).toBeCloseTo(1 / 2, 14);
    expect(e.f1).toBeCloseTo(5 / 9, 14); // (2/3 + 1 + 0) / 3
    expect(e.confusionMatrix[3]).toEqual([0, 0, 0, 0]);
  });

  it('multilabel: labels right, exact match, macro f1 over all labels', () => {
    const X = [
      [1, -1, -1],
      [-1, 1, -1],
      [1, -1, 1],
      [-1, -1, -1],
    ];
    const Y = [
      [1, 0, 1],
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
    ];
    const e = fixedNet(3, 'sigmoid', 'bce', engine).evaluate(X, Y);
    if (e.task !== 'multilabel') throw new Error(`expected multilabel, got ${e.task}`);
    expect(e.accuracy).toBe(9 / 12);
    expect(e.exactMatch).toBe(2 / 4);
    expect(e.perLabel.f1).toEqual([1, 2 / 3, 0]);
    expect(e.perLabel.support).toEqual([2, 2, 1]);
    expect(e.f1).toBeCloseTo(5 / 9, 14);
    expect(e.precision).toBeCloseTo(2 / 3, 14);
    expect(e.recall).toBeCloseTo(1 / 2, 14);
  });

  it('regression: mae, rmse, r2 and the loss; no accuracy', () => {
    // P = X: errors -1, 0, 1, -2
    const e = fixedNet(1, 'linear', 'mse', engine).evaluate([[1], [2], [3], [4]], [2, 2, 2, 6]);
    if (e.task !== 'regression') throw new Error(`expected regression, got ${e.task}`);
    expect(e.loss).toBeCloseTo(1.5, 6);
    expect(e.mae).toBe(1);
    expect(e.rmse).toBe(Math.sqrt(1.5));
    expect(e.r2).toBe(0.5); // 1 - 6 / 12
    expect('accuracy' in e).toBe(false);
    expect(Object.keys(e).sort()).toEqual(['loss', 'mae', 'r2', 'rmse', 'task']);
  });

  it('regression r2: averaged over outputs; a constant target scores 1 when exact, else 0; NaN below 2 rows', () => {
    const net = fixedNet(2, 'linear', 'mse', engine);
    const exact = net.evaluate(
      [
        [1, 5],
        [3, 5],
      ],
      [
        [1, 5],
        [3, 5],
      ],
    );
    const off = net.evaluate(
      [
        [1, 4],
        [3, 5],
      ],
      [
        [2, 5],
        [3, 5],
      ],
    );
    if (exact.task !== 'regression' || off.task !== 'regression') throw new Error('expected regression');
    expect(exact.r2).toBe(1);
    // output 0: y 2, 3 (mean 2.5, SS_tot 0.5), residual 1: r2 -1; output 1: constant y, off: 0
    expect(off.r2).toBe((-1 + 0) / 2);
    const single = net.evaluate([[1, 2]], [[1, 2]]);
    expect(single.task === 'regression' && Number.isNaN(single.r2)).toBe(true);
  });
});

// --- scikit-learn on the same predictions ----------------------------------------------------------

/** A python3 that imports sklearn, or null: the cross-check is skipped then. */
function sklearnPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import sklearn'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}
const python = sklearnPython();

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, mean_absolute_error,
    mean_squared_error, precision_recall_fscore_support, r2_score)
out = []
for case in json.load(sys.stdin):
    t, p = np.array(case["true"]), np.array(case["pred"])
    if case["task"] in ("binary", "multiclass"):
        precision, recall, f1, _ = precision_recall_fscore_support(t, p, average="macro", zero_division=0)
        out.append({"accuracy": accuracy_score(t, p), "precision": precision, "recall": recall, "f1": f1,
            "f1_score": f1_score(t, p, average="macro", zero_division=0),
            "confusionMatrix": confusion_matrix(t, p, labels=list(range(case["classes"]))).tolist()})
    elif case["task"] == "multilabel":
        precision, recall, f1, _ = precision_recall_fscore_support(t, p, average="macro", zero_division=0)
        out.append({"exactMatch": accuracy_score(t, p), "accuracy": float(np.mean(t == p)),
            "precision": precision, "recall": recall, "f1": f1})
    else:
        out.append({"mae": mean_absolute_error(t, p), "rmse": float(np.sqrt(mean_squared_error(t, p))),
            "r2": r2_score(t, p)})
print(json.dumps(out))
`;

describe.skipIf(python === null)(
  `scikit-learn's metrics on the same predictions (${python ?? 'no python3 with sklearn'})`,
  () => {
    it('binary, multiclass, multilabel and regression agree with sklearn.metrics', () => {
      const random = new Random(2024);
      const cases: { task: string; classes?: number; true: unknown; pred: unknown }[] = [];
      const ours: Evaluation[] = [];
      const specs: [LayerSpec, LossName][] = [
        [{ units: 1, activation: 'sigmoid' }, 'bce'],
        [{ units: 4, activation: 'softmax' }, 'cross-entropy'],
        [{ units: 5, activation: 'softmax' }, 'cross-entropy'], // class 4 never in y: sklearn's labels leave it out too
        [{ units: 3, activation: 'sigmoid' }, 'bce'],
        [{ units: 1, activation: 'linear' }, 'mse'],
        [{ units: 3, activation: 'linear' }, 'mse'],
      ];
      specs.forEach(([layer, loss], s) => {
        const rows = 50 + 17 * s;
        const X = Array.from({ length: rows }, () => [random.normal(), random.normal()]);
        const net = new Network({
          inputs: 2,
          layers: [{ units: 6, activation: 'tanh' }, layer],
          loss,
          seed: 10 + s,
          engine: 'ts',
        });
        const k = layer.units;
        const P = net.predict(X);
        let Y: number[][];
        if (net.task === 'regression')
          Y = X.map((x) => Array.from({ length: k }, (_, j) => x[0] * (j + 1) - x[1]));
        else if (net.task === 'multilabel')
          Y = X.map(() => Array.from({ length: k }, () => (random.uniform() < 0.4 ? 1 : 0)));
        else if (net.task === 'binary') Y = X.map(() => [random.uniform() < 0.5 ? 1 : 0]);
        else
          Y = oneHot(
            X.map(() => Math.floor(random.uniform() * Math.min(k, 4))),
            k,
          );
        const e = net.evaluate(X, Y);
        ours.push(e);
        const argmax = (r: number[]) => r.indexOf(Math.max(...r));
        if (e.task === 'binary')
          cases.push({
            task: e.task,
            classes: 2,
            true: Y.map((r) => r[0]),
            pred: P.map((r) => (r[0] >= 0.5 ? 1 : 0)),
          });
        else if (e.task === 'multiclass')
          cases.push({ task: e.task, classes: k, true: Y.map(argmax), pred: P.map(argmax) });
        else if (e.task === 'multilabel')
          cases.push({ task: e.task, true: Y, pred: P.map((r) => r.map((p) => (p >= 0.5 ? 1 : 0))) });
        else cases.push({ task: e.task, true: Y, pred: P });
      });
      const run = spawnSync(python as string, ['-c', SKLEARN], {
        input: JSON.stringify(cases),
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      const theirs = JSON.parse(run.stdout) as Record<string, number | number[][]>[];
      expect(theirs).toHaveLength(cases.length);
      theirs.forEach((expected, i) => {
        const e = ours[i] as unknown as Record<string, number | number[][]>;
        for (const [key, value] of Object.entries(expected)) {
          if (key === 'f1_score') expect(e.f1).toBeCloseTo(value as number, 12);
          else if (key === 'confusionMatrix') expect(e.confusionMatrix).toEqual(value);
          else expect(e[key], `${cases[i].task} ${key}`).toBeCloseTo(value as number, 5);
        }
      });
    });
  },
);
