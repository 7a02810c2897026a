// fromCSV: a table from a CSV file, ready for fit: numeric feature columns as number[][] and one
// target column as numbers or as class indices with their names. Parsing is csv-parse's (quotes,
// BOM, CRLF); every fault in the file is an Error naming the file, the line and the column.

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { targetScalingOf } from '../scaling.js';
import {
  DEFAULT_MISSING_VALUES,
  encodeCells,
  encodedNames,
  type FeatureSchema,
  type TableSchema,
} from '../schema.js';
import { expectOneOf } from '../validate.js';
import { checkGivenSchema, readWithSchema } from './csv-schema.js';
import type { Dataset } from './synthetic.js';
import { TargetCounter, taskFromSummary } from './target-summary.js';
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
  /**
   * The class names in index order (classification): fixes the order, so a file holding only
   * some classes (one, for an evaluation file) numbers them as training did. A target value not
   * in it is an error. Default: the classes found, in classOrder.
   */
  classes?: string[];
  /** 'classification' or 'regression'; default: inferred from the target (see decideTask). */
  task?: 'classification' | 'regression';
  /** Feature columns (names or indices) to treat as categories even when they hold numbers. */
  categorical?: (string | number)[];
  /** 'fill' (default): a missing feature cell takes the column's fill value; 'error': an Error. */
  missing?: 'fill' | 'error';
  /** The cell texts that mean missing. Default ['', 'NA', '?']. */
  missingValues?: string[];
  /**
   * Read the file through a schema learned before (data.schema, net.schema) rather than learn
   * one: feature columns matched by name (extra columns ignored, order free, a missing one an
   * error naming it), or by position in a headerless file (with a count check); the target read
   * when present with the schema's classes (y is empty when the file has no target column).
   */
  schema?: TableSchema;
  /** With schema: 'zeros' (default) encodes an unseen category as all zeros, counted in a warning; 'error' throws. */
  unknownCategory?: 'zeros' | 'error';
}

/** X and y for fit; classNames[k] names class index k when the target holds class names. */
export interface CSVDataset extends Dataset {
  /** X's column names: a numeric column's name, 'column=category' per category of a categorical one. */
  featureNames: string[];
  /** How each column was read and is encoded, for `net.schema = data.schema`. */
  readonly schema: TableSchema;
  /** X's width, for `new Network({ inputs: data.inputs, ... })`. */
  readonly inputs: number;
  /** The task, given or inferred. */
  readonly task: 'classification' | 'regression';
  /** Why that task: the option, or what the target holds. */
  readonly taskReason: string;
  /** A regression target's mean and std, for `net.targetScaling = data.targetScaling`. */
  readonly targetScaling?: { mean: number[]; std: number[] };
}

