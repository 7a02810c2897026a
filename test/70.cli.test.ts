// The `fastmlp` command, run as a child process (node --import tsx lib/cli/main.ts) on the TS
// engine: bad options and values first (exit 2, one line), then train / predict / evaluate /
// info / sweep, --json output, and Ctrl-C during a long training still writing the model.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets } from '../lib/data/index.js';
import { CLI_DEFAULTS, DEFAULTS } from '../lib/engine/contract.js';
import { Network } from '../lib/network.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'lib', 'cli', 'main.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, FASTMLP_ENGINE: '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('bad input: exit code 2 and one line on stderr', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'an unknown option',
      ['train', '--data', 'moons', '--epoch', '3'],
      /unknown option '--epoch'.*did you mean --epochs/,
    ],
    ['a non-numeric value', ['train', '--data', 'moons', '--epochs', 'ten'], /--epochs expects an integer/],
    [
      'a zero learning rate',
      ['train', '--data', 'moons', '--lr', '0'],
      /--lr expects a positive number but received '0'/,
    ],
    [
      'a bad list',
      ['train', '--data', 'moons', '--layers', '16,x'],
      /--layers expects a comma-separated list/,
    ],
    [
      'a bad choice',
      ['train', '--data', 'moons', '--engine', 'gpu'],
      /--engine expects one of auto, native, ts/,
    ],
    ['a missing value', ['train', '--data', 'moons', '--epochs'], /option '--epochs' needs a value/],
    [
      'a zero clip norm',
      ['train', '--data', 'moons', '--clip-norm', '0'],
      /--clip-norm expects a positive finite float32 number but received '0'/,
    ],
    [
      'an unknown optimizer',
      ['train', '--data', 'moons', '--optimizer', 'adagrad'],
      /--optimizer expects one of sgd, momentum, nesterov, adam, adamw, rmsprop/,
    ],
    [
      'a missing data file',
      ['train', '--data', 'no-such-file.csv'],
      /no such data set or file: 'no-such-file.csv'/,
    ],
    ['no --data', ['train', '--epochs', '3'], /train needs --data/],
    [
      'a loss that does not fit the data',
      ['train', '--data', 'iris', '--loss', 'bce'],
      /--loss bce needs two classes/,
    ],
    ['a missing model', ['predict', '--model', 'no-such.model', '--data', 'x.csv'], /no such model file/],
    ['an unknown command', ['trian'], /unknown command 'trian'; did you mean train\?/],
    ['a stray argument', ['info', 'extra'], /unexpected argument 'extra'/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fastmlp: /);
    expect(lines[0]).toMatch(message);
  });

  it('prints the stack trace only with --verbose', async () => {
    const r = await cli(['train', '--data', 'moons', '--epochs', 'ten', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fastmlp: --epochs expects/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe.concurrent('help', () => {
  it.each(['train', 'predict', 'evaluate', 'export', 'info', 'sweep', 'bench'])(
    '%s --help',
    async (command) => {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: fastmlp ${command}`));
    },
  );

  it("train --help states the command's own default learning rates and the library's", async () => {
    const r = await cli(['train', '--help']);
    const cli_ = CLI_DEFAULTS.learningRate;
    const lib = DEFAULTS.learningRate;
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      `(default ${cli_.adam} for adam and adamw, ${cli_.sgd} otherwise: ten times the library's ${lib.adam} and ${lib.sgd}`,
    );
    for (const kind of Object.keys(lib) as (keyof typeof lib)[])
      expect(cli_[kind], kind).toBe(10 * lib[kind]);
    expect(cli_.adamw).toBe(cli_.adam);
  });
});

describe('train, predict, evaluate', () => {
  const model = () => join(dir, 'moons.safetensors');

  it('trains on moons and writes a loadable model and an HTML report with SVG charts', async () => {
    const report = join(dir, 'report.html');
    const r = await cli([
      'train',
      '--data',
      'moons',
      '--engine',
      'ts',
      '--epochs',
      '40',
      '--layers',
      '16',
      '--standardize',
      '--out',
      model(),
      '--report',
      report,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const progress = r.stdout.split('\n').filter((l) => l.startsWith('epoch'));
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.length).toBeLessThanOrEqual(22);
    expect(r.stdout).toMatch(/test: +loss [\d.]+ +accuracy [\d.]+%/);
    const net = await Network.load(model(), { engine: 'ts' });
    expect(net.inputs).toBe(2);
    expect(net.outputs).toBe(1);
    expect(net.inputScaling).not.toBeNull();
    const html = await readFile(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg/g) ?? []).length).toBe(3); // loss, accuracy, decision boundary
    expect(html).not.toMatch(/<script|<link /);
    expect(html).toContain('Decision boundary');
  });

  it('trains with adamw and clipping; the model keeps them', async () => {
    const out = join(dir, 'adamw.safetensors');
    const r = await cli([
      'train',
      '--data',
      'moons',
      '--engine',
      'ts',
      '--epochs',
      '5',
      '--optimizer',
      'adamw',
      '--clip-norm',
      '1',
      '--clip-value',
      '0.5',
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('adamw lr 0.01');
    const net = await Network.load(out, { engine: 'ts' });
    expect(net.optimizer).toMatchObject({ kind: 'adamw', learningRate: 0.01, clipNorm: 1, clipValue: 0.5 });
  });

  it('predicts classes and probabilities for a CSV of raw features', async () => {
    const { X } = datasets.moons({ samples: 6, seed: 3 });
    const csv = join(dir, 'features.csv');
    await writeFile(csv, `x1,x2\n${X.map((r) => r.join(',')).join('\n')}\n`);
    const r = await cli(['predict', '--model', model(), '--data', csv, '--engine', 'ts']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('class,p_0,p_1');
    expect(lines).toHaveLength(7);
    const net = await Network.load(model(), { engine: 'ts' });
    const expected = net.predictClasses(X);
    lines.slice(1).forEach((line, i) => {
      const [cls, p0, p1] = line.split(',');
      expect(Number(cls)).toBe(expected[i]);
      expect(Number(p0) + Number(p1)).toBeCloseTo(1, 5);
    });
    const out = join(dir, 'preds.csv');
    const written = await cli(['predict', '--model', model(), '--data', csv, '--out', out, '--engine', 'ts']);
    expect(written.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(r.stdout);
  });

  it('rejects a CSV whose width does not match the model', async () => {
    const csv = join(dir, 'wide.csv');
    await writeFile(csv, 'a,b,c\n1,2,3\n');
    const r = await cli(['predict', '--model', model(), '--data', csv, '--engine', 'ts']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^fastmlp: .*has 3 feature columns but the model takes 2/);
  });

  it.skipIf(!existsSync(join(ROOT, 'lib', 'data', 'csv.ts')))(
    'evaluates the model on a labelled CSV (needs lib/data/csv.ts)',
    async () => {
      const { X, y } = datasets.moons({ samples: 200, noise: 0.1, seed: 9 });
      const csv = join(dir, 'labelled.csv');
      await writeFile(csv, `x1,x2,label\n${X.map((r, i) => `${r.join(',')},${y[i]}`).join('\n')}\n`);
      const r = await cli([
        'evaluate',
        '--model',
        model(),
        '--data',
        csv,
        '--target',
        'label',
        '--json',
        '--engine',
        'ts',
      ]);
      expect(r.stderr).toBe('');
      const result = JSON.parse(r.stdout);
      expect(result.rows).toBe(200);
      expect(result.accuracy).toBeGreaterThan(0.8);
      expect(Number.isFinite(result.loss)).toBe(true);
    },
  );
});

describe('output modes and other commands', () => {
  it('--json prints one JSON object per line: epochs, then a summary', async () => {
    const r = await cli(['train', '--data', 'xor', '--engine', 'ts', '--epochs', '5', '--json']);
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((o) => o.type)).toEqual(['epoch', 'epoch', 'epoch', 'epoch', 'epoch', 'summary']);
    expect(records[4]).toMatchObject({ epoch: 5, epochs: 5 });
    expect(typeof records[0].loss).toBe('number');
    expect(records[5]).toMatchObject({ epochs: 5, stopReason: 'completed', engine: 'ts' });
  });

  it('info names the engine auto picks', async () => {
    const r = await cli(['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^engine: +(native|ts) \(auto\)/m);
    expect(r.stdout).toMatch(/^fastmlp \d+\.\d+\.\d+ on node v\d+/);
  });

  it('sweep trains once per rate and plots every loss curve in one chart', async () => {
    const report = join(dir, 'sweep.html');
    const r = await cli(['sweep', '--lr', '1,0.1', '--epochs', '20', '--engine', 'ts', '--report', report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lr 1 .*\n^lr 0\.1 /m);
    const html = await readFile(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Training loss per learning rate');
  });
});

describe('Ctrl-C', () => {
  it('stops a long training at the next chunk and still writes the model and report', async () => {
    const out = join(dir, 'interrupted.safetensors');
    const report = join(dir, 'interrupted.html');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'train',
        '--data',
        'moons',
        '--engine',
        'ts',
        '--epochs',
        '1000000',
        '--log-every',
        '1',
        '--out',
        out,
        '--report',
        report,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!sent && /^epoch /m.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping after the current chunk/);
    expect(stdout).toMatch(/stopped by Ctrl-C after \d+ of 1000000 epochs/);
    const net = await Network.load(out, { engine: 'ts' });
    expect(net.steps).toBeGreaterThan(0);
    expect(await readFile(report, 'utf8')).toContain('stopped by Ctrl-C');
  });
});
