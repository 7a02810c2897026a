// A table of named columns -> a data set for fit: the one schema path that CSV, Arrow and Parquet
// files share. A reader (csv.ts, arrow.ts) turns its file into NamedColumns, cells as read (CSV
// text, Arrow numbers, strings, booleans, nulls); this file checks the options they share, learns
// a TableSchema (each feature's kind, fill and categories; the target's task and classes) or
// applies a given one (table-schema.ts), and encodes X and y through it.

import { targetScalingOf } from '../scaling.js';
import {
  DECIMAL,
  DEFAULT_MISSING_VALUES,
  encodeCells,
  encodedNames,
  type FeatureSchema,
  type TableSchema,
} from '../schema.js';
import { expectOneOf } from '../validate.js';
import type { Dataset } from './synthetic.js';
import { checkGivenSchema, readWithSchema } from './table-schema.js';
import { TargetCounter, taskFromSummary } from './target-summary.js';
import { checkOptions, invalidType, invalidValue } from './validate.js';

/** A cell as its file holds it: CSV text, or an Arrow number, string, boolean or null. */
export type Cell = string | number | boolean | null | undefined;

/** A table read from a file: its column names and a getter for each cell. */
export interface NamedColumns {
  /** The file, for errors. */
  source: string;
  names: string[];
  rows: number;
  /** False for a headerless CSV: columns named '0', '1', ... and matched by position. */
  hasHeader: boolean;
  /** Column j's cells (read once, when a column is used: an unused column may be of any type). */
  column(j: number): ArrayLike<Cell>;
  /** Where row r is, for errors: 'line 12' in a CSV, 'row 12' in an Arrow file. */
  at(r: number): string;
}

/** The options every table reader takes (fromCSV adds header and delimiter). */
export interface TableOptions {
  /** The label column: a column name, or a 0-based index. Default: the last column. */
  target?: string | number;
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
  /** The cell texts that mean missing (besides an Arrow null or NaN). Default ['', 'NA', '?']. */
  missingValues?: string[];
  /**
   * Read the file through a schema learned before (data.schema, net.schema) rather than learn
   * one: feature columns matched by name (extra columns ignored, order free, a missing one an
   * error naming it), or by position in a headerless CSV (with a count check); the target read
   * when present with the schema's classes (y is empty when the file has no target column).
   */
  schema?: TableSchema;
  /**
   * With schema: 'zeros' encodes an unseen category as all zeros, counted in a warning; 'error'
   * throws. Default: the schema's unknownCategory (itself 'zeros' by default).
   */
  unknownCategory?: 'zeros' | 'error';
}

