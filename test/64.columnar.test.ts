// fromArrow and fromParquet (lib/data/arrow.ts): bad arguments and bad files first, then one table
// built here (a float column with nulls, a 64-bit integer column, a dictionary-encoded city with
// nulls, a quoted text category, a boolean feature, an id column, a boolean or numeric target)
// written as CSV, Arrow IPC (file and stream), Feather and Parquet: every reader must give exactly
// fromCSV's data set (X, y, schema, classes), learned or through a model's schema on a file with
// its columns reordered, an extra one and no target; then training on it, on every engine, and
// the CLI's train (with --ignore) -> predict -> evaluate on Parquet and Arrow files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool,
  DateMillisecond,
  Dictionary,
  Float64,
  Int32,
  Int64,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { columnarFormat, fromArrow, fromParquet } from '../lib/data/arrow.js';
import { fromCSV } from '../lib/data/csv.js';
import { datasets, Network, standardize } from '../lib/index.js';
import { loadOptional, OPTIONAL_FEATURES } from '../lib/optional.js';
import { Random } from '../lib/random.js';
import { cli } from './helpers/cli.js';
import { engineNames } from './helpers/engine-names.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// --- one table, built here

type Value = number | bigint | string | boolean | null;

const ROWS = 60;
const random = new Random(64);
const pick = <T>(list: T[]): T => list[Math.floor(random.uniform() * list.length)];
const ids = Array.from({ length: ROWS }, (_, r) => `R${1000 + r}`);
// one decimal: the CSV text and the float64 are the same number
const age = Array.from({ length: ROWS }, (_, r) =>
  r % 7 === 3 ? null : Math.round(200 + random.uniform() * 500) / 10,
);
const visits = Array.from({ length: ROWS }, () => BigInt(Math.floor(random.uniform() * 40)));
const city = Array.from({ length: ROWS }, (_, r) => (r % 11 === 5 ? null : pick(['Lyon', 'Paris', 'Lille'])));
const plan = Array.from({ length: ROWS }, () => pick(['basic', 'Enterprise, EU', 'pro']));
const member = Array.from({ length: ROWS }, () => random.uniform() < 0.4);
const churned = age.map((a, r) => (a ?? 45) < 40 !== member[r]);
const signup = ids.map((_, r) => new Date(Date.UTC(2020, 0, 1 + r)));
const spend = age.map(
  (a, r) => Math.round(((a ?? 45) * 3 + Number(visits[r]) * 2 + (member[r] ? 50 : 0)) * 10) / 10,
);

/** The columns as apache-arrow vectors; `order` picks and orders them. */
function arrowTable(order: string[]): Table {
  const vectors = {
    customer_id: () => vectorFromArray(ids, new Utf8()),
    age: () => vectorFromArray(age, new Float64()),
    visits: () => vectorFromArray(visits, new Int64()),
    city: () => vectorFromArray(city, new Dictionary(new Utf8(), new Int32())),
    plan: () => vectorFromArray(plan, new Utf8()),
    member: () => vectorFromArray(member, new Bool()),
    churned: () => vectorFromArray(churned, new Bool()),
    spend: () => vectorFromArray(spend, new Float64()),
    signup: () =>
      vectorFromArray(
        ids.map((_, r) => new Date(Date.UTC(2020, 0, 1 + r))),
        new DateMillisecond(),
      ),
  } as unknown as Record<string, () => Vector>;
  return new Table(Object.fromEntries(order.map((name) => [name, vectors[name]()])));
}

