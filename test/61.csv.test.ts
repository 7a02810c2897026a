// fromCSV (lib/data/csv.ts): bad options and bad files first (exact messages naming the file, line
// and column), then header detection, targets (numeric, categorical, chosen, ignored columns),
// quoting and delimiters, and a round trip of iris through a temporary CSV file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CSVOptions, fromCSV } from '../lib/data/csv.js';
import { iris } from '../lib/data/index.js';

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const flowers = fixture('flowers.csv');
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

describe('fromCSV rejects bad arguments', () => {
  type Case = { options: unknown; path: unknown; type: ErrorConstructor; message: string };
  const T = (options: unknown, message: string, path: unknown = flowers): Case => ({
    options,
    path,
    type: TypeError,
    message,
  });
  const R = (options: unknown, message: string): Case => ({
    options,
    path: flowers,
    type: RangeError,
    message,
  });
  const DELIMITER = 'Expected a non-empty string without quotes or line breaks for delimiter but received';
  const INDEX = 'Expected a column name or a non-negative integer index for target but received';
  const COLUMNS = "('sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species')";
  const cases: Case[] = [
    T({}, "Expected a file path for path but received ''", ''),
    T({}, 'Expected a file path for path but received 5', 5),
    T('x', "Expected an object for the options of fromCSV but received 'x'"),
    T({ targt: 'species' }, "Unknown option 'targt' for fromCSV; did you mean 'target'?"),
    T({ target: true }, 'Expected a column name or index for target but received true of type boolean'),
    R({ target: -1 }, `${INDEX} -1`),
    R({ target: 1.5 }, `${INDEX} 1.5`),
    T({ header: 'yes' }, "Expected 'auto', true or false for header but received 'yes'"),
    R({ delimiter: '' }, `${DELIMITER} ''`),
    R({ delimiter: '"' }, `${DELIMITER} '"'`),
    T({ delimiter: 9 }, 'Expected a string for delimiter but received 9'),
    T(
      { ignore: 'species' },
      "Expected an array of column names or indices for ignore but received 'species'",
    ),
    T({ ignore: [null] }, 'Expected a column name or index for ignore[0] but received null'),
    R(
      { targetType: 'numbr' },
      "Expected one of 'auto', 'number', 'class' for targetType but received 'numbr'; did you mean 'number'?",
    ),
    T({ classOrder: 1 }, "Expected one of 'sorted', 'first-seen' for classOrder but received 1"),
    R(
      { target: 'speces' },
      `Expected one of the columns of ${flowers} ${COLUMNS} for target but received 'speces'`,
    ),
    R({ target: 9 }, `Expected a column index in 0..4 (${flowers} has 5 columns) for target but received 9`),
    R(
      { ignore: ['petal_width', 'species'] },
      "Expected a column other than the target ('species') for ignore[1] but received 'species'",
    ),
    {
      ...R({ ignore: [0, 1, 2, 3] }, `No feature columns in ${flowers}: only the target is left`),
      type: Error,
    },
  ];
  it.each(cases)('$message', ({ options, path, type, message }) => {
    const run = () => fromCSV(path as string, options as CSVOptions);
    expect(run).toThrow(new type(message));
    expect(run).toThrow(type);
  });
});

describe('fromCSV rejects bad files, naming the file, line and column', () => {
  // [fixture, options, message]; a fixture's path is f(name)
  const f = fixture;
  const cases: [string, CSVOptions, string][] = [
    ['nope.csv', {}, `Cannot read CSV file ${f('nope.csv')}: no such file or directory`],
    ['', {}, `Cannot read CSV file ${f('')}: not a regular file`],
    ['empty.csv', {}, `No data in ${f('empty.csv')}: the file is empty`],
    ['blank-lines.csv', {}, `No data in ${f('blank-lines.csv')}: the file is empty`],
    ['header-only.csv', {}, `No data in ${f('header-only.csv')}: only a header (line 1)`],
    ['bad-number.csv', {}, `Invalid number 'abc' in ${f('bad-number.csv')} line 7, column 'petal_width'`],
    ['hex.csv', {}, `Invalid number '0x10' in ${f('hex.csv')} line 2, column 'a'`],
    ['hex.csv', { ignore: ['a'] }, `Invalid number 'Infinity' in ${f('hex.csv')} line 3, column 'b'`],
    [
      'missing-value.csv',
      { missing: 'error' },
      `Missing value in ${f('missing-value.csv')} line 3, column 'y'`,
    ],
    ['ragged.csv', {}, `Ragged row in ${f('ragged.csv')} line 4: 3 fields but the header has 4`],
    [
      'ragged.csv',
      { header: false },
      `Ragged row in ${f('ragged.csv')} line 4: 3 fields but the first row has 4`,
    ],
    ['duplicate-names.csv', {}, `Duplicate column name 'a' in ${f('duplicate-names.csv')} line 1`],
    [
      'flowers.csv',
      { targetType: 'number' },
      `Invalid number 'virginica' in ${flowers} line 2, column 'species'`,
    ],
  ];
  it.each(cases)('%s %j', (name, options, message) => {
    expect(() => fromCSV(fixture(name), options)).toThrow(new Error(message));
  });

  it('passes on the parser message for broken quoting', () => {
    const path = fixture('unclosed-quote.csv');
    expect(() => fromCSV(path)).toThrow(
      new Error(
        `Cannot parse ${path}: Quote Not Closed: the parsing is finished with an opening quote at line 2`,
      ),
    );
  });
});

