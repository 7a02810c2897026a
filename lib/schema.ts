// A table's schema, kept with the model that trained on it: each feature column by name and kind
// (numeric with its fill value, or categorical with its categories, one-hot encoded, and its fill
// value), the target's name, the task and the class names. It turns records (plain objects keyed
// by column name, as a server receives JSON) or named CSV cells into the network's input rows, so
// the model, not the caller, knows how its inputs were encoded.
import { TABLE_DEFAULTS } from './engine/contract.js';
import { invalidArgument, isPlainObject, outOfRange } from './validate.js';

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /** The value of a missing cell: the training column's mean. */
  fill: number;
}

export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** One input per category, in this order (sorted by UTF-16 code units when learned from a file). */
  categories: string[];
  /** The category of a missing cell: the training column's most frequent one. */
  fill: string;
}

export type FeatureSchema = NumericFeature | CategoricalFeature;

export type SchemaTask = 'classification' | 'regression';

export interface TableSchema {
  features: FeatureSchema[];
  /** The target column's name; null when unknown. */
  target: string | null;
  task: SchemaTask;
  /** Class k's name (classification); null for regression. */
  classNames: string[] | null;
  /** The cell texts that mean "missing" (besides null and undefined in records). */
  missingValues: string[];
  /**
   * What predict, predictClasses, predictLabels and evaluate do with a record (or a file read
   * through this schema without its own unknownCategory option) holding a category unseen in
   * training: 'zeros' (the default when absent) encodes it as all zeros, counted in a process
   * warning; 'error' throws naming the record and the feature. Kept with the model, as
   * scikit-learn's OneHotEncoder keeps handle_unknown.
   */
  unknownCategory?: 'zeros' | 'error';
}

/** What encoding does with a missing cell or an unseen category. */
export interface EncodeOptions {
  /** 'fill' (default): the feature's fill value; 'error': an Error naming the row and column. */
  missing?: 'fill' | 'error';
  /** 'zeros' (default): all of the feature's inputs 0, counted; 'error': an Error naming it. */
  unknownCategory?: 'zeros' | 'error';
}

/** The cell texts read as missing unless fromCSV's missingValues says otherwise. */
export const DEFAULT_MISSING_VALUES: readonly string[] = TABLE_DEFAULTS.missingValues;

/** A decimal number as people write them: no hex, no 'Infinity', no empty string. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** How many network inputs a schema's features take: 1 per numeric, one per category. */
export function encodedWidth(schema: Pick<TableSchema, 'features'>): number {
  let width = 0;
  for (const f of schema.features) width += f.kind === 'numeric' ? 1 : f.categories.length;
  return width;
}