/** X and y for fit; classNames[k] names class index k when the target holds class names. */
export interface TableDataset extends Dataset {
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

export const TABLE_OPTION_KEYS = [
  'target',
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

export type Column = string | number;

/** TableOptions, checked, with their defaults. */
export interface CheckedTableOptions {
  target: Column | undefined;
  ignored: Column[];
  targetType: 'auto' | 'number' | 'class';
  classOrder: 'sorted' | 'first-seen';
  classes: string[] | undefined;
  task: 'classification' | 'regression' | undefined;
  categorical: Column[];
  missing: 'fill' | 'error';
  missingValues: string[];
  schema: TableSchema | undefined;
  unknownCategory: 'zeros' | 'error' | undefined;
}

/**
 * Checks the shared options of reader `fn` (which also takes `extraKeys`) before any file is
 * read; returns them checked and the raw record for the reader's own keys.
 */
export function checkTableOptions(
  fn: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): { checked: CheckedTableOptions; raw: Record<string, unknown> } {
  const o = checkOptions(fn, options, [...TABLE_OPTION_KEYS, ...extraKeys]);
  const target = o.target === undefined ? undefined : checkColumn(o.target, 'target');
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
  const schema = o.schema === undefined ? undefined : checkGivenSchema(o.schema);
  if (schema) {
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
  const unknownCategory =
    o.unknownCategory === undefined
      ? undefined
      : expectOneOf(o.unknownCategory, 'unknownCategory', ['zeros', 'error']);
  const checked = {
    target,
    ignored,
    targetType,
    classOrder,
    classes,
    task,
    categorical,
    missing,
    missingValues,
    schema,
    unknownCategory,
  };
  return { checked, raw: o };
}

/** The data set a table gives: through options.schema when given, else through a schema learned from it. */
export function tableDataset(table: NamedColumns, options: CheckedTableOptions): TableDataset {
  if (options.schema) return readWithSchema(options.schema, table, options);
  const { source, names, hasHeader } = table;
  const o = options;
  const width = names.length;
  const find = (column: Column, name: string): number => findColumn(column, name, names, source);
  const t = o.target === undefined ? width - 1 : find(o.target, 'target');
  const dropped = new Set(o.ignored.map((c, i) => find(c, `ignore[${i}]`)));
  if (dropped.has(t)) {
    const i = o.ignored.findIndex((c) => find(c, 'ignore') === t);
    throw invalidValue(`ignore[${i}]`, `a column other than the target ('${names[t]}')`, o.ignored[i]);
  }
  const features = names.map((_, j) => j).filter((j) => j !== t && !dropped.has(j));
  if (features.length === 0) throw new Error(`No feature columns in ${source}: only the target is left`);

  const label = (j: number) => (hasHeader ? `'${names[j]}'` : String(j));
  const where = (r: number, j: number) => `${source} ${table.at(r)}, column ${label(j)}`;
  const missingText = new Set(o.missingValues);
  const isMissing = (c: Cell) =>
    c === null ||
    c === undefined ||
    (typeof c === 'number' && Number.isNaN(c)) ||
    (typeof c === 'string' && missingText.has(c.trim()));
  const forced = new Set(o.categorical.map((c, i) => find(c, `categorical[${i}]`)));
  if (forced.has(t))
    throw invalidValue('categorical', `feature columns, not the target ('${names[t]}')`, o.categorical);
  const rows = Array.from({ length: table.rows }, (_, r) => r);

  // each feature column's kind: numeric when every present cell is a number; categorical when
  // named in `categorical` or when fewer than half its present cells are numbers (a text column);
  // a column of numbers with a few stray texts is an error (a typo should not become a category)
  const schemaFeatures: FeatureSchema[] = features.map((j) => {
    const cells = table.column(j);
    const present = rows.filter((r) => !isMissing(cells[r]));
    if (present.length < table.rows && o.missing === 'error') {
      const r = rows.find((r) => isMissing(cells[r]))!;
      throw new Error(`Missing value in ${where(r, j)}`);
    }
    const numbers = present.filter((r) => isNumberCell(cells[r])).length;
    if (!forced.has(j) && (numbers === present.length || 2 * numbers >= present.length)) {
      const bad = present.find((r) => !isNumberCell(cells[r]));
      if (bad !== undefined) throw new Error(`Invalid number ${shownCell(cells[bad])} in ${where(bad, j)}`);
      let sum = 0;
      for (const r of present) sum += Number(cells[r]);
      return { name: names[j], kind: 'numeric', fill: present.length === 0 ? 0 : sum / present.length };
    }
    const counts = new Map<string, number>();
    for (const r of present) {
      const c = categoryOf(cells[r]);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    if (counts.size === 0) throw new Error(`Column ${label(j)} of ${source} has no values`);
    const categories = [...counts.keys()].sort();
    let fill = categories[0];
    for (const c of categories) if (counts.get(c)! > counts.get(fill)!) fill = c;
    return { name: names[j], kind: 'categorical', categories, fill };
  });

  // the target: never filled (a label cannot be guessed)
  const targetCells = table.column(t);
  for (const r of rows) if (isMissing(targetCells[r])) throw new Error(`Missing value in ${where(r, t)}`);
  const decided = decideTask(
    rows.map((r) => textOf(targetCells[r])),
    o.task ??
      (o.targetType === 'number' ? 'regression' : o.targetType === 'class' ? 'classification' : undefined),
    names[t],
  );
  const y: number[] = [];
  let classNames: string[] | undefined;
  if (decided.task === 'regression') {
    for (const r of rows) {
      const c = targetCells[r];
      if (!isNumberCell(c)) throw new Error(`Invalid number ${shownCell(c)} in ${where(r, t)}`);
      y.push(Number(c));
    }
  } else {
    const seen = [...new Set(rows.map((r) => textOf(targetCells[r])))];
    const numericNames = seen.every(isNumberText);
    classNames =
      o.classes ??
      (o.classOrder === 'first-seen'
        ? seen
        : numericNames
          ? seen.sort((a, b) => Number(a) - Number(b))
          : seen.sort());
    const index = new Map(classNames.map((name, k) => [name, k]));
    for (const r of rows) {
      const k = index.get(textOf(targetCells[r]));
      if (k === undefined) {
        throw new Error(
          `Unknown class ${shownCell(targetCells[r])} in ${where(r, t)}: not one of classes (${classNames.map((c) => `'${c}'`).join(', ')})`,
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
    missingValues: o.missingValues,
  };
  const columnOf = new Map(features.map((j) => [names[j], table.column(j)]));
  const { X } = encodeCells(
    schema,
    table.rows,
    (r, name) => columnOf.get(name)![r],
    (r, name) => `${source} ${table.at(r)}, column ${hasHeader ? `'${name}'` : name}`,
    { missing: o.missing },
  ); // the categories were learned from these rows: none is unknown
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

// --- cells

/** A decimal text as people write them (no hex, no 'Infinity', no empty string). */
export const isNumberText = (field: string | undefined): boolean =>
  field !== undefined && DECIMAL.test(field);

/** A finite number, or a text that is one. */
export function isNumberCell(c: Cell): boolean {
  return typeof c === 'number' ? Number.isFinite(c) : typeof c === 'string' && DECIMAL.test(c.trim());
}

/** A cell as a category or class name: text trimmed, a number or boolean as JS prints it. */
export function categoryOf(c: Cell): string {
  return typeof c === 'string' ? c.trim() : String(c);
}

/** A present cell as text (a class name, what decideTask reads). */
export const textOf = categoryOf;

export function shownCell(c: Cell): string {
  const text = String(c);
  return `'${text.length > 40 ? `${text.slice(0, 40)}...` : text}'`;
}

// --- the task

export { MAX_INFERRED_CLASSES } from './target-summary.js';

/** The task a target column of texts poses, with the reason (the rule: taskFromSummary). */
export function decideTask(
  fields: string[],
  forced: 'classification' | 'regression' | undefined,
  name: string,
): { task: 'classification' | 'regression'; reason: string } {
  const counter = new TargetCounter();
  if (!forced) for (const field of fields) counter.add(field);
  return taskFromSummary(counter.summary(), forced, name);
}

// --- option helpers

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

export function findColumn(column: Column, name: string, names: string[], source: string): number {
  const j = typeof column === 'number' ? column : names.indexOf(column);
  if (j < 0 || j >= names.length) {
    const list = names.slice(0, 12).map((n) => `'${n}'`);
    if (names.length > 12) list.push('...');
    const expected =
      typeof column === 'number'
        ? `a column index in 0..${names.length - 1} (${source} has ${names.length} columns)`
        : `one of the columns of ${source} (${list.join(', ')})`;
    throw invalidValue(name, expected, column);
  }
  return j;
}
