// datasets.streamCSV: bad options and bad files fail as fromCSV fails (the same messages, naming
// the file and line); the schema it learns in its first pass is fromCSV's; a stream fit on it
// trains what the array fit trains on fromCSV's data; its shuffle buffer yields every row once, in
// a seeded order; and under a heap cap smaller than the file needs in memory, one epoch completes
// with RSS flat between 25% and 100% of the rows (measured in a child process, bounded by bytes).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CSVOptions, datasets, Network, type StreamCSVOptions, standardize } from '../lib/index.js';
import { writeTable } from '../scripts/stream-memory-child.js';
import { engineNames } from './helpers/engine-names.js';

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-67-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** All of a stream's rows, in the order it yields them: [features..., target]. */
async function rowsOf(
  data: AsyncIterable<{ X: Float32Array; y: number[] }>,
  inputs: number,
): Promise<number[][]> {
  const rows: number[][] = [];
  for await (const { X, y } of data) {
    for (let r = 0; r < y.length; r++) rows.push([...X.subarray(r * inputs, (r + 1) * inputs), y[r]]);
  }
  return rows;
}

describe('streamCSV rejects bad arguments and bad files as fromCSV does', () => {
  it.each([
    ['', undefined, "Expected a file path for path but received ''"],
    [
      fixture('flowers.csv'),
      { shuffleBuffer: -1 },
      'Expected an integer in 0..16777216 for shuffleBuffer but received -1',
    ],
    [
      fixture('flowers.csv'),
      { batchSize: 0 },
      'Expected an integer in 1..1048576 for batchSize but received 0',
    ],
    [
      fixture('flowers.csv'),
      { shufleBuffer: 3 },
      "Unknown option 'shufleBuffer' for streamCSV; did you mean 'shuffleBuffer'?",
    ],
    [fixture('flowers.csv'), { schemaRows: 0 }, /for schemaRows but received 0/],
  ])('%s %j', async (path, options, message) => {
    await expect(datasets.streamCSV(path as string, options as StreamCSVOptions)).rejects.toThrow(message);
  });

  const same: [string, CSVOptions][] = [
    ['nope.csv', {}],
    ['empty.csv', {}],
    ['header-only.csv', {}],
    ['ragged.csv', {}],
    ['duplicate-names.csv', {}],
    ['bad-number.csv', {}],
    ['missing-value.csv', { missing: 'error' }],
    ['unclosed-quote.csv', {}],
    ['flowers.csv', { target: 'nope' }],
    ['flowers.csv', { ignore: ['species'] }],
  ];
  it.each(same)('%s %j: fromCSV\u2019s message', async (name, options) => {
    let expected = '';
    try {
      datasets.fromCSV(fixture(name), options);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).not.toBe('');
    await expect(datasets.streamCSV(fixture(name), options as StreamCSVOptions)).rejects.toThrow(expected);
  });
});

describe('streamCSV learns fromCSV\u2019s schema in its first pass', () => {
  const files: [string, CSVOptions][] = [
    ['flowers.csv', {}],
    ['customers.csv', { ignore: ['customer_id'] }],
    ['customers.csv', { ignore: ['customer_id'], target: 'monthly_spend' }],
    ['quoted.csv', { delimiter: ';', target: 'owner' }],
    ['no-header.csv', { task: 'classification' }],
    ['missing-value.csv', {}],
  ];
  it.each(files)('%s %j', async (name, options) => {
    const array = datasets.fromCSV(fixture(name), options);
    const stream = await datasets.streamCSV(fixture(name), options as StreamCSVOptions);
    expect(stream.schema).toEqual(array.schema);
    expect(stream.inputs).toBe(array.inputs);
    expect(stream.featureNames).toEqual(array.featureNames);
    expect(stream.task).toBe(array.task);
    expect(stream.taskReason).toBe(array.taskReason);
    expect(stream.classNames).toEqual(array.classNames);
    expect(stream.schemaRowsRead).toBe(array.y.length);
    if (array.targetScaling) {
      stream.targetScaling!.mean.forEach((m, c) => expect(m).toBeCloseTo(array.targetScaling!.mean[c], 9));
      stream.targetScaling!.std.forEach((s, c) => expect(s).toBeCloseTo(array.targetScaling!.std[c], 9));
    }
    // in file order, its rows are fromCSV's
    const rows = await rowsOf(
      await datasets.streamCSV(fixture(name), {
        ...(options as StreamCSVOptions),
        shuffleBuffer: 0,
        batchSize: 3,
      }),
      stream.inputs,
    );
    expect(rows).toEqual(array.X.map((x, r) => [...Float32Array.from(x), array.y[r]]));
  });
});

it('a stream carries CSVStream\u2019s fields and nothing of how it reads the file', async () => {
  const stream = await datasets.streamCSV(fixture('customers.csv'), {
    ignore: ['customer_id'],
    target: 'monthly_spend',
  });
  // one definition of the stream's state (CSVStream): no copy of the file layout, the learned
  // schema or the read options rides along as fields of its own
  expect(Object.keys(stream).sort()).toEqual(
    [
      'featureNames',
      'inputScaling',
      'inputs',
      'outputs',
      'path',
      'schema',
      'schemaRowsRead',
      'targetScaling',
      'task',
      'taskReason',
    ].sort(),
  );
  expect(JSON.parse(JSON.stringify(stream)).path).toBe(fixture('customers.csv'));
});