const KEYS = [
  'target',
  'header',
  'delimiter',
  'ignore',
  'targetType',
  'classOrder',
  'classes',
  'task',
  'categorical',
  'missing',
  'missingValues',
  'schema',
  'unknownCategory',
] as const;
/** A decimal number as people write them: no hex, no 'Infinity', no empty string. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const isNumber = (field: string | undefined): boolean => field !== undefined && NUMBER.test(field);

export type Column = string | number;
export interface Row {
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

  const classes = o.classes === undefined ? undefined : stringList(o.classes, 'classes');
  if (classes && (classes.length === 0 || new Set(classes).size !== classes.length)) {
    throw invalidValue('classes', 'a non-empty array of distinct class names', classes);
  }
  const task =
    o.task === undefined ? undefined : expectOneOf(o.task, 'task', ['classification', 'regression']);
  if (classes && task === 'regression')
    throw invalidValue('classes', 'no classes for a regression task', classes);
  const categoricalOption = o.categorical ?? [];
  if (!Array.isArray(categoricalOption)) {
    throw invalidType('categorical', 'an array of column names or indices', categoricalOption);
  }
  const categorical = categoricalOption.map((c, i) => checkColumn(c, `categorical[${i}]`));
  const missing = expectOneOf(o.missing ?? 'fill', 'missing', ['fill', 'error']);
  const missingValues =
    o.missingValues === undefined
      ? [...DEFAULT_MISSING_VALUES]
      : stringList(o.missingValues, 'missingValues');

  const given = o.schema === undefined ? undefined : checkGivenSchema(o.schema);
  if (given) {
    for (const key of [
      'ignore',
      'categorical',
      'task',
      'classes',
      'targetType',
      'classOrder',
      'missingValues',
    ] as const) {
      if (o[key] !== undefined) {
        throw invalidValue(
          key,
          'no value with schema (the schema fixes the columns, classes and task)',
          o[key],
        );
      }
    }
  }
  const unknownCategory = expectOneOf(o.unknownCategory ?? 'zeros', 'unknownCategory', ['zeros', 'error']);

  const rows = readRows(path, delimiter);
  if (rows.length === 0) throw new Error(`No data in ${path}: the file is empty`);
  const namedByHeader = given?.features.every((f) => rows[0].fields.includes(f.name)) ?? false;
  const hasHeader = header === 'auto' ? namedByHeader || looksLikeHeader(rows) : header;
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

  if (given) {
    return readWithSchema(given, { path, names, data, hasHeader, target, missing, unknownCategory });
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
  const missingText = new Set(missingValues);
  const isMissing = (field: string) => missingText.has(field);
  const forced = new Set(categorical.map((c, i) => find(c, `categorical[${i}]`)));
  if (forced.has(t))
    throw invalidValue('categorical', `feature columns, not the target ('${names[t]}')`, categorical);

  // each feature column's kind: numeric when every present cell is a number; categorical when
  // named in `categorical` or when fewer than half its present cells are numbers (a text column);
  // a column of numbers with a few stray texts is an error (a typo should not become a category)
  const schemaFeatures: FeatureSchema[] = features.map((j) => {
    const present = data.filter((row) => !isMissing(row.fields[j]));
    if (present.length < data.length && missing === 'error') {
      const row = data.find((row) => isMissing(row.fields[j]))!;
      throw new Error(`Missing value in ${path} line ${row.line}, column ${label(j)}`);
    }
    const numbers = present.filter((row) => isNumber(row.fields[j])).length;
    if (!forced.has(j) && (numbers === present.length || 2 * numbers >= present.length)) {
      const bad = present.find((row) => !isNumber(row.fields[j]));
      if (bad) {
        const field = bad.fields[j];
        const shown = field.length > 40 ? `${field.slice(0, 40)}...` : field;
        throw new Error(`Invalid number '${shown}' in ${path} line ${bad.line}, column ${label(j)}`);
      }
      let sum = 0;
      for (const row of present) sum += Number(row.fields[j]);
      return { name: names[j], kind: 'numeric', fill: present.length === 0 ? 0 : sum / present.length };
    }
    const counts = new Map<string, number>();
    for (const row of present) counts.set(row.fields[j], (counts.get(row.fields[j]) ?? 0) + 1);
    if (counts.size === 0) throw new Error(`Column ${label(j)} of ${path} has no values`);
    const categories = [...counts.keys()].sort();
    let fill = categories[0];
    for (const c of categories) if (counts.get(c)! > counts.get(fill)!) fill = c;
    return { name: names[j], kind: 'categorical', categories, fill };
  });

  // the target: never filled (a label cannot be guessed)
  for (const row of data) {
    if (isMissing(row.fields[t]))
      throw new Error(`Missing value in ${path} line ${row.line}, column ${label(t)}`);
  }
  const decided = decideTask(
    data.map((row) => row.fields[t]),
    task ?? (targetType === 'number' ? 'regression' : targetType === 'class' ? 'classification' : undefined),
    names[t],
  );
  const y: number[] = [];
  let classNames: string[] | undefined;
  if (decided.task === 'regression') {
    for (const row of data) {
      const field = row.fields[t];
      if (!NUMBER.test(field)) {
        const shown = field.length > 40 ? `${field.slice(0, 40)}...` : field;
        throw new Error(`Invalid number '${shown}' in ${path} line ${row.line}, column ${label(t)}`);
      }
      y.push(Number(field));
    }
  } else {
    const seen = [...new Set(data.map((row) => row.fields[t]))];
    const numericNames = seen.every(isNumber);
    classNames =
      classes ??
      (classOrder === 'first-seen'
        ? seen
        : numericNames
          ? seen.sort((a, b) => Number(a) - Number(b))
          : seen.sort());
    const index = new Map(classNames.map((name, k) => [name, k]));
    for (const row of data) {
      const k = index.get(row.fields[t]);
      if (k === undefined) {
        throw new Error(
          `Unknown class '${row.fields[t]}' in ${path} line ${row.line}, column ${label(t)}: not one of classes (${classNames.map((c) => `'${c}'`).join(', ')})`,
        );
      }
      y.push(k);
    }
  }
  const schema: TableSchema = {
    features: schemaFeatures,
    target: names[t],
    task: decided.task,
    classNames: classNames ?? null,
    missingValues,
  };
  const { X, unknownCategories } = encodeCells(
    schema,
    data.length,
    (r, name) => data[r].fields[names.indexOf(name)],
    (r, name) => `${path} line ${data[r].line}, column ${hasHeader ? `'${name}'` : name}`,
    { missing },
  );
  void unknownCategories; // the categories were learned from these rows: none is unknown
  const featureNames = encodedNames(schema);
  return {
    X,
    y,
    featureNames,
    ...(classNames ? { classNames } : {}),
    schema,
    inputs: featureNames.length,
    task: decided.task,
    taskReason: decided.reason,
    ...(decided.task === 'regression' ? { targetScaling: targetScalingOf(y) } : {}),
  };
}

export { MAX_INFERRED_CLASSES } from './target-summary.js';

/** The task a target column poses, with the reason (target-summary.ts taskFromSummary). */
export function decideTask(
  fields: string[],
  forced: 'classification' | 'regression' | undefined,
  name: string,
): { task: 'classification' | 'regression'; reason: string } {
  if (forced) return taskFromSummary(new TargetCounter().summary(), forced, name);
  const counter = new TargetCounter();
  for (const field of fields) counter.add(field);
  return taskFromSummary(counter.summary(), forced, name);
}

export function readRows(path: string, delimiter: string): Row[] {
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
export function looksLikeHeader(rows: Row[]): boolean {
  const first = rows[0].fields;
  if (rows.length === 1) return !first.every(isNumber);
  return first.some(
    (field, j) => !isNumber(field) && rows.some((row, r) => r > 0 && isNumber(row.fields[j])),
  );
}

export function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw invalidType(name, 'an array of strings', value);
  const list = Array.from(value as unknown[]);
  list.forEach((v, i) => {
    if (typeof v !== 'string') throw invalidType(`${name}[${i}]`, 'a string', v);
  });
  return list as string[];
}

export function checkColumn(value: unknown, name: string): Column {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') throw invalidType(name, 'a column name or index', value);
  if (!Number.isInteger(value) || value < 0) {
    throw invalidValue(name, 'a column name or a non-negative integer index', value);
  }
  return value;
}

export function findColumn(column: Column, name: string, names: string[], path: string): number {
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
