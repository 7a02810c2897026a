// fromCSV: a table from a CSV file, ready for fit: numeric feature columns as number[][] and one
// target column as numbers or as class indices with their names. Parsing is csv-parse's (quotes,
// BOM, CRLF); every fault in the file is an Error naming the file, the line and the column.

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expectOneOf } from '../validate.js';
import type { Dataset } from './synthetic.js';
import { checkOptions, invalidType, invalidValue } from './validate.js';

export interface CSVOptions {
  /** The label column: a column name, or a 0-based index. Default: the last column. */
  target?: string | number;
  /**
   * Whether the first row holds column names. 'auto' (default): yes when one of its fields is not
   * a number in a column that holds numbers further down (so a text label in the first data row
   * is not mistaken for a header). Without a header, columns are named '0', '1', ...
   */
  header?: 'auto' | boolean;
  /** The field separator: a non-empty string without quotes or line breaks. Default ','. */
  delimiter?: string;
  /** Columns to leave out (names or 0-based indices), never the target. Default: none. */
  ignore?: (string | number)[];
  /**
   * How the target is read. 'auto' (default): numbers when every value is a number, classes
   * otherwise; 'number': numbers (a non-number is an error); 'class': class names, even if numeric.
   */
  targetType?: 'auto' | 'number' | 'class';
  /** Which index each class gets: 'sorted' (default; by UTF-16 code units) or 'first-seen'. */
  classOrder?: 'sorted' | 'first-seen';
}

/** X and y for fit; classNames[k] names class index k when the target holds class names. */
export interface CSVDataset extends Dataset {
  featureNames: string[];
}

const KEYS = ['target', 'header', 'delimiter', 'ignore', 'targetType', 'classOrder'] as const;
/** A decimal number as people write them: no hex, no 'Infinity', no empty string. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isNumber = (field: string | undefined): boolean => field !== undefined && NUMBER.test(field);

type Column = string | number;
interface Row {
  fields: string[];
  line: number;
}

/**
 * Reads a CSV file (synchronously) into { X, y, featureNames, classNames? }. Empty lines are
 * skipped; fields are trimmed; a line number is the line where its record ends.
 */