/** The encoded inputs' names: a numeric feature's name, or 'name=category' per category. */
export function encodedNames(schema: Pick<TableSchema, 'features'>): string[] {
  return schema.features.flatMap((f) =>
    f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`),
  );
}

/** The result of encoding: the rows and how many cells held a category unseen in training. */
export interface Encoded {
  X: number[][];
  unknownCategories: number;
}

/**
 * Encodes rows given by a cell getter: cell(r, name) is the raw value of row r's column `name`
 * (a number, a string, null/undefined for missing). `where(r, name)` describes a cell for errors.
 */
export function encodeCells(
  schema: TableSchema,
  rows: number,
  cell: (r: number, name: string) => unknown,
  where: (r: number, name: string) => string,
  options: EncodeOptions = {},
): Encoded {
  const width = encodedWidth(schema);
  const encode = rowEncoder(schema, cell, where, options);
  const X: number[][] = [];
  let unknownCategories = 0;
  for (let r = 0; r < rows; r++) {
    const out = new Array<number>(width).fill(0);
    unknownCategories += encode(r, out, 0);
    X.push(out);
  }
  return { X, unknownCategories };
}

/**
 * encodeCells one row at a time, into out[offset, offset + width) (zeroed first), for callers that
 * keep their rows in a buffer of their own (streamCSV); returns how many of the row's cells held
 * an unseen category.
 */
export function rowEncoder(
  schema: TableSchema,
  cell: (r: number, name: string) => unknown,
  where: (r: number, name: string) => string,
  options: EncodeOptions = {},
): (r: number, out: number[] | Float32Array, offset: number) => number {
  const width = encodedWidth(schema);
  const missingText = new Set(schema.missingValues);
  const features = schema.features;
  const indexes = features.map((f) =>
    f.kind === 'categorical' ? new Map(f.categories.map((c, k) => [c, k])) : null,
  );
  return (r, out, offset) => {
    out.fill(0, offset, offset + width);
    let unknownCategories = 0;
    let at = offset;
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      let v = cell(r, f.name);
      const missing =
        v === null ||
        v === undefined ||
        (typeof v === 'number' && Number.isNaN(v)) ||
        (typeof v === 'string' && missingText.has(v.trim()));
      if (missing) {
        if (options.missing === 'error') throw new Error(`Missing value in ${where(r, f.name)}`);
        v = f.fill;
      }
      if (f.kind === 'numeric') {
        let x: number;
        if (typeof v === 'number') x = v;
        else if (typeof v === 'string' && DECIMAL.test(v.trim())) x = Number(v.trim());
        else if (typeof v === 'boolean') x = v ? 1 : 0;
        else throw new Error(`Invalid number ${shown(v)} in ${where(r, f.name)}`);
        if (!Number.isFinite(x)) throw new Error(`Invalid number ${shown(v)} in ${where(r, f.name)}`);
        out[at] = x;
        at += 1;
      } else {
        if (typeof v === 'object') throw new Error(`Invalid category ${shown(v)} in ${where(r, f.name)}`);
        const k = indexes[j]!.get(String(v).trim());
        if (k === undefined) {
          if (options.unknownCategory === 'error') {
            throw new Error(
              `Unknown category ${shown(v)} in ${where(r, f.name)}; the model knows ${listed(f.categories)}`,
            );
          }
          unknownCategories += 1;
        } else out[at + k] = 1;
        at += f.categories.length;
      }
    }
    return unknownCategories;
  };
}

/**
 * Encodes records (plain objects keyed by feature name; extra keys ignored, a missing key an
 * error naming it) into input rows. `name` names the argument in errors.
 */
export function encodeRecords(
  schema: TableSchema,
  records: readonly unknown[],
  name: string,
  options: EncodeOptions = {},
): Encoded {
  records.forEach((record, r) => {
    if (!isPlainObject(record)) {
      throw invalidArgument(`${name}[${r}]`, 'a record (an object keyed by feature name)', record);
    }
    for (const f of schema.features) {
      if (!Object.hasOwn(record, f.name)) {
        throw outOfRange(`${name}[${r}]`, `a record with the feature '${f.name}'`, record);
      }
      const v = record[f.name];
      const at = `${name}[${r}].${f.name}`;
      if (v === null || v === undefined) continue; // missing: filled (or refused) by encodeCells
      if (f.kind === 'numeric') {
        if (typeof v === 'number') {
          if (!Number.isFinite(v) && !Number.isNaN(v)) throw outOfRange(at, 'a finite number', v);
        } else if (typeof v !== 'string' && typeof v !== 'boolean') {
          throw invalidArgument(at, 'a number (or null when missing)', v);
        } else if (
          typeof v === 'string' &&
          !DECIMAL.test(v.trim()) &&
          !schema.missingValues.includes(v.trim())
        ) {
          throw invalidArgument(at, 'a number (or null when missing)', v);
        }
      } else if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw invalidArgument(at, `a category (one of ${listed(f.categories)})`, v);
      }
    }
  });
  const encoded = encodeCells(
    schema,
    records.length,
    (r, key) => (records[r] as Record<string, unknown>)[key],
    (r, key) => `${name}[${r}].${key}`,
    options,
  );
  warnUnknown(encoded.unknownCategories, name);
  return encoded;
}

/** One process warning counting the cells whose category the model never saw (encoded as zeros). */
export function warnUnknown(count: number, where: string): void {
  if (count > 0) {
    process.emitWarning(
      `${count} cell${count === 1 ? '' : 's'} of ${where} held a category unseen in training, encoded as all zeros`,
      { code: 'FASTMLP_UNKNOWN_CATEGORY' },
    );
  }
}

/** True when X is an array of records (plain objects) rather than rows of numbers. */
export function isRecords(X: unknown): X is Record<string, unknown>[] {
  return Array.isArray(X) && X.length > 0 && isPlainObject(X[0]);
}

function shown(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return `'${text.length > 40 ? `${text.slice(0, 40)}...` : text}'`;
}

function listed(names: string[]): string {
  const list = names.slice(0, 12).map((n) => `'${n}'`);
  if (names.length > 12) list.push('...');
  return list.join(', ');
}

// --- checking a schema from a file or a caller

/**
 * A checked copy of an untrusted schema whose encoded width must be `inputs`; throws a TypeError
 * or RangeError naming the field.
 */
export function checkSchema(value: unknown, inputs: number, name = 'schema'): TableSchema {
  if (!isPlainObject(value)) throw invalidArgument(name, 'a table schema object', value);
  const { features, target, task, classNames, missingValues, unknownCategory } = value as Record<
    string,
    unknown
  >;
  if (!Array.isArray(features) || features.length === 0) {
    throw invalidArgument(`${name}.features`, 'a non-empty array of feature descriptions', features);
  }
  const seen = new Set<string>();
  const copy: FeatureSchema[] = [];
  for (let j = 0; j < features.length; j++) {
    const f: unknown = features[j];
    const at = `${name}.features[${j}]`;
    if (!isPlainObject(f)) throw invalidArgument(at, 'a feature description object', f);
    if (typeof f.name !== 'string') throw invalidArgument(`${at}.name`, 'a string', f.name);
    if (seen.has(f.name)) throw outOfRange(`${at}.name`, 'a name no other feature has', f.name);
    seen.add(f.name);
    if (f.kind === 'numeric') {
      if (typeof f.fill !== 'number' || !Number.isFinite(f.fill)) {
        throw invalidArgument(`${at}.fill`, 'a finite number', f.fill);
      }
      copy.push({ name: f.name, kind: 'numeric', fill: f.fill });
    } else if (f.kind === 'categorical') {
      const categories = strings(f.categories, `${at}.categories`);
      if (categories.length === 0 || new Set(categories).size !== categories.length) {
        throw outOfRange(`${at}.categories`, 'a non-empty array of distinct strings', f.categories);
      }
      if (typeof f.fill !== 'string' || !categories.includes(f.fill)) {
        throw outOfRange(`${at}.fill`, 'one of its categories', f.fill);
      }
      copy.push({ name: f.name, kind: 'categorical', categories, fill: f.fill });
    } else {
      throw outOfRange(`${at}.kind`, "'numeric' or 'categorical'", f.kind);
    }
  }
  const schema: TableSchema = {
    features: copy,
    target: target === null || target === undefined ? null : checkString(target, `${name}.target`),
    task: task === 'classification' || task === 'regression' ? task : badTask(task, name),
    classNames:
      classNames === null || classNames === undefined ? null : strings(classNames, `${name}.classNames`),
    missingValues:
      missingValues === undefined
        ? [...DEFAULT_MISSING_VALUES]
        : strings(missingValues, `${name}.missingValues`),
  };
  if (unknownCategory !== undefined) {
    if (unknownCategory !== 'zeros' && unknownCategory !== 'error') {
      throw outOfRange(`${name}.unknownCategory`, "'zeros' or 'error'", unknownCategory);
    }
    schema.unknownCategory = unknownCategory;
  }
  const width = encodedWidth(schema);
  if (width !== inputs) {
    throw outOfRange(
      name,
      `a schema encoding ${inputs} inputs (the network's) but it encodes ${width}`,
      value,
    );
  }
  return schema;
}

function badTask(task: unknown, name: string): never {
  throw outOfRange(`${name}.task`, "'classification' or 'regression'", task);
}

function checkString(v: unknown, name: string): string {
  if (typeof v !== 'string') throw invalidArgument(name, 'a string', v);
  return v;
}

function strings(v: unknown, name: string): string[] {
  if (!Array.isArray(v)) throw invalidArgument(name, 'an array of strings', v);
  const out = Array.from(v as unknown[]);
  out.forEach((s, i) => checkString(s, `${name}[${i}]`));
  return out as string[];
}