/** The same columns as a CSV as an export writes it: nulls as empty cells or NA, quotes, CRLF. */
function csvText(order: string[]): string {
  const columns: Record<string, Value[]> = {
    customer_id: ids,
    age,
    visits,
    city,
    plan,
    member,
    churned,
    spend,
    signup: signup.map((d) => d.toISOString().slice(0, 10)),
  };
  const cell = (v: Value, r: number) =>
    v === null
      ? r % 2 === 0
        ? ''
        : 'NA'
      : /[",]/.test(String(v))
        ? `"${String(v).replace(/"/g, '""')}"`
        : String(v);
  const lines = [order.join(',')];
  for (let r = 0; r < ROWS; r++) lines.push(order.map((name) => cell(columns[name][r], r)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The table in every format: { csv, arrow (IPC file), arrows (IPC stream), feather, parquet } paths. */
function writeAll(stem: string, order: string[]) {
  const table = arrowTable(order);
  const paths = {
    csv: join(dir, `${stem}.csv`),
    arrow: join(dir, `${stem}.arrow`),
    arrows: join(dir, `${stem}.arrows`),
    feather: join(dir, `${stem}.feather`),
    parquet: join(dir, `${stem}.parquet`),
  };
  writeFileSync(paths.csv, csvText(order));
  writeFileSync(paths.arrow, tableToIPC(table, 'file'));
  writeFileSync(paths.arrows, tableToIPC(table, 'stream'));
  writeFileSync(paths.feather, tableToIPC(table, 'file')); // Feather v2 is the Arrow IPC file format
  writeFileSync(
    paths.parquet,
    parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream'))),
  );
  return paths;
}

const TRAIN_ORDER = ['customer_id', 'age', 'visits', 'city', 'plan', 'member', 'spend', 'churned'];
const train = writeAll('train', TRAIN_ORDER);
// for predict and evaluate: reordered, an extra column of a type no reader takes, no target
const fresh = writeAll('fresh', ['plan', 'signup', 'member', 'city', 'customer_id', 'visits', 'age']);
const labelled = writeAll('labelled', ['churned', 'plan', 'member', 'city', 'visits', 'age', 'customer_id']);
const read = (path: string, options?: Parameters<typeof fromArrow>[1]) =>
  path.endsWith('.parquet') ? fromParquet(path, options) : fromArrow(path, options);
const COLUMNAR = ['arrow', 'arrows', 'feather', 'parquet'] as const;

// --- bad arguments and files

describe('fromArrow and fromParquet reject bad arguments and files', () => {
  it('checks the path and the options before reading, as fromCSV does', async () => {
    await expect(fromArrow('')).rejects.toThrow(
      new TypeError("Expected a file path for path but received ''"),
    );
    await expect(fromParquet(train.parquet, { header: true } as never)).rejects.toThrow(
      new TypeError("Unknown option 'header' for fromParquet"),
    );
    await expect(fromArrow(train.arrow, { missing: 'drop' } as never)).rejects.toThrow(
      /Expected one of 'fill', 'error' for missing but received 'drop'/,
    );
    await expect(fromArrow(train.arrow, { target: 'churn' })).rejects.toThrow(
      new RangeError(
        `Expected one of the columns of ${train.arrow} ('customer_id', 'age', 'visits', 'city', 'plan', 'member', 'spend', 'churned') for target but received 'churn'`,
      ),
    );
  });

  it('names the file and the fault', async () => {
    const missing = join(dir, 'nope.parquet');
    await expect(fromParquet(missing)).rejects.toThrow(
      new Error(`Cannot read Parquet file ${missing}: no such file or directory`),
    );
    await expect(fromArrow(train.csv)).rejects.toThrow(
      `Cannot parse ${train.csv} as Arrow IPC (a file or stream; Feather v2):`,
    );
    await expect(fromParquet(train.arrow)).rejects.toThrow(`Cannot parse ${train.arrow} as Parquet:`);
    await expect(fromArrow(fresh.arrow, { target: 'age' })).rejects.toThrow(
      new Error(
        `Column 'signup' of ${fresh.arrow} has Arrow type Date64<MILLISECOND>, which cannot be read as a feature or target (numbers, strings, dictionaries of them and booleans can); leave it out with ignore`,
      ),
    );
    await expect(fromArrow(train.arrow, { target: 'churned', missing: 'error' })).rejects.toThrow(
      new Error(`Missing value in ${train.arrow} row 4, column 'age'`),
    );
    // a target is never filled
    await expect(
      fromArrow(train.arrow, { target: 'city', task: 'regression', ignore: ['churned'] }),
    ).rejects.toThrow(new Error(`Missing value in ${train.arrow} row 6, column 'city'`));
  });

  it('says which optional package to install when one is missing', async () => {
    const notFound = Object.assign(new Error("Cannot find package 'parquet-wasm'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const { parquet, arrow } = OPTIONAL_FEATURES;
    await expect(
      loadOptional(parquet.purpose, parquet.packages, () => Promise.reject(notFound)),
    ).rejects.toThrow(
      'reading Parquet files needs the optional package parquet-wasm, which is not installed; install it with: npm install parquet-wasm',
    );
    const broken = new SyntaxError('bad module');
    await expect(loadOptional(arrow.purpose, arrow.packages, () => Promise.reject(broken))).rejects.toBe(
      broken,
    );
  });

  it('chooses the reader by extension', () => {
    expect(
      ['a.arrow', 'b.ARROWS', 'c.ipc', 'd.feather', 'e.parquet', 'f.csv', 'moons'].map(columnarFormat),
    ).toEqual(['arrow', 'arrow', 'arrow', 'arrow', 'parquet', null, null]);
  });
});

// --- the same data set as fromCSV

describe('columnar files give exactly fromCSV data set', () => {
  const OPTIONS = { target: 'churned', ignore: ['customer_id', 'spend'] };
  const csv = fromCSV(train.csv, OPTIONS);

  it('learns the schema fromCSV learns: nulls as missing cells, a dictionary and text as categories, booleans as classes', () => {
    expect(csv.schema.features.map((f) => [f.name, f.kind])).toEqual([
      ['age', 'numeric'],
      ['visits', 'numeric'],
      ['city', 'categorical'],
      ['plan', 'categorical'],
      ['member', 'categorical'],
    ]);
    expect(csv.classNames).toEqual(['false', 'true']);
    const known = age.filter((a): a is number => a !== null);
    expect(csv.schema.features[0]).toEqual({
      name: 'age',
      kind: 'numeric',
      fill: known.reduce((s, a) => s + a, 0) / known.length,
    });
    expect(csv.schema.features[2]).toMatchObject({ categories: ['Lille', 'Lyon', 'Paris'] });
  });

  it.each(COLUMNAR)('%s', async (format) => {
    const data = await read(train[format], OPTIONS);
    expect(data).toEqual(csv);
  });

  it.each(COLUMNAR)('%s: a numeric regression target and a categorical option', async (format) => {
    const options = { target: 'spend', ignore: ['customer_id'], categorical: ['visits'] };
    const data = await read(train[format], options);
    expect(data).toEqual(fromCSV(train.csv, options));
    expect(data.task).toBe('regression');
    expect(data.y).toEqual(spend);
  });

  it.each(COLUMNAR)(
    '%s: reordered, an extra column, no target, through the learned schema',
    async (format) => {
      const data = await read(fresh[format], { schema: csv.schema });
      expect(data).toEqual(fromCSV(fresh.csv, { schema: csv.schema }));
      expect(data.y).toEqual([]);
      const evaluation = await read(labelled[format], { schema: csv.schema });
      expect(evaluation).toEqual(fromCSV(labelled.csv, { schema: csv.schema }));
      expect(evaluation.y).toEqual(csv.y); // the same rows, in the same order
      expect(evaluation.X).toEqual(csv.X);
    },
  );

  it('refuses an unseen category with unknownCategory: error', async () => {
    const schema = structuredClone(csv.schema);
    const cityFeature = schema.features[2];
    if (cityFeature.kind !== 'categorical') throw new Error('city is categorical');
    cityFeature.categories = ['Lille', 'Lyon'];
    cityFeature.fill = 'Lyon';
    const paris = city.indexOf('Paris');
    await expect(fromArrow(fresh.arrow, { schema, unknownCategory: 'error' })).rejects.toThrow(
      `Unknown category 'Paris' in ${fresh.arrow} row ${paris + 1}, column 'city'`,
    );
  });
});

// --- training on it

describe.each(engineNames)('a network trained from a Parquet file (%s engine)', (engine) => {
  it('predicts the labelled file as it predicts the CSV, and takes records', async () => {
    const data = await fromParquet(train.parquet, { target: 'churned', ignore: ['customer_id', 'spend'] });
    const net = new Network({
      inputs: data.inputs,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 2, activation: 'softmax' },
      ],
      seed: 3,
      engine,
    });
    net.schema = data.schema;
    net.inputScaling = standardize(data.X);
    await net.fit(data.X, data.y, { epochs: 40, batchSize: 16 });
    const evaluation = await fromArrow(labelled.feather, { schema: net.schema! });
    const fromText = fromCSV(labelled.csv, { schema: net.schema! });
    expect(net.predict(evaluation.X)).toEqual(net.predict(fromText.X));
    expect(net.evaluate(evaluation.X, evaluation.y).accuracy).toBeGreaterThan(0.7);
    // the same rows as records keyed by name
    const records = ids.map((_, r) => ({
      age: age[r],
      visits: Number(visits[r]),
      city: city[r],
      plan: plan[r],
      member: member[r],
    }));
    expect(net.predictLabels(records)).toEqual(net.predictLabels(evaluation.X));
    expect(datasets.fromParquet).toBe(fromParquet);
  });
});

// --- the CLI on a Parquet file

describe('fastmlp train -> predict -> evaluate on columnar files', () => {
  it('trains on Parquet with --ignore, then predicts and evaluates reordered Arrow and Parquet files by name', async () => {
    const model = join(dir, 'churn.safetensors');
    const ts = ['--engine', 'ts'];
    const trained = await cli([
      'train',
      '--data',
      train.parquet,
      '--target',
      'churned',
      '--ignore',
      'customer_id, spend',
      '--standardize',
      '--layers',
      '8',
      '--epochs',
      '40',
      '--validation',
      '0',
      ...ts,
      '--seed',
      '1',
      '--out',
      model,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const net = await Network.load(model, { engine: 'ts' });
    expect(net.schema?.features.map((f) => f.name)).toEqual(['age', 'visits', 'city', 'plan', 'member']);
    expect(net.classNames).toEqual(['false', 'true']);

    // predict: the reordered Parquet file (an extra date column, no target), keyed by --id
    const predicted = await cli([
      'predict',
      '--model',
      model,
      '--data',
      fresh.parquet,
      '--id',
      'customer_id',
      ...ts,
    ]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = predicted.stdout.trim().split('\n');
    expect(lines[0]).toBe('customer_id,class,p_false,p_true');
    const expected = net.predictLabels(fromCSV(fresh.csv, { schema: net.schema! }).X);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2))).toEqual(
      ids.map((id, r) => [id, expected[r]]),
    );
    const viaCSV = await cli([
      'predict',
      '--model',
      model,
      '--data',
      fresh.csv,
      '--id',
      'customer_id',
      ...ts,
    ]);
    expect(viaCSV.stdout).toBe(predicted.stdout);

    // evaluate: the labelled Arrow file, its target found by the model's target name
    const evaluated = await cli(['evaluate', '--model', model, '--data', labelled.arrow, '--json', ...ts]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const labelledData = fromCSV(labelled.csv, { schema: net.schema! });
    const result = JSON.parse(evaluated.stdout.trim().split('\n').at(-1)!);
    expect(result.accuracy).toBeCloseTo(net.evaluate(labelledData.X, labelledData.y).accuracy!, 6);

    // --ignore naming no column is an error naming it
    const bad = await cli([
      'train',
      '--data',
      train.parquet,
      '--target',
      'churned',
      '--ignore',
      'custmer_id',
      '--epochs',
      '1',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("for ignore[0] but received 'custmer_id'");
    const builtin = await cli(['train', '--data', 'moons', '--ignore', 'x1', '--epochs', '1']);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain("--ignore applies to table files, not the built-in 'moons' set");
  }, 120_000);
});

describe('fastmlp predict on a columnar file for a model without a schema', () => {
  it('reads every column but --target as the inputs, in order', async () => {
    const model = join(dir, 'moons.safetensors');
    const trained = await cli([
      'train',
      '--data',
      'moons',
      '--epochs',
      '2',
      '--engine',
      'ts',
      '--out',
      model,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const net = await Network.load(model, { engine: 'ts' });
    expect(net.schema).toBeNull();
    const rows = [
      [0.5, -0.2],
      [1.5, 0.3],
      [-0.8, 0.6],
    ];
    const path = join(dir, 'points.arrow');
    const table = new Table({
      label: vectorFromArray([1, 0, 0], new Int32()),
      x1: vectorFromArray(
        rows.map((r) => r[0]),
        new Float64(),
      ),
      x2: vectorFromArray(
        rows.map((r) => r[1]),
        new Float64(),
      ),
    });
    writeFileSync(path, tableToIPC(table, 'file'));
    const predicted = await cli([
      'predict',
      '--model',
      model,
      '--data',
      path,
      '--target',
      'label',
      '--engine',
      'ts',
    ]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const probabilities = predicted.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[2]));
    net.predict(rows).forEach(([p], i) => expect(probabilities[i]).toBeCloseTo(p, 5));
    const unlabelled = await cli(['predict', '--model', model, '--data', path, '--engine', 'ts']);
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr).toContain('has 3 feature columns but the model takes 2');
  }, 60_000);
});
