// Records end to end: the model's unknownCategory setting (kept in its schema and model file),
// fit's history of a standardized regression target in the targets' units (as evaluate reports
// them), and examples/server.ts answering JSON records with labels and probabilities equal to the
// model's own predictLabels and predict, on every engine.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../examples/server.js';
import { fromCSV } from '../lib/data/csv.js';
import { Network, standardize } from '../lib/index.js';
import { targetScalingOf } from '../lib/scaling.js';
import { engineNames } from './helpers/engine-names.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const OPTIONS = { target: 'churned', ignore: ['customer_id', 'monthly_spend'] };
/** customers-new.csv as a server receives it: JSON objects, numbers as numbers, '' as null. */
const records: Record<string, unknown>[] = (
  parse(readFileSync(fixture('customers-new.csv'), 'utf8'), {
    columns: true,
    bom: true,
    trim: true,
  }) as Record<string, string>[]
).map((row) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]),
  ),
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-65-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function churnNetwork(engine: (typeof engineNames)[number]): Promise<Network> {
  const data = fromCSV(fixture('customers.csv'), OPTIONS);
  const net = new Network({
    inputs: data.inputs,
    layers: [
      { units: 12, activation: 'relu' },
      { units: 2, activation: 'softmax' },
    ],
    seed: 5,
    engine,
  });
  net.schema = data.schema;
  net.inputScaling = standardize(data.X);
  await net.fit(data.X, data.y, { epochs: 30, batchSize: 16 });
  return net;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe.each(engineNames)('records (%s engine)', (engine) => {
  it("refuses an unseen category when the model's schema says unknownCategory: 'error', and keeps it", async () => {
    const net = await churnNetwork(engine);
    const unseen = records.findIndex((r) => r.city === 'Marseille');
    expect(unseen).toBeGreaterThanOrEqual(0); // the fixture's city unseen in training
    // default: encoded as zeros, counted in one warning
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'FASTMLP_UNKNOWN_CATEGORY') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    const labels = net.predictLabels(records);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual(['1 cell of X held a category unseen in training, encoded as all zeros']);

    net.schema = { ...net.schema!, unknownCategory: 'error' };
    const message = `Unknown category 'Marseille' in X[${unseen}].city; the model knows 'Lille', 'Lyon', 'Nantes', 'Paris'`;
    expect(() => net.predict(records)).toThrow(new Error(message));
    expect(() => net.predictLabels(records)).toThrow(new Error(message));
    expect(() =>
      net.evaluate(
        records,
        records.map(() => 'no'),
      ),
    ).toThrow(new Error(message));
    const known = records.filter((r) => r.city !== 'Marseille');
    expect(net.predictLabels(known)).toEqual(labels.filter((_, i) => i !== unseen));

    // kept in toJSON and in the model file; a file read through the schema follows it unless told
    const copy = Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), { engine });
    expect(copy.schema?.unknownCategory).toBe('error');
    expect(() => copy.predict(records)).toThrow(new Error(message));
    const path = join(dir, `strict-${engine}.safetensors`);
    await net.save(path);
    const loaded = await Network.load(path, { engine });
    expect(() => loaded.predict(records)).toThrow(new Error(message));
    expect(() => fromCSV(fixture('customers-new.csv'), { schema: loaded.schema! })).toThrow(
      /^Unknown category 'Marseille' in .*customers-new\.csv line \d+, column 'city'/,
    );
    expect(
      fromCSV(fixture('customers-new.csv'), { schema: loaded.schema!, unknownCategory: 'zeros' }).X,
    ).toHaveLength(records.length);
    expect(() => {
      net.schema = { ...net.schema!, unknownCategory: 'raise' as never };
    }).toThrow("Expected 'zeros' or 'error' for schema.unknownCategory but received 'raise'");
    expect(net.schema?.unknownCategory).toBe('error'); // untouched by the refused value
  });

  it("reports a standardized target's history in the targets' units, as evaluate does", async () => {
    const data = fromCSV(fixture('spend-cli.csv'), { target: 'monthly_spend' });
    const cut = Math.floor(data.X.length * 0.8);
    const [X, vX] = [data.X.slice(0, cut), data.X.slice(cut)];
    const [y, vy] = [data.y.slice(0, cut), data.y.slice(cut)];
    const scaling = targetScalingOf(y);
    const build = () => {
      const net = new Network({
        inputs: data.inputs,
        layers: [
          { units: 8, activation: 'relu' },
          { units: 1, activation: 'linear' },
        ],
        loss: 'mse',
        seed: 2,
        engine,
      });
      net.inputScaling = standardize(X);
      return net;
    };
    const fit = { epochs: 15, batchSize: 16, shuffle: false } as const;
    // the same training on targets standardized by hand: history on the standardized scale
    const byHand = build();
    const z = (v: number) => (v - scaling.mean[0]) / scaling.std[0];
    const manual = await byHand.fit(X, y.map(z), { ...fit, validationData: [vX, vy.map(z)] });
    const net = build();
    net.targetScaling = scaling;
    const history = await net.fit(X, y, { ...fit, validationData: [vX, vy] });
    const std = scaling.std[0];
    expect(std).toBeGreaterThan(10); // a target in the hundreds: the units matter
    history.mae.forEach((mae, e) => expect(mae).toBeCloseTo(manual.mae[e] * std, 3));
    history.val_mae.forEach((mae, e) => expect(mae).toBeCloseTo(manual.val_mae[e] * std, 3));
    history.loss.forEach((loss, e) => expect(loss).toBeCloseTo(manual.loss[e], 5)); // the optimized loss
    const evaluation = net.evaluate(vX, vy);
    expect(evaluation.task).toBe('regression');
    if (evaluation.task !== 'regression') return;
    expect(history.val_mae.at(-1)!).toBeCloseTo(evaluation.mae, 3);
    expect(history.val_loss.at(-1)!).toBeCloseTo(evaluation.loss, 5);
  });
});

