// reduceOnPlateau's cooldown: bad values are refused naming schedule.cooldown (and the network is
// untouched); on a crafted loss history the schedule's rates are PyTorch's ReduceLROnPlateau's
// (written out below from its step(): mode 'min', threshold_mode 'abs'), and a fit on each
// engine follows the same rule on the losses its history records; the CLI's --plateau-cooldown
// reaches the saved model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { RANGES } from '../lib/engine/contract.js';
import { datasets, Network } from '../lib/index.js';
import { FitSchedule, type ResolvedSchedule, resolveSchedule } from '../lib/schedule.js';
import { cli } from './helpers/cli.js';
import { engineNames } from './helpers/engine-names.js';

interface Plateau {
  learningRate: number;
  factor: number;
  /** Ours (Keras'): epochs in a row without improvement that reduce. */
  patience: number;
  minDelta: number;
  cooldown: number;
  minLearningRate: number;
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau(mode='min', threshold_mode='abs',
 * threshold=minDelta, patience=max(patience - 1, 0), cooldown, min_lr, eps=1e-8), stepped once per
 * epoch on `values`: the rate each epoch trains with (the one before its step). PyTorch reduces
 * when num_bad_epochs > patience, Keras (and we) when wait >= patience: PyTorch's patience p is
 * ours p + 1 (and ours 0 and 1 both reduce on the first bad epoch).
 */
function torchReduceLROnPlateau(values: number[], p: Plateau): number[] {
  const patience = Math.max(p.patience - 1, 0);
  let lr = p.learningRate;
  let best = Number.POSITIVE_INFINITY;
  let numBadEpochs = 0;
  let cooldownCounter = 0;
  const rates: number[] = [];
  for (const current of values) {
    rates.push(lr);
    if (current < best - p.minDelta) {
      best = current;
      numBadEpochs = 0;
    } else numBadEpochs++;
    if (cooldownCounter > 0) {
      cooldownCounter--;
      numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (numBadEpochs > patience) {
      const next = Math.max(lr * p.factor, p.minLearningRate);
      if (lr - next > 1e-8) lr = next;
      cooldownCounter = p.cooldown;
      numBadEpochs = 0;
    }
  }
  return rates;
}

/** FitSchedule's rate for each epoch of `values` (what the fit loop hands the engines). */
function scheduleRates(values: number[], p: Plateau): number[] {
  const schedule = resolveSchedule(
    {
      name: 'reduceOnPlateau',
      monitor: 'loss',
      factor: p.factor,
      patience: p.patience,
      minDelta: p.minDelta,
      cooldown: p.cooldown,
      minLearningRate: p.minLearningRate,
    },
    false,
  ) as ResolvedSchedule;
  const s = new FitSchedule(schedule, p.learningRate, 1, null);
  return values.map((loss) => {
    const rate = s.chunk().learningRate;
    s.afterEpoch({ loss });
    return rate;
  });
}

describe('schedule.cooldown is checked like the other options', () => {
  const X = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const y = [0, 1, 1, 0];
  test.each([
    [-1, RangeError, `Expected ${RANGES.plateauCooldown.expected} for schedule.cooldown but received -1`],
    [1.5, RangeError, /integer in 0\.\.1000000000 for schedule\.cooldown but received 1\.5/],
    [Number.NaN, RangeError, /for schedule\.cooldown but received NaN/],
    ['2', TypeError, /for schedule\.cooldown but received '2'/],
  ])('cooldown %j is refused (%s) and the network is untouched', (cooldown, Kind, message) => {
    const net = new Network({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], seed: 1, engine: 'ts' });
    const before = net.toJSON();
    const fit = () =>
      net.fitSync(X, y, { epochs: 1, schedule: { name: 'reduceOnPlateau', cooldown: cooldown as number } });
    expect(fit).toThrow(Kind);
    expect(fit).toThrow(message);
    expect(net.toJSON()).toEqual(before);
  });

  it('is an option of reduceOnPlateau only', () => {
    expect(() => resolveSchedule({ name: 'step', every: 2, cooldown: 1 }, false)).toThrow(
      /Unknown option 'cooldown' for schedule 'step'/,
    );
  });

  it('defaults to 0: the schedule as it was without cooldown', () => {
    expect(resolveSchedule({ name: 'reduceOnPlateau' }, false)).toMatchObject({ cooldown: 0 });
  });
});

describe('the rates on a crafted loss history are PyTorch ReduceLROnPlateau’s', () => {
  // flat stretches reduce; 3.5 arrives during a cooldown (it must still become the best, so the
  // 3.6s after it are bad epochs); then two improvements, and a plateau again
  const history = [5, 4, 4, 4, 3.5, 3.6, 3.6, 3.6, 3.6, 3.6, 3.6, 3.6, 3, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5];
  const base = { learningRate: 1, factor: 0.5, minDelta: 0, minLearningRate: 0 };
  test.each([
    [{ patience: 2, cooldown: 3 }],
    [{ patience: 1, cooldown: 2 }],
    [{ patience: 0, cooldown: 1 }],
    [{ patience: 2, cooldown: 0 }],
    [{ patience: 3, cooldown: 10 }],
  ])('%j', (settings) => {
    const p = { ...base, ...settings };
    expect(scheduleRates(history, p)).toEqual(torchReduceLROnPlateau(history, p));
  });

  it('the cooldown changes the rates, and the floor holds', () => {
    const p = { ...base, patience: 1, cooldown: 2 };
    const withCooldown = scheduleRates(history, p);
    expect(withCooldown).not.toEqual(scheduleRates(history, { ...p, cooldown: 0 }));
    // by hand: a reduction after epochs 2, 5, 8, 11, 14 and 17, each followed by two epochs of
    // rest (3.5 at epoch 4, inside the first rest, is the best, so 3.6 at epoch 5 is bad)
    const halvings = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6];
    expect(withCooldown).toEqual(halvings.map((k) => 0.5 ** k));
    const floored = { ...p, minLearningRate: 0.3 };
    expect(scheduleRates(history, floored)).toEqual(torchReduceLROnPlateau(history, floored));
  });
});

