// `fastmlp train` -> `predict` -> `evaluate` on customer exports (BOM, CRLF, quoted fields, a
// categorical plan and city, missing cells): the model file keeps the table schema, so predict
// and evaluate match columns by name (reordered, an extra id and channel column, the target
// among the ignored ones), a headerless file by position with a count check, --id keys the rows,
// and a one-class evaluation file is numbered by the model's classes. Run on the TS engine (the
// child's engine does not change what is checked here; test/62 covers both engines).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCSV } from '../lib/data/csv.js';
import { Network } from '../lib/network.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'lib', 'cli', 'main.ts');
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
let churnModel: string;
let spendModel: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-63-'));
  churnModel = join(dir, 'churn.safetensors');
  spendModel = join(dir, 'spend.safetensors');
  const common = ['--standardize', '--seed', '1', '--engine', 'ts'];
  const [a, b] = await Promise.all([
    cli([
      'train',
      '--data',
      fixture('customers-cli.csv'),
      '--target',
      'churned',
      '--layers',
      '12',
      '--epochs',
      '60',
      ...common,
      '--out',
      churnModel,
    ]),
    cli([
      'train',
      '--data',
      fixture('spend-cli.csv'),
      '--target',
      'monthly_spend',
      '--layers',
      '16',
      '--epochs',
      '100',
      ...common,
      '--out',
      spendModel,
    ]),
  ]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('train -> predict -> evaluate through the model schema', () => {
  it('saves the schema in the model file', async () => {
    const net = await Network.load(churnModel, { engine: 'ts' });
    expect(net.schema).toEqual(fromCSV(fixture('customers-cli.csv'), { target: 'churned' }).schema);
    expect(net.classNames).toEqual(['no', 'yes']);
    const spend = await Network.load(spendModel, { engine: 'ts' });
    expect(spend.task).toBe('regression'); // integers, 200-odd distinct values in 260 rows
    expect(spend.schema?.target).toBe('monthly_spend');
  });

  it('predicts a reordered file with extra columns by name, keyed by --id, as the API does', async () => {
    const r = await cli([
      'predict',
      '--model',
      churnModel,
      '--data',
      fixture('customers-new.csv'),
      '--id',
      'customer_id',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 cell of');
    expect(r.stderr).toContain('held a category unseen in training, encoded as all zeros');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('customer_id,class,p_no,p_yes');
    expect(lines).toHaveLength(41);
    const net = await Network.load(churnModel, { engine: 'ts' });
    const expected = net.predictLabels(fromCSV(fixture('customers-new.csv'), { schema: net.schema! }).X);
    lines.slice(1).forEach((line, i) => {
      const [id, label, pNo, pYes] = line.split(',');
      expect(id).toBe(`C${1260 + i}`);
      expect(label).toBe(expected[i]);
      expect(Number(pNo) + Number(pYes)).toBeCloseTo(1, 5);
    });
  });

  it('matches a headerless file by position, with a count check', async () => {
    const text = await readFile(fixture('customers-cli.csv'), 'utf8');
    const body = text.split('\r\n').slice(1, 6); // five rows, target last (allowed: features then target)
    const headerless = join(dir, 'headerless.csv');
    await writeFile(headerless, `${body.join('\n')}\n`);
    const r = await cli(['predict', '--model', churnModel, '--data', headerless]);
    expect(r.code, r.stderr).toBe(0);
    const named = await cli(['predict', '--model', churnModel, '--data', fixture('customers-cli.csv')]);
    expect(r.stdout.trim().split('\n').slice(1)).toEqual(named.stdout.trim().split('\n').slice(1, 6));
    const short = join(dir, 'short.csv');
    await writeFile(short, '1,basic,Lyon\n2,pro,Paris\n');
    const bad = await cli(['predict', '--model', churnModel, '--data', short]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "has no header and 3 columns; the model takes 4 features (tenure_months, plan, city, support_tickets), optionally followed by 'churned'",
    );
  });

  it('train prints the inferred task with its reason, and --task overrides it', async () => {
    const base = [
      'train',
      '--data',
      fixture('customers-cli.csv'),
      '--target',
      'support_tickets',
      '--epochs',
      '1',
    ];
    const inferred = await cli([...base, '--engine', 'ts']);
    expect(inferred.code, inferred.stderr).toBe(0);
    expect(inferred.stdout).toContain(
      "task: target 'support_tickets' holds integers with 10 distinct values",
    );
    const out = join(dir, 'tickets.safetensors');
    const forced = await cli([...base, '--engine', 'ts', '--task', 'regression', '--out', out]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('task: the task option says regression');
    expect((await Network.load(out, { engine: 'ts' })).task).toBe('regression');
    const builtin = await cli(['train', '--data', 'moons', '--task', 'regression', '--epochs', '1']);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain("--task applies to CSV files, not the built-in 'moons' set");
    const bad = await cli([...base, '--task', 'ranking']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--task');
  });

  it('evaluate prints the task metrics and a confusion matrix labelled with the class names', async () => {
    const r = await cli(['evaluate', '--model', churnModel, '--data', fixture('customers-cli.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const net = await Network.load(churnModel, { engine: 'ts' });
    const table = fromCSV(fixture('customers-cli.csv'), { schema: net.schema! });
    const result = net.evaluate(table.X, table.y);
    if (result.task !== 'binary') throw new Error(`task ${result.task}`);
    expect(lines).toContain(`accuracy ${(100 * result.accuracy).toFixed(2)}%`);
    const at = lines.indexOf('confusion matrix (rows: true class, columns: predicted class)');
    expect(at).toBeGreaterThan(0);
    const names = net.classNames!;
    expect(lines[at + 1].trim().split(/\s+/)).toEqual(names);
    const counts = lines
      .slice(at + 2, at + 2 + names.length)
      .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
    expect(counts).toEqual(result.confusionMatrix);
  });

  it('names a missing column and evaluates a one-class file by the model classes', async () => {
    const missing = join(dir, 'missing.csv');
    await writeFile(missing, 'tenure_months,plan,support_tickets\n3,pro,1\n');
    const r = await cli(['predict', '--model', churnModel, '--data', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Missing column 'city' in ${missing}`);
    const e = await cli([
      'evaluate',
      '--model',
      churnModel,
      '--data',
      fixture('customers-churned.csv'),
      '--json',
    ]);
    expect(e.code, e.stderr).toBe(0);
    const result = JSON.parse(e.stdout.trim().split('\n').pop()!);
    const net = await Network.load(churnModel, { engine: 'ts' });
    const table = fromCSV(fixture('customers-churned.csv'), { schema: net.schema! });
    expect(table.y.every((k) => k === 1)).toBe(true); // 'yes' is the model's class 1
    expect(result.accuracy).toBeCloseTo(net.evaluate(table.X, table.y).accuracy!, 6);
    expect(result.rows).toBe(11);
  });

  it('predicts values in the target units for a regression model', async () => {
    const r = await cli([
      'predict',
      '--model',
      spendModel,
      '--data',
      fixture('customers-new.csv'),
      '--id',
      'customer_id',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('customer_id,prediction');
    const values = lines.slice(1).map((line) => Number(line.split(',')[1]));
    expect(values).toHaveLength(40);
    // spend is 100 + 60 per plan level + 3 per month of tenure: every prediction in that range
    for (const v of values) expect(v).toBeGreaterThan(60);
    for (const v of values) expect(v).toBeLessThan(500);
  });
});
