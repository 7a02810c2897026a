// Tables with a schema (lib/schema.ts, fromCSV): a customer export as a CRM writes it (BOM, CRLF,
// quoted fields, an id column, a categorical plan and city, missing cells as '', 'NA', '?' and
// ""), the task inferred with its reason, classes fixed for a one-class file, then a network that
// keeps the schema: records in, class names out, on both engines, through toJSON and a model file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCSV } from '../lib/data/csv.js';
import { Network, type RegressionEvaluation, standardize, type TableSchema } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const customers = fixture('customers.csv');
const MISSING = new Set(['', 'NA', '?']);
/** The fixture's rows as csv-parse reads them: objects of strings keyed by column name. */
const records = (name: string): Record<string, string>[] =>
  parse(readFileSync(fixture(name), 'utf8'), { columns: true, bom: true, trim: true });

describe('fromCSV learns a schema from a customer export', () => {
  const churn = fromCSV(customers, { target: 'churned', ignore: ['customer_id', 'monthly_spend'] });

  it('describes each feature column by kind, with fill values from the training rows', () => {
    const rows = records('customers.csv');
    const tenures = rows.map((r) => r.tenure_months).filter((v) => !MISSING.has(v));
    expect(tenures.length).toBeLessThan(rows.length); // the fixture has missing cells
    const mean = tenures.reduce((s, v) => s + Number(v), 0) / tenures.length;
    const plans = rows.map((r) => r.plan).filter((v) => !MISSING.has(v));
    const count = (p: string) => plans.filter((v) => v === p).length;
    const mostFrequent = ['Enterprise, EU', 'basic', 'pro'].reduce((a, b) => (count(b) > count(a) ? b : a));
    expect(churn.schema.features).toEqual([
      { name: 'tenure_months', kind: 'numeric', fill: expect.closeTo(mean, 10) },
      {
        name: 'plan',
        kind: 'categorical',
        categories: ['Enterprise, EU', 'basic', 'pro'],
        fill: mostFrequent,
      },
      {
        name: 'city',
        kind: 'categorical',
        categories: ['Lille', 'Lyon', 'Nantes', 'Paris'],
        fill: expect.any(String),
      },
      { name: 'support_tickets', kind: 'numeric', fill: expect.any(Number) },
    ]);
    expect(churn.schema).toMatchObject({
      target: 'churned',
      task: 'classification',
      classNames: ['no', 'yes'],
    });
    expect(churn.inputs).toBe(1 + 3 + 4 + 1);
    expect(churn.featureNames).toEqual([
      'tenure_months',
      'plan=Enterprise, EU',
      'plan=basic',
      'plan=pro',
      'city=Lille',
      'city=Lyon',
      'city=Nantes',
      'city=Paris',
      'support_tickets',
    ]);
    expect(churn.X).toHaveLength(rows.length);
    // row 0 as the file has it; a missing tenure holds the mean, a missing plan its fill category
    rows.forEach((r, i) => {
      const x = churn.X[i];
      expect(x[0]).toBe(
        MISSING.has(r.tenure_months) ? churn.schema.features[0].fill : Number(r.tenure_months),
      );
      const plan = MISSING.has(r.plan) ? mostFrequent : r.plan;
      expect(x.slice(1, 4)).toEqual(['Enterprise, EU', 'basic', 'pro'].map((p) => (p === plan ? 1 : 0)));
      expect(churn.y[i]).toBe(r.churned === 'yes' ? 1 : 0);
    });
  });

  it('infers the task with its reason and lets the task option override it', () => {
    expect(churn.task).toBe('classification');
    expect(churn.taskReason).toBe("target 'churned' holds text");
    const spend = fromCSV(customers, { target: 'monthly_spend', ignore: ['customer_id', 'churned'] });
    expect(spend.task).toBe('regression');
    expect(spend.taskReason).toMatch(
      /^target 'monthly_spend' holds integers with \d+ distinct values in 260 rows \(many: regression/,
    );
    expect(spend.classNames).toBeUndefined();
    expect(spend.y[0]).toBe(Number(records('customers.csv')[0].monthly_spend));
    // support tickets: integers 0..9 in 260 rows: few distinct values, read as classes
    const tickets = fromCSV(customers, { target: 'support_tickets', ignore: ['customer_id'] });
    expect(tickets.task).toBe('classification');
    expect(tickets.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const forced = fromCSV(customers, {
      target: 'support_tickets',
      ignore: ['customer_id'],
      task: 'regression',
    });
    expect(forced).toMatchObject({ task: 'regression', taskReason: 'the task option says regression' });
  });

  it("treats named columns as categories, and missing cells as errors with missing: 'error'", () => {
    const t = fromCSV(customers, {
      target: 'churned',
      ignore: ['customer_id', 'monthly_spend'],
      categorical: ['support_tickets'],
    });
    expect(t.schema.features[3]).toMatchObject({
      kind: 'categorical',
      categories: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    expect(() => fromCSV(customers, { target: 'churned', missing: 'error' })).toThrow(
      new Error(`Missing value in ${customers} line 5, column 'tenure_months'`),
    );
    // other missing markers: '?' is then a category of its own... of a numeric column, an error
    expect(() => fromCSV(customers, { target: 'churned', missingValues: [''] })).toThrow(
      /Invalid number 'NA'|Invalid number '\?'/,
    );
  });

  it('numbers a one-class evaluation file by the classes given', () => {
    const evalFile = fixture('customers-churned.csv');
    const own = fromCSV(evalFile, { target: 'churned', ignore: ['customer_id', 'monthly_spend'] });
    expect(own.classNames).toEqual(['yes']); // alone, its one class is class 0
    const fixed = fromCSV(evalFile, {
      target: 'churned',
      ignore: ['customer_id', 'monthly_spend'],
      classes: ['no', 'yes'],
    });
    expect(fixed.classNames).toEqual(['no', 'yes']);
    expect(new Set(fixed.y)).toEqual(new Set([1]));
    expect(() => fromCSV(evalFile, { target: 'churned', classes: ['no', 'maybe'] })).toThrow(
      /^Unknown class 'yes' in .* line 2, column 'churned': not one of classes \('no', 'maybe'\)$/,
    );
  });

  it('reads another file through a schema: by name, in any order, extra columns ignored', () => {
    const evalFile = fixture('customers-churned.csv');
    const read = fromCSV(evalFile, { schema: churn.schema });
    const direct = records('customers-churned.csv');
    expect(read.y).toEqual(direct.map(() => 1));
    expect(read.X[0][0]).toBe(Number(direct[0].tenure_months));
    const scoring = fromCSV(fixture('customers-new.csv'), { schema: churn.schema });
    expect(scoring.y).toEqual([]); // no target column
    expect(scoring.X[0].slice(4, 8)).toEqual([0, 0, 0, 0]); // 'Marseille': unseen, all zeros
    expect(() =>
      fromCSV(fixture('customers-new.csv'), { schema: churn.schema, unknownCategory: 'error' }),
    ).toThrow(
      /^Unknown category 'Marseille' in .*customers-new.csv line 2, column 'city'; the model knows 'Lille', 'Lyon', 'Nantes', 'Paris'$/,
    );
    const noTickets = {
      ...churn.schema,
      features: [...churn.schema.features, { name: 'nps', kind: 'numeric', fill: 0 }],
    };
    expect(() => fromCSV(evalFile, { schema: noTickets as TableSchema })).toThrow(
      /^Missing column 'nps' in /,
    );
    expect(() => fromCSV(evalFile, { schema: churn.schema, task: 'regression' })).toThrow(RangeError);
  });
});

describe.each(engineNames)('a network that keeps its schema, on the %s engine', (engine) => {
  const data = fromCSV(customers, { target: 'churned', ignore: ['customer_id', 'monthly_spend'] });
  const build = () => {
    const net = new Network({
      inputs: data.inputs,
      layers: [
        { units: 12, activation: 'relu' },
        { units: 2, activation: 'softmax' },
      ],
      optimizer: { name: 'adam', learningRate: 0.02 },
      seed: 3,
      engine,
    });
    net.schema = data.schema;
    net.inputScaling = standardize(data.X);
    return net;
  };
  const net = build();
  net.fitSync(data.X, data.y, { epochs: 60, batchSize: 32 });
  const dir = mkdtempSync(join(tmpdir(), 'fastmlp-62-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes records keyed by feature name and returns class names', () => {
    expect(net.classNames).toEqual(['no', 'yes']); // from the schema
    const rows = records('customers.csv');
    const labels = net.predictLabels(rows);
    const accuracy = labels.filter((label, i) => label === rows[i].churned).length / rows.length;
    expect(accuracy).toBeGreaterThan(0.85);
    expect(net.predict(rows)).toEqual(net.predict(data.X));
    expect(
      net.evaluate(
        rows,
        rows.map((r) => r.churned),
      ).accuracy,
    ).toBeCloseTo(accuracy, 10);
    // a server's JSON: numbers as numbers, keys in any order, extra keys ignored, null missing
    const json = [{ city: 'Lyon', support_tickets: 8, plan: 'basic', tenure_months: 2, email: 'a@b.c' }];
    const filled = [
      { city: 'Lyon', support_tickets: 8, plan: 'basic', tenure_months: data.schema.features[0].fill },
    ];
    expect(net.predictLabels(json)).toEqual(['yes']);
    expect(net.predict([{ ...json[0], tenure_months: null }])).toEqual(net.predict(filled));
  });

  it('names a missing feature, and refuses records without a schema', () => {
    expect(() => net.predict([{ tenure_months: 3, plan: 'pro', support_tickets: 1 }])).toThrow(
      new RangeError("Expected a record with the feature 'city' for X[0] but received an object"),
    );
    expect(() =>
      net.predict([{ tenure_months: 'soon', plan: 'pro', city: 'Lyon', support_tickets: 1 }]),
    ).toThrow(
      new TypeError("Expected a number (or null when missing) for X[0].tenure_months but received 'soon'"),
    );
    const bare = new Network({ inputs: 9, layers: [{ units: 2, activation: 'softmax' }], engine });
    expect(() => bare.predict([{ tenure_months: 3 }])).toThrow(
      /needs a schema: set net.schema = data.schema/,
    );
    expect(() => bare.predictLabels([[0, 0, 0, 0, 0, 0, 0, 0, 0]])).toThrow(/without classNames/);
    expect(() => {
      bare.schema = { ...data.schema, features: data.schema.features.slice(1) };
    }).toThrow(/a schema encoding 9 inputs \(the network's\) but it encodes 8/);
  });

  it('keeps the schema through toJSON and a model file', async () => {
    const rows = records('customers-new.csv');
    const labels = net.predictLabels(rows);
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    expect(json.metadata.schema).toEqual(data.schema);
    const copy = Network.fromJSON(json, { engine });
    expect(copy.schema).toEqual(data.schema);
    expect(copy.predictLabels(rows)).toEqual(labels);
    const path = join(dir, 'churn.safetensors');
    await net.save(path);
    const loaded = await Network.load(path, { engine });
    expect(loaded.schema).toEqual(data.schema);
    expect(loaded.predictLabels(rows)).toEqual(labels);
    // a file from before schemas: reads as null
    const { schema: _, ...old } = json.metadata;
    expect(Network.fromJSON({ ...json, metadata: old }, { engine }).schema).toBeNull();
    expect(() => Network.fromJSON({ ...json, metadata: { ...old, schema: { features: [] } } })).toThrow(
      /metadata.schema.features/,
    );
  });
});

describe.each(engineNames)(
  'a regression target standardized inside the model, on the %s engine',
  (engine) => {
    // monthly spend: integers from about 100 to 400, read as regression (many distinct values)
    const data = fromCSV(customers, { target: 'monthly_spend', ignore: ['customer_id', 'churned'] });
    const build = () => {
      const net = new Network({
        inputs: data.inputs,
        layers: [{ units: 16, activation: 'relu' }, { units: 1 }],
        seed: 5,
        engine,
      });
      net.schema = data.schema;
      net.inputScaling = standardize(data.X);
      return net;
    };

    it('trains raw targets in the hundreds with default settings and predicts in their units', async () => {
      expect(data.targetScaling).toEqual({ mean: [expect.any(Number)], std: [expect.any(Number)] });
      const mean = data.y.reduce((s, v) => s + v, 0) / data.y.length;
      expect(data.targetScaling!.mean[0]).toBeCloseTo(mean, 8);
      const net = build();
      net.targetScaling = data.targetScaling!;
      net.fitSync(data.X, data.y, { epochs: 80 });
      const result = net.evaluate(data.X, data.y) as RegressionEvaluation;
      expect(result.task).toBe('regression');
      expect(result.r2).toBeGreaterThan(0.8);
      const predictions = net.predict(records('customers.csv')).map((row) => row[0]);
      const predictedMean = predictions.reduce((s, v) => s + v, 0) / predictions.length;
      expect(Math.abs(predictedMean - mean)).toBeLessThan(0.1 * mean);
      // mae in the targets' units: the mean absolute gap between these predictions and y
      const mae = predictions.reduce((s, p, i) => s + Math.abs(p - data.y[i]), 0) / predictions.length;
      expect(result.mae).toBeCloseTo(mae, 2);
      // the same network without it, same settings: a worse fit
      const raw = build();
      raw.fitSync(data.X, data.y, { epochs: 80 });
      expect((raw.evaluate(data.X, data.y) as RegressionEvaluation).r2).toBeLessThan(result.r2);
      // kept with the model
      const copy = Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), { engine });
      expect(copy.targetScaling).toEqual(net.targetScaling);
      expect(copy.predict(data.X)).toEqual(net.predict(data.X));
    });

    it('refuses a target scaling for a classifier or of the wrong width', () => {
      const classifier = new Network({ inputs: 2, layers: [{ units: 3, activation: 'softmax' }], engine });
      expect(() => {
        classifier.targetScaling = { mean: [0, 0, 0], std: [1, 1, 1] };
      }).toThrow(TypeError);
      const net = build();
      expect(() => {
        net.targetScaling = { mean: [0, 0], std: [1, 1] };
      }).toThrow('Expected an array of 1 numbers for targetScaling.mean but received');
    });
  },
);