describe.each(engineNames)('a fit with cooldown, %s engine', (engine) => {
  it('follows PyTorch’s rule on the losses its history records', () => {
    const { X, y } = datasets.moons({ samples: 64, noise: 0.2, seed: 3 });
    const net = new Network({
      inputs: 2,
      layers: [{ units: 8, activation: 'tanh' }, { units: 1 }],
      optimizer: { name: 'sgd', learningRate: 0.5 },
      seed: 7,
      engine,
    });
    const p = {
      learningRate: 0.5,
      factor: 0.5,
      patience: 1,
      minDelta: 0.01,
      cooldown: 2,
      minLearningRate: 0,
    };
    const { learningRate: _, ...options } = p;
    const h = net.fitSync(X, y, {
      epochs: 30,
      batchSize: 16,
      schedule: { name: 'reduceOnPlateau', monitor: 'loss', ...options },
    });
    expect(h.learningRate).toEqual(torchReduceLROnPlateau(h.loss, p));
    // the cooldown decided something on these losses: without it the rates would differ
    expect(torchReduceLROnPlateau(h.loss, { ...p, cooldown: 0 })).not.toEqual(h.learningRate);
    expect(net.toJSON().metadata.scheduleState?.schedule).toMatchObject({ cooldown: 2 });
    net.dispose();
  });
});

describe('--plateau-cooldown', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-37-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const base = ['train', '--data', 'xor', '--samples', '40', '--epochs', '2', '--engine', 'ts'];

  it('reaches the saved schedule', async () => {
    const out = join(dir, 'cooldown.safetensors');
    const r = await cli([...base, '--schedule', 'reduceOnPlateau', '--plateau-cooldown', '3', '--out', out]);
    expect(r.stderr).not.toContain('fastmlp:');
    expect(r.code).toBe(0);
    const net = await Network.load(out, { engine: 'ts' });
    expect(net.toJSON().metadata.scheduleState?.schedule).toMatchObject({
      name: 'reduceOnPlateau',
      cooldown: 3,
    });
    net.dispose();
  });

  it.each([
    [
      ['--schedule', 'reduceOnPlateau', '--plateau-cooldown=-1'],
      `--plateau-cooldown expects ${RANGES.plateauCooldown.expected}`,
    ],
    [
      ['--schedule', 'step', '--schedule-every', '2', '--plateau-cooldown', '1'],
      '--plateau-cooldown does not apply to --schedule step',
    ],
  ])('%s is one line naming the flag', async (args, message) => {
    const r = await cli([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});
