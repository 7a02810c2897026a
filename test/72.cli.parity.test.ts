// The CLI at parity with the API: every fit and network option as a flag, from one table
// (lib/cli/options.ts) that feeds the parser, --help and the README; each new flag reaches the
// saved model (read back with Network.load / toJSON) on both engines; bad values are one-line
// errors naming the flag and the range the contract expects.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationJSON, evaluationLines } from '../lib/cli/evaluation.js';
import { CLI_OPTIONS, helpText, markdownTable, optionsFor } from '../lib/cli/options.js';
import { DEFAULTS, RANGES } from '../lib/engine/contract.js';
import { Network } from '../lib/network.js';
import { cli } from './helpers/cli.js';
import { engines } from './helpers/engines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-cli72-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one table of options', () => {
  it('the README table is the table (regenerate with npm run gen:cli-options)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block = /<!-- cli-options:start -->\n([\s\S]*?)\n<!-- cli-options:end -->/.exec(readme);
    expect(block?.[1]).toBe(markdownTable(CLI_OPTIONS));
  });

  it('train --help lists every option of the table with its default', async () => {
    const r = await cli(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(helpText(optionsFor('train')));
    for (const o of optionsFor('train')) expect(r.stdout).toContain(`--${o.name}`);
  });

  it('every option the table names is accepted by the parser (an unknown one is refused)', async () => {
    const r = await cli(['train', '--data', 'moons', '--weight-decy', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--weight-decy'.*did you mean --weight-decay\?/);
  });
});

describe.each(engines.map((e) => e.name))('flags reach the network and fit (%s engine)', (engine) => {
  it('optimizer, dropout, loss and schedule flags are in the saved model', async () => {
    const out = join(dir, `reach-${engine}.safetensors`);
    const r = await cli([
      'train',
      ...['--data', 'moons', '--samples', '200', '--epochs', '4', '--engine', engine],
      ...['--optimizer', 'sgd', '--lr', '0.05', '--momentum', '0.5', '--nesterov', '--weight-decay', '0.001'],
      ...['--layers', '8,4', '--dropout', '0.1,0.2', '--loss', 'huber', '--huber-delta', '0.5'],
      ...['--clip-norm', '2', '--clip-value', '1', '--schedule', 'step', '--schedule-every', '2'],
      ...['--schedule-gamma', '0.5', '--class-weight', 'balanced', '--no-shuffle', '--out', out],
    ]);
    expect(r.stderr).not.toContain('fastmlp:');
    expect(r.code).toBe(0);
    const net = await Network.load(out, { engine: 'ts' });
    try {
      expect(net.optimizer).toMatchObject({
        kind: 'nesterov',
        learningRate: 0.05,
        momentum: 0.5,
        weightDecay: 0.001,
        clipNorm: 2,
        clipValue: 1,
      });
      expect(net.layers.map((l) => l.dropout)).toEqual([0.1, 0.2, 0]);
      expect(net.loss).toBe('huber');
      expect(net.huberDelta).toBe(0.5);
      const json = net.toJSON();
      expect(json.metadata.scheduleState?.schedule).toEqual({ name: 'step', every: 2, gamma: 0.5 });
      expect(json.metadata.scheduleState?.epochs).toBe(4);
    } finally {
      net.dispose();
    }
  });

  it('adam/adamw/rmsprop numbers and one dropout rate for all layers', async () => {
    const out = join(dir, `adamw-${engine}.safetensors`);
    const r = await cli([
      'train',
      ...['--data', 'moons', '--samples', '100', '--epochs', '2', '--engine', engine, '--layers', '4,4,4'],
      ...['--optimizer', 'adamw', '--beta1', '0.8', '--beta2', '0.99', '--epsilon', '1e-6'],
      ...['--dropout', '0.25', '--out', out],
    ]);
    expect(r.code).toBe(0);
    const net = await Network.load(out, { engine: 'ts' });
    expect(net.optimizer).toMatchObject({ kind: 'adamw', beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    expect(net.optimizer.weightDecay).toBe(DEFAULTS.weightDecay.adamw);
    expect(net.layers.map((l) => l.dropout)).toEqual([0.25, 0.25, 0.25, 0]);
    net.dispose();
    const out2 = join(dir, `rmsprop-${engine}.safetensors`);
    const r2 = await cli([
      'train',
      ...['--data', 'moons', '--samples', '100', '--epochs', '2', '--engine', engine],
      ...['--optimizer', 'rmsprop', '--rho', '0.9', '--loss', 'mae', '--out', out2],
    ]);
    expect(r2.code).toBe(0);
    const net2 = await Network.load(out2, { engine: 'ts' });
    expect(net2.optimizer).toMatchObject({ kind: 'rmsprop', rho: 0.9 });
    expect(net2.loss).toBe('mae');
    net2.dispose();
  });

  it('early stopping stops before --epochs (summary says why); --no-shuffle and --class-weight change training', async () => {
    const base = ['--data', 'moons', '--samples', '200', '--engine', engine, '--json'];
    const stop = await cli(['train', ...base, '--epochs', '500', '--patience', '1', '--min-delta', '10']);
    expect(stop.code).toBe(0);
    const summary = JSON.parse(stop.stdout.trim().split('\n').at(-1) as string);
    expect(summary.stopReason).toBe('early-stopping');
    expect(summary.epochs).toBe(2);
    const lossOf = async (extra: string[]) => {
      const r = await cli(['train', ...base, '--epochs', '2', ...extra]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1) as string).train.loss as number;
    };
    const plain = await lossOf([]);
    expect(await lossOf([])).toBe(plain); // seeded: the same run twice is the same
    expect(await lossOf(['--no-shuffle'])).not.toBe(plain);
    expect(await lossOf(['--class-weight', '1,3'])).not.toBe(plain);
  });
});

describe('the report states the options that are off unless given', () => {
  it('weight decay, dropout, schedule, early stopping and class weights appear in the settings', async () => {
    const report = join(dir, 'settings.html');
    const r = await cli([
      'train',
      ...['--data', 'moons', '--samples', '100', '--epochs', '2', '--engine', 'ts', '--report', report],
      ...['--weight-decay', '0.003', '--dropout', '0.15', '--schedule', 'cosine', '--warmup-steps', '2'],
      ...['--patience', '4', '--class-weight', '1,2'],
    ]);
    expect(r.code).toBe(0);
    const html = await readFile(report, 'utf8');
    for (const words of [
      'weight decay',
      '0.003',
      'dropout',
      '0.15',
      'cosine',
      'early stopping',
      'class weight',
    ])
      expect(html).toContain(words);
  });
});

describe.concurrent('bad values name the flag and what it expects', () => {
  const base = ['train', '--data', 'moons', '--samples', '50', '--epochs', '1', '--engine', 'ts'];
  it.each([
    [['--momentum', '2'], `--momentum expects ${RANGES.momentum.expected} but received '2'`],
    [['--weight-decay=-1'], `--weight-decay expects ${RANGES.weightDecay.expected}`],
    [['--rho', 'x'], `--rho expects ${RANGES.rho.expected} but received 'x'`],
    [['--dropout', '1'], `--dropout expects a comma-separated list of ${RANGES.dropout.expected}`],
    [['--layers', '4,4', '--dropout', '0.1,0.1,0.1'], '--dropout expects one rate or 2'],
    [['--huber-delta', '0'], `--huber-delta expects ${RANGES.huberDelta.expected}`],
    [['--huber-delta', '1'], '--huber-delta needs --loss huber'],
    [['--patience', '0'], `--patience expects ${RANGES.patience.expected}`],
    [['--monitor', 'val_los'], '--monitor expects one of loss, val_loss'],
    [
      ['--monitor', 'val_loss', '--validation', '0'],
      '--monitor val_loss needs validation data, but --validation is 0',
    ],
    [['--schedule', 'steps'], '--schedule expects one of step, exponential, cosine, reduceOnPlateau'],
    [['--schedule', 'step'], '--schedule step needs --schedule-every'],
    [['--schedule', 'exponential'], '--schedule exponential needs --schedule-gamma'],
    [
      ['--schedule', 'cosine', '--schedule-every', '2'],
      '--schedule-every does not apply to --schedule cosine',
    ],
    [['--warmup-steps', '3'], '--warmup-steps needs --schedule'],
    [
      ['--schedule-gamma', '0', '--schedule', 'exponential'],
      `--schedule-gamma expects ${RANGES.scheduleGamma.expected}`,
    ],
    [['--class-weight', 'balance'], '--class-weight expects a comma-separated list of'],
    [['--clip-norm', '0'], `--clip-norm expects ${RANGES.clipNorm.expected}`],
    [['--threads', '0'], '--threads expects an integer in 1..'],
  ])('%s', async (args, message) => {
    const r = await cli([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('--class-weight with a regression target is refused by fit, naming classWeight', async () => {
    const csv = join(dir, 'reg.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(csv, 'a,b,y\n1,2,0.5\n2,3,1.5\n3,4,2.5\n4,5,3.25\n5,6,4.75\n');
    const r = await cli([
      'train',
      '--data',
      csv,
      '--target',
      'y',
      '--epochs',
      '1',
      '--validation',
      '0',
      '--class-weight',
      'balanced',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/classWeight/);
  });
});

describe.each(engines.map((e) => e.name))('train --resume (%s engine)', (engine) => {
  const fixed = [
    '--data',
    'moons',
    '--samples',
    '200',
    '--batch-size',
    'full',
    '--no-shuffle',
    '--engine',
    engine,
  ];
  const load = async (path: string) => {
    const net = await Network.load(path, { engine: 'ts' });
    const json = net.toJSON();
    net.dispose();
    return json;
  };

  it.each([
    ['momentum', ['--optimizer', 'momentum', '--schedule', 'step', '--schedule-every', '2']],
    [
      'adam',
      ['--optimizer', 'adam', '--schedule', 'step', '--schedule-every', '2', '--schedule-gamma', '0.5'],
    ],
  ])(
    '%s: 3 epochs then 2 resumed are the 5-epoch run (optimizer state, steps and schedule kept)',
    async (_, opts) => {
      const a = join(dir, `r-${engine}-${_}-a.safetensors`);
      const b = join(dir, `r-${engine}-${_}-b.safetensors`);
      const c = join(dir, `r-${engine}-${_}-c.safetensors`);
      expect((await cli(['train', ...fixed, ...opts, '--epochs', '3', '--out', a])).code).toBe(0);
      // without the optimizer and schedule flags: the model's own are continued
      const resumed = await cli(['train', ...fixed, '--epochs', '2', '--resume', a, '--out', b]);
      expect(resumed.stderr).not.toContain('fastmlp:');
      expect(resumed.code).toBe(0);
      expect((await cli(['train', ...fixed, ...opts, '--epochs', '5', '--out', c])).code).toBe(0);
      const [ja, jb, jc] = [await load(a), await load(b), await load(c)];
      expect(jb.steps).toBe(5);
      expect(ja.steps).toBe(3);
      expect(jb.metadata.scheduleState?.epochs).toBe(5);
      expect(jb.params).toEqual(jc.params);
      expect(jb.optimizerState).toEqual(jc.optimizerState);
      expect(jb.optimizerState.some((v) => v !== 0)).toBe(true);
    },
  );

  it('--out may overwrite the --resume file; --lr changes the rate and keeps the state', async () => {
    const m = join(dir, `r-${engine}-inplace.safetensors`);
    expect((await cli(['train', ...fixed, '--epochs', '2', '--out', m])).code).toBe(0);
    const before = await load(m);
    const r = await cli(['train', ...fixed, '--epochs', '1', '--resume', m, '--lr', '0.003', '--out', m]);
    expect(r.code).toBe(0);
    const after = await load(m);
    expect(after.steps).toBe(before.steps + 1);
    const net = await Network.load(m, { engine: 'ts' });
    expect(net.optimizer.learningRate).toBe(0.003);
    expect(net.optimizer.kind).toBe('adam');
    net.dispose();
  });
});

describe.concurrent('train --resume refuses what disagrees with the model', () => {
  let model: string;
  beforeAll(async () => {
    model = join(dir, 'refuse.safetensors');
    const r = await cli([
      'train',
      '--data',
      'moons',
      '--samples',
      '100',
      '--epochs',
      '1',
      '--engine',
      'ts',
      '--layers',
      '8,4',
      '--out',
      model,
    ]);
    expect(r.code).toBe(0);
  });
  it.each([
    [['--layers', '8'], '--layers 8 (the model has 8,4)'],
    [['--activation', 'tanh'], '--activation tanh (the model has relu,relu)'],
    [['--dropout', '0.5'], '--dropout 0.5 (the model has 0,0)'],
    [['--loss', 'mse'], '--loss mse (the model has bce)'],
    [['--standardize'], '--standardize (the model has no input scaling'],
  ])('%s', async (args, message) => {
    const r = await cli([
      'train',
      '--data',
      'moons',
      '--samples',
      '100',
      '--epochs',
      '1',
      '--engine',
      'ts',
      '--resume',
      model,
      ...args,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('flags that disagree with the model');
    expect(r.stderr).toContain(message);
  });
  it('data of another width', async () => {
    const r = await cli(['train', '--data', 'iris', '--epochs', '1', '--engine', 'ts', '--resume', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(4 features; the model takes 2)');
  });
  it('a missing model file names --resume', async () => {
    const r = await cli([
      'train',
      '--data',
      'moons',
      '--epochs',
      '1',
      '--resume',
      join(dir, 'nope.safetensors'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.safetensors');
  });
  it('--report may not be the --resume file', async () => {
    const r = await cli(['train', '--data', 'moons', '--epochs', '1', '--resume', model, '--report', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--report');
    expect(r.stderr).toContain('an input');
  });
});

describe.each(engines)('evaluate output: metrics and confusion matrix ($name engine)', (engine) => {
  it('classification: the per-class table and a confusion matrix labelled with class names', async () => {
    const { datasets } = await import('../lib/data/index.js');
    const data = datasets.iris();
    const net = new Network({
      inputs: 4,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 3, activation: 'softmax' },
      ],
      optimizer: { name: 'adam', learningRate: 0.05 },
      engine: engine.name,
      seed: 1,
    });
    try {
      net.inputScaling = (await import('../lib/data/index.js')).standardize(data.X);
      await net.fit(data.X, data.y, { epochs: 20 });
      const result = net.evaluate(data.X, data.y);
      if (result.task !== 'multiclass') throw new Error(`task ${result.task}`);
      const names = ['setosa', 'versicolor', 'virginica'];
      const lines = evaluationLines(result, { rows: data.X.length, lossName: net.loss, classNames: names });
      expect(lines[0]).toBe('rows 150');
      expect(lines).toContain(`accuracy ${(100 * result.accuracy).toFixed(2)}%`);
      const at = lines.indexOf('confusion matrix (rows: true class, columns: predicted class)');
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1].trim().split(/\s+/)).toEqual(names);
      const matrix = lines.slice(at + 2, at + 5).map((l) => l.trim().split(/\s+/));
      expect(matrix.map((r) => r[0])).toEqual(names);
      const counts = matrix.map((r) => r.slice(1).map(Number));
      expect(counts).toEqual(result.confusionMatrix);
      expect(counts.map((r) => r.reduce((a, b) => a + b, 0))).toEqual([50, 50, 50]);
      const diagonal = counts.reduce((s, r, i) => s + r[i], 0);
      expect(diagonal / 150).toBeCloseTo(result.accuracy, 12);
      const json = evaluationJSON(result, { rows: 150, lossName: net.loss, classNames: names });
      expect(json).toMatchObject({ type: 'evaluation', task: 'multiclass', classes: names });
      expect(json.confusionMatrix).toEqual(result.confusionMatrix);
      // no class names in the model: classes are numbered
      const numbered = evaluationLines(result, { rows: 150, lossName: net.loss, classNames: null });
      const header = numbered.indexOf('confusion matrix (rows: true class, columns: predicted class)') + 1;
      expect(numbered[header].trim().split(/\s+/)).toEqual(['0', '1', '2']);
    } finally {
      net.dispose();
    }
  });

  it('regression: mae, rmse and r2, no confusion matrix', () => {
    const net = new Network({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], engine: engine.name });
    try {
      const X = [[0], [1], [2], [3]];
      const result = net.evaluate(X, [0, 1, 2, 3]);
      const lines = evaluationLines(result, { rows: 4, lossName: net.loss, classNames: null });
      expect(lines.some((l) => l.startsWith('mae '))).toBe(true);
      expect(lines.some((l) => l.startsWith('r2 '))).toBe(true);
      expect(lines.join('\n')).not.toContain('confusion');
      expect(evaluationJSON(result, { rows: 4, lossName: net.loss, classNames: null })).toMatchObject({
        task: 'regression',
        accuracy: null,
      });
    } finally {
      net.dispose();
    }
  });
});