describe('fromCSV reads tables', () => {
  it('detects a header and maps a text target to sorted class indices', () => {
    expect(fromCSV(flowers)).toMatchObject({
      X: [
        [6.3, 3.3, 6.0, 2.5],
        [5.1, 3.5, 1.4, 0.2],
        [7.0, 3.2, 4.7, 1.4],
        [4.9, 3.0, 1.4, 0.2],
        [5.8, 2.7, 5.1, 1.9],
      ],
      y: [2, 0, 1, 0, 2],
      featureNames: FEATURES,
      classNames: ['setosa', 'versicolor', 'virginica'],
    });
  });

  it('orders classes as first seen when asked', () => {
    const table = fromCSV(flowers, { classOrder: 'first-seen' });
    expect(table.classNames).toEqual(['virginica', 'setosa', 'versicolor']);
    expect(table.y).toEqual([0, 1, 2, 1, 0]);
  });

  it('takes the target and ignored columns by name or index', () => {
    const table = fromCSV(flowers, { target: 'petal_width', ignore: ['species', 0] });
    expect(table.featureNames).toEqual(['sepal_width', 'petal_length']);
    expect(table.X[0]).toEqual([3.3, 6.0]);
    expect(table.y).toEqual([2.5, 0.2, 1.4, 0.2, 1.9]);
    expect(table.classNames).toBeUndefined();
    expect(fromCSV(flowers, { target: 3, ignore: [4, 'sepal_length'] })).toEqual(table);
  });

  it('reads a numeric file without a header, naming columns by index', () => {
    const path = fixture('no-header.csv');
    const expected = {
      X: [
        [1.5, 2],
        [-3, 0.4],
        [0.5, 6],
        [0, 0],
      ],
      y: [0, 1, 2, 1],
      featureNames: ['0', '1'],
    };
    expect(fromCSV(path)).toMatchObject(expected);
    expect(fromCSV(path, { header: false })).toMatchObject(expected);
    expect(fromCSV(path, { target: '0' }).featureNames).toEqual(['1', '2']);
    expect(fromCSV(path, { targetType: 'class' }).classNames).toEqual(['0', '1', '2']);
    // three rows of integer labels 1, 2, 1: two distinct values read as classes
    expect(fromCSV(path, { header: true })).toMatchObject({
      X: expected.X.slice(1),
      y: [0, 1, 0],
      classNames: ['1', '2'],
      task: 'classification',
      featureNames: ['1.5', '2'],
    });
    expect(fromCSV(path, { header: true, task: 'regression' }).y).toEqual(expected.y.slice(1));
  });

  it('does not take a first row with a text label for a header', () => {
    expect(fromCSV(fixture('text-label-no-header.csv'))).toMatchObject({
      X: [
        [0.1, 0.2],
        [0.3, 0.4],
        [0.5, 0.6],
      ],
      y: [0, 1, 0],
      featureNames: ['0', '1'],
      classNames: ['cat', 'dog'],
    });
  });

  it('reads quoted fields, another delimiter, CRLF line ends and a BOM', () => {
    expect(fromCSV(fixture('quoted.csv'), { delimiter: ';' })).toMatchObject({
      X: [
        [1.5, 2],
        [3, 4],
        [5, 6],
      ],
      y: [1, 0, 1],
      featureNames: ['width; cm', 'height, cm'],
      classNames: ['Doe, A.', 'Smith; J.'],
    });
  });
});

describe('iris round trip through a CSV file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fastmlp-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote: features, labels, names', () => {
    const set = iris();
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const lines = [[...set.featureNames!, 'species'].map(quote).join(',')];
    set.X.forEach((row, i) => lines.push([...row.map(String), quote(set.classNames![set.y[i]])].join(',')));
    const path = join(dir, 'iris.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const table = fromCSV(path, { target: 'species' });
    expect(table).toMatchObject({
      X: set.X,
      y: set.y,
      featureNames: set.featureNames,
      classNames: set.classNames,
    });
  });
});
