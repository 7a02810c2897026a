// What the `fastmlp` command writes, under conditions a server or a shell pipeline creates: CSV
// cells a spreadsheet would evaluate, outputs that are the same file as each other or as an
// input, a reader that closes stdout early, and a full disk. Child processes, TS engine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../lib/network.js';
import { cli } from './helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fastmlp-cli-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('predictions CSV: no cell a spreadsheet evaluates as a formula', () => {
  // OWASP's CSV injection advice: a text cell starting with = + - @ tab or CR gets a leading '.
  const names = [
    "=cmd|' /C calc'!A0",
    '+HYPERLINK("http://example.com","x")',
    '@SUM(1+1)',
    '-2+3+cmd|x',
    '\tTAB',
    '\rCR',
    '-1', // a plain number is no formula: kept as it is
    'setosa',
  ];
  const expected = names.map((n, i) => (i < 6 ? `'${n}` : n));

  it('class names from a model file are neutralized, plain numbers and names kept', async () => {
    const k = names.length;
    const net = new Network({ inputs: k, layers: [{ units: k, activation: 'softmax' }], engine: 'ts' });
    // W = 10 * identity, b = 0: the row e_c predicts class c
    const params = new Float32Array(net.parameterCount);
    for (let c = 0; c < k; c++) params[c * k + c] = 10;
    net.setParameters(params);
    net.classNames = names;
    const model = join(dir, 'hostile.safetensors');
    await net.save(model);
    const rows = names.map((_, c) => names.map((__, j) => (j === c ? 1 : 0)).join(','));
    const csv = join(dir, 'onehot.csv');
    await writeFile(csv, `${names.map((_, j) => `f${j}`).join(',')}\n${rows.join('\n')}\n`);
    const r = await cli(['predict', '--model', model, '--data', csv, '--engine', 'ts']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const table = parse(r.stdout) as string[][];
    expect(table.slice(1).map((row) => row[0])).toEqual(expected);
    expect(table[0]).toEqual(['class', ...names.map((n) => `p_${n}`)]); // start with p_: no formula
    for (const row of table.slice(1))
      for (const p of row.slice(1)) expect(Number.isFinite(Number(p))).toBe(true);
  });

  it("negative numbers in a regression model's numeric columns are kept as numbers", async () => {
    const net = new Network({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'mse',
      engine: 'ts',
    });
    net.setParameters(Float32Array.from([-2, -0.5])); // y = -2x - 0.5
    const model = join(dir, 'negative.safetensors');
    await net.save(model);
    const csv = join(dir, 'x.csv');
    await writeFile(csv, 'x\n1\n3\n');
    const r = await cli(['predict', '--model', model, '--data', csv, '--engine', 'ts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('prediction\n-2.5\n-6.5\n');
  });
});