it('its inputScaling is standardize\u2019s on the numeric columns (no missing cell) and leaves categories as they are', async () => {
  const options: StreamCSVOptions = { ignore: ['customer_id'], categorical: ['support_tickets'] };
  const array = datasets.fromCSV(fixture('flowers.csv'));
  const stream = await datasets.streamCSV(fixture('flowers.csv'));
  const expected = standardize(array.X);
  stream.inputScaling!.mean.forEach((m, c) => expect(m).toBeCloseTo(expected.mean[c], 9));
  stream.inputScaling!.std.forEach((s, c) => expect(s).toBeCloseTo(expected.std[c], 9));
  const customers = await datasets.streamCSV(fixture('customers.csv'), options);
  const names = customers.featureNames;
  names.forEach((name, c) => {
    if (!name.includes('=')) return;
    expect([customers.inputScaling!.mean[c], customers.inputScaling!.std[c]]).toEqual([0, 1]);
  });
});

describe('the shuffle buffer', () => {
  const path = join(dir, 'counted.csv');
  writeFileSync(path, `n,label\n${Array.from({ length: 500 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);

  it('yields every row once, in an order drawn from the seed, anew each iteration', async () => {
    const data = await datasets.streamCSV(path, { shuffleBuffer: 64, batchSize: 37, seed: 9 });
    const first = (await rowsOf(data, 1)).map((row) => row[0]);
    const second = (await rowsOf(data, 1)).map((row) => row[0]);
    const fileOrder = Array.from({ length: 500 }, (_, i) => i);
    expect([...first].sort((a, b) => a - b)).toEqual(fileOrder);
    expect([...second].sort((a, b) => a - b)).toEqual(fileOrder);
    expect(first).not.toEqual(fileOrder);
    expect(second).not.toEqual(first);
    // a buffer of 64 only mixes nearby rows: no row comes out before its place minus the buffer
    first.forEach((n, k) => expect(n).toBeLessThanOrEqual(k + 64));
    const again = await datasets.streamCSV(path, { shuffleBuffer: 64, batchSize: 37, seed: 9 });
    expect((await rowsOf(again, 1)).map((row) => row[0])).toEqual(first);
  });
});

describe.each(engineNames)('a network trained on streamCSV, %s engine', (engine) => {
  const options = { ignore: ['customer_id'] };
  const make = (inputs: number) =>
    new Network({
      inputs,
      layers: [
        { units: 6, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'bce',
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 4,
      engine,
    });

  it('trains the array fit\u2019s batches (file order) and takes records afterwards', async () => {
    const array = datasets.fromCSV(fixture('customers.csv'), options);
    const data = await datasets.streamCSV(fixture('customers.csv'), {
      ...options,
      shuffleBuffer: 0,
      batchSize: 7,
    });
    const byArray = make(array.inputs);
    await byArray.fit(array.X, array.y, { epochs: 3, batchSize: 4, shuffle: false });
    const byStream = make(data.inputs);
    await byStream.fit(data, { epochs: 3, batchSize: 4 });
    expect(byStream.getParameters()).toEqual(byArray.getParameters());
    expect(byStream.schema).toEqual(array.schema);
    expect(byStream.classNames).toEqual(array.classNames);
    const record = { tenure_months: 30, plan: 'basic', city: 'Lyon', support_tickets: 2, monthly_spend: 100 };
    byArray.schema = array.schema;
    expect(byStream.predict([record])).toEqual(byArray.predict([record]));
    expect(byStream.predictLabels([record])[0]).toMatch(/^(yes|no)$/);
  });

  it('a class outside the schema rows fails the fit naming its line, and the network is unchanged', async () => {
    const path = join(dir, `late-class-${engine}.csv`);
    const lines = Array.from({ length: 300 }, (_, i) => `${i % 7},${i % 2 ? 'a' : 'b'}`);
    lines[250] = '3,c';
    writeFileSync(path, `x,label\n${lines.join('\n')}\n`);
    const data = await datasets.streamCSV(path, { schemaRows: 100, shuffleBuffer: 0 });
    expect(data.classNames).toEqual(['a', 'b']);
    const net = make(data.inputs);
    const before = net.getParameters();
    await expect(net.fit(data, { batchSize: 8 })).rejects.toThrow(
      `Unknown class 'c' in ${path} line 252, column 'label': not one of classes ('a', 'b')`,
    );
    expect(net.getParameters()).toEqual(before);
    expect(net.steps).toBe(0);
    expect(net.schema).toBeNull();
  });
});

describe('memory: one epoch of a file larger than the heap allows in memory', () => {
  const CHILD = fileURLToPath(new URL('../scripts/stream-memory-child.ts', import.meta.url));
  const HEAP_MB = 32;
  const path = join(dir, 'large.csv');
  const rows = writeTable(path, 12e6);
  const bytes = statSync(path).size;
  const run = (mode: string) =>
    spawnSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD, 'run', mode, path, engineNames[0], 'all'],
      { encoding: 'utf8', env: { ...process.env, STREAM_ROWS: String(rows) }, maxBuffer: 1 << 24 },
    );

  it('fromCSV cannot hold this file under the cap (the control)', () => {
    const control = run('array');
    expect(control.status).not.toBe(0);
  }, 300_000);

  it('streamCSV trains it with RSS flat from 25% to 100% of the rows', () => {
    const child = run('stream');
    expect(child.stderr.includes('heap out of memory') ? child.stderr : '').toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').pop() as string);
    expect(result.rows).toBe(rows);
    const [, at25, , , at100] = result.rssAtMarks as number[];
    // keeping the rows would grow RSS by several times the file (strings, arrays): half of it is generous for noise
    expect(at100 - at25).toBeLessThan(bytes / 2);
    expect(result.accuracy).toBeGreaterThan(0.8); // it learned (the labels follow the features)
  }, 300_000);
});