describe.each(engineNames)('examples/server.ts (%s engine)', (engine) => {
  let server: RunningServer;
  let net: Network;
  beforeAll(async () => {
    const trained = await churnNetwork(engine);
    const path = join(dir, `churn-${engine}.safetensors`);
    await trained.save(path);
    net = await Network.load(path, { engine });
    server = await startServer({ port: 0, modelPath: path, engine, log: () => {} });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers JSON records with the labels and probabilities of predictLabels and predict', async () => {
    const { status, json } = await post(server.url, { records });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.labels).toEqual(net.predictLabels(records));
    const outputs = net.predict(records);
    expect(json.probabilities).toEqual(outputs.map(([no, yes]) => ({ no, yes })));
    expect(new Set(json.labels as string[]).size).toBeGreaterThan(1); // not one constant answer
  });

  it('answers a bad record with 400 naming it, and refuses to retrain a model file', async () => {
    const { plan: _, ...noPlan } = records[1];
    const bad = await post(server.url, { records: [records[0], noPlan] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^Expected a record with the feature 'plan' for records\[1\]/);
    const retrain = await fetch(`${server.url}/retrain`, { method: 'POST' });
    expect(retrain.status).toBe(409);
  });

  it('serves its moons model by records {x1, x2} and by rows alike', async () => {
    const moons = await startServer({ port: 0, engine, log: () => {} });
    try {
      // points on the upper moon (class 0) and on the lower one (class 1)
      const rows = [
        [-0.8, 0.6],
        [1.8, -0.1],
        [0, 1],
        [1, -0.5],
      ];
      const byRecords = await post(moons.url, { records: rows.map(([x1, x2]) => ({ x1, x2 })) });
      const byRows = await post(moons.url, { rows });
      expect(byRecords.status).toBe(200);
      expect(byRecords.json).toEqual(byRows.json);
      expect(byRecords.json.labels).toEqual(['0', '1', '0', '1']);
    } finally {
      await moons.close();
    }
  });
});
