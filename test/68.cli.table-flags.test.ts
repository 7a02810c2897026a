// `fastmlp train`'s table flags reach datasets.fromCSV as the API's options do: --categorical
// one-hot encodes a column of numbers, --classes fixes the class order (the model numbers them
// so), --missing error stops at a blank cell naming it. Each flag is checked against the model
// file the CLI writes, next to fromCSV's own answer on the same file with the same options.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCSV } from '../lib/data/csv.js';
import { Network } from '../lib/network.js';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-table-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a store id that is a number but names a category; the label's classes in file order: yes, no
const rows = ['store,visits,label'];
for (let i = 0; i < 40; i++)
  rows.push(`${[11, 27, 35][i % 3]},${(i * 7) % 13},${i % 2 === 0 ? 'yes' : 'no'}`);
const shops = join(dir, 'shops.csv');
writeFileSync(shops, `${rows.join('\n')}\n`);
const holed = join(dir, 'holed.csv');
writeFileSync(holed, `${rows.slice(0, 5).join('\n')}\n27,,no\n${rows.slice(5).join('\n')}\n`);

const train = (data: string, out: string, ...flags: string[]) =>
  cli([
    'train',
    '--data',
    data,
    '--target',
    'label',
    '--epochs',
    '2',
    '--engine',
    'ts',
    '--out',
    out,
    ...flags,
  ]);

describe('fastmlp train: table flags', () => {
  it('--categorical and --classes shape the model as fromCSV does', async () => {
    const out = join(dir, 'shops.safetensors');
    const r = await train(shops, out, '--categorical', 'store', '--classes', 'no,yes');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const net = await Network.load(out);
    const api = fromCSV(shops, { target: 'label', categorical: ['store'], classes: ['no', 'yes'] });
    expect(net.schema?.features).toEqual(api.schema.features);
    expect(net.schema?.features[0]).toMatchObject({ name: 'store', kind: 'categorical' });
    expect(net.classNames).toEqual(['no', 'yes']);
    // without the flags: store is numeric and the classes come in file order
    const plain = join(dir, 'plain.safetensors');
    expect((await train(shops, plain)).code).toBe(0);
    const plainNet = await Network.load(plain);
    expect(plainNet.schema?.features[0]).toMatchObject({ name: 'store', kind: 'numeric' });
    expect(plainNet.classNames).toEqual(fromCSV(shops, { target: 'label' }).classNames);
  });

  it('--missing error stops at the blank cell; the default fills it', async () => {
    const r = await train(holed, join(dir, 'holed.safetensors'), '--missing', 'error');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fastmlp: Missing value in ${holed} line 6, column 'visits'\n`);
    expect((await train(holed, join(dir, 'filled.safetensors'))).code).toBe(0);
  });

  it('refuses bad values and the flags on a built-in set', async () => {
    const bad = await train(shops, join(dir, 'x.safetensors'), '--missing', 'drop');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^fastmlp: --missing expects one of fill, error but received 'drop'/);
    const twice = await train(shops, join(dir, 'x.safetensors'), '--classes', 'no,no');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--classes');
    const unknown = await train(shops, join(dir, 'x.safetensors'), '--classes', 'no');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'yes'");
    const builtin = await cli(['train', '--data', 'moons', '--categorical', 'x1', '--epochs', '1']);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toBe(
      "fastmlp: --categorical applies to table files, not the built-in 'moons' set\n",
    );
  });
});