export function fromCSV(path: string, options?: CSVOptions): CSVDataset {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidType('path', 'a file path', path);
  }
  const o = checkOptions('fromCSV', options, KEYS);
  const target = o.target === undefined ? undefined : checkColumn(o.target, 'target');
  const header = o.header ?? 'auto';
  if (header !== 'auto' && typeof header !== 'boolean') {
    throw invalidType('header', "'auto', true or false", header);
  }
  const delimiter = o.delimiter ?? ',';
  if (typeof delimiter !== 'string') throw invalidType('delimiter', 'a string', delimiter);
  if (delimiter === '' || /["\r\n]/.test(delimiter)) {
    throw invalidValue('delimiter', 'a non-empty string without quotes or line breaks', delimiter);
  }
  const ignore = o.ignore ?? [];
  if (!Array.isArray(ignore)) throw invalidType('ignore', 'an array of column names or indices', ignore);
  const ignored = ignore.map((c, i) => checkColumn(c, `ignore[${i}]`));
  const targetType = expectOneOf(o.targetType ?? 'auto', 'targetType', ['auto', 'number', 'class']);
  const classOrder = expectOneOf(o.classOrder ?? 'sorted', 'classOrder', ['sorted', 'first-seen']);

  const rows = readRows(path, delimiter);
  if (rows.length === 0) throw new Error(`No data in ${path}: the file is empty`);
  const hasHeader = header === 'auto' ? looksLikeHeader(rows) : header;
  const width = rows[0].fields.length;
  const names = hasHeader ? rows[0].fields : Array.from({ length: width }, (_, j) => String(j));
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new Error(`No data in ${path}: only a header (line ${rows[0].line})`);
  const duplicate = names.find((name, j) => names.indexOf(name) !== j);
  if (duplicate !== undefined) {
    throw new Error(`Duplicate column name '${duplicate}' in ${path} line ${rows[0].line}`);
  }
  for (const row of data) {
    if (row.fields.length !== width) {
      throw new Error(
        `Ragged row in ${path} line ${row.line}: ${row.fields.length} fields but the ${hasHeader ? 'header has' : 'first row has'} ${width}`,
      );
    }
  }

  const find = (column: Column, name: string): number => findColumn(column, name, names, path);
  const t = target === undefined ? width - 1 : find(target, 'target');
  const dropped = new Set(ignored.map((c, i) => find(c, `ignore[${i}]`)));
  if (dropped.has(t)) {
    const i = ignored.findIndex((c) => find(c, 'ignore') === t);
    throw invalidValue(`ignore[${i}]`, `a column other than the target ('${names[t]}')`, ignored[i]);
  }
  const features = names.map((_, j) => j).filter((j) => j !== t && !dropped.has(j));
  if (features.length === 0) throw new Error(`No feature columns in ${path}: only the target is left`);

  const label = (j: number) => (hasHeader ? `'${names[j]}'` : String(j));
  const number = (row: Row, j: number): number => {
    const field = row.fields[j];
    if (field === '') throw new Error(`Missing value in ${path} line ${row.line}, column ${label(j)}`);
    if (!NUMBER.test(field)) {
      const shown = field.length > 40 ? `${field.slice(0, 40)}...` : field;
      throw new Error(`Invalid number '${shown}' in ${path} line ${row.line}, column ${label(j)}`);
    }
    return Number(field);
  };
  const numeric =
    targetType === 'number' || (targetType === 'auto' && data.every((row) => isNumber(row.fields[t])));
  const X: number[][] = [];
  const y: number[] = [];
  for (const row of data) {
    X.push(features.map((j) => number(row, j)));
    if (numeric) y.push(number(row, t));
    else if (row.fields[t] === '') {
      throw new Error(`Missing value in ${path} line ${row.line}, column ${label(t)}`);
    }
  }
  const featureNames = features.map((j) => names[j]);
  if (numeric) return { X, y, featureNames };
  const seen = [...new Set(data.map((row) => row.fields[t]))];
  const classNames = classOrder === 'sorted' ? seen.sort() : seen;
  const index = new Map(classNames.map((name, k) => [name, k]));
  for (const row of data) y.push(index.get(row.fields[t])!);
  return { X, y, featureNames, classNames };
}

function readRows(path: string, delimiter: string): Row[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EISDIR'
          ? 'not a regular file'
          : (cause as Error).message;
    throw new Error(`Cannot read CSV file ${path}: ${why}`, { cause });
  }
  try {
    const records = parse(text, {
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ fields: record, line: info.lines }));
  } catch (cause) {
    throw new Error(`Cannot parse ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** A header when a first-row field is not a number in a column holding a number below it. */
function looksLikeHeader(rows: Row[]): boolean {
  const first = rows[0].fields;
  if (rows.length === 1) return !first.every(isNumber);
  return first.some(
    (field, j) => !isNumber(field) && rows.some((row, r) => r > 0 && isNumber(row.fields[j])),
  );
}

function checkColumn(value: unknown, name: string): Column {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') throw invalidType(name, 'a column name or index', value);
  if (!Number.isInteger(value) || value < 0) {
    throw invalidValue(name, 'a column name or a non-negative integer index', value);
  }
  return value;
}

function findColumn(column: Column, name: string, names: string[], path: string): number {
  const j = typeof column === 'number' ? column : names.indexOf(column);
  if (j < 0 || j >= names.length) {
    const list = names.slice(0, 12).map((n) => `'${n}'`);
    if (names.length > 12) list.push('...');
    const expected =
      typeof column === 'number'
        ? `a column index in 0..${names.length - 1} (${path} has ${names.length} columns)`
        : `one of the columns of ${path} (${list.join(', ')})`;
    throw invalidValue(name, expected, column);
  }
  return j;
}
