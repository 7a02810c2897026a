// datasets.streamCSV: a CSV file as an async iterable of { X, y } batches for fit, read in chunks
// with constant memory, whatever the file's size. The schema (each column's kind, fill value and
// categories, the task, the classes) is learned by a first pass over the file (or its first
// schemaRows rows), or given; rows go through a seeded shuffle buffer (tf.data's shuffle).
import { RANGES } from '../engine/contract.js';
import { Random } from '../random.js';
import { encodedNames, rowEncoder, type TableSchema, warnUnknown } from '../schema.js';
import { type CSVOptions, checkCSVOptions, looksLikeHeader, type Row } from './csv.js';
import { checkWidth, type Learned, learnSchema } from './csv-learn.js';
import { type CSVRecord, csvRecords } from './csv-records.js';
import { findColumn, isNumberText as isNumber } from './table.js';
import { checkSeed, invalidType, invalidValue } from './validate.js';

/** fromCSV's options (those that shape the schema), and how the stream reads the file. */
export interface StreamCSVOptions
  extends Pick<
    CSVOptions,
    | 'target'
    | 'header'
    | 'delimiter'
    | 'ignore'
    | 'targetType'
    | 'classOrder'
    | 'classes'
    | 'task'
    | 'categorical'
    | 'missing'
    | 'missingValues'
    | 'schema'
    | 'unknownCategory'
  > {
  /** Rows per batch the stream yields (fit trains them in its own batchSize): an integer in 1..1048576. Default 1024. */
  batchSize?: number;
  /**
   * Rows held to shuffle, as tf.data's shuffle(bufferSize): the buffer fills with the first rows,
   * then each row read takes the place of one drawn at random from it, which is yielded; at the
   * end the rest come out in random order. 0: the file's order. A buffer as large as the file is
   * a full shuffle; a small one only mixes nearby rows (a file sorted by class needs a large one).
   * An integer in 0..16777216. Default 10000.
   */
  shuffleBuffer?: number;
  /** Seeds the shuffle: each iteration (each epoch) draws the next order. An integer in 0..2^32-1. Default 0. */
  seed?: number;
  /**
   * The rows the first pass learns the schema from: 'all' (default: one full pass before training,
   * so every category, class and the fill values come from the whole file) or the first N rows (a
   * faster start; a category outside them encodes as zeros, counted in a warning, or is an error with
   * unknownCategory: 'error'; a class outside them, or a text in a numeric column, is an error
   * naming its line). Ignored with schema.
   */
  schemaRows?: number | 'all';
}

/** streamCSV's defaults, stated once (the JSDoc above repeats them). */
export const STREAM_CSV_DEFAULTS = { batchSize: 1024, shuffleBuffer: 10000, seed: 0 } as const;
const MAX_BATCH = 1 << 20;
const MAX_SHUFFLE_BUFFER = 1 << 24;
/** Rows read to decide whether the first one is a header. */
const HEAD_ROWS = 1000;

/** One batch: X (rows, inputs) row-major; y class indices (classification) or target values. */
export interface CSVBatch {
  X: Float32Array;
  y: number[];
}

/** An async iterable of batches over the file (each iteration reads it again), and what a network needs from it. */
export interface CSVStream extends AsyncIterable<CSVBatch> {
  readonly path: string;
  /** X's width, for `new Network({ inputs: data.inputs, ... })`. */
  readonly inputs: number;
  /** The network's outputs: the class count (2 classes: 1, a sigmoid), or 1 for regression. */
  readonly outputs: number;
  /** How each column is read and encoded; fit sets it as the network's schema. */
  readonly schema: TableSchema;
  readonly featureNames: string[];
  readonly classNames?: string[];
  readonly task: 'classification' | 'regression';
  readonly taskReason: string;
  /** A regression target's mean and std (over the rows the schema was learned from). */
  readonly targetScaling?: { mean: number[]; std: number[] };
  /**
   * Standardization of each input, from the first pass (a numeric column's mean and population std
   * over its present cells; a category's inputs as they are): `net.inputScaling = data.inputScaling`.
   * Absent with schema (no pass).
   */
  readonly inputScaling?: { mean: number[]; std: number[] };
  /** The data rows the first pass read (all of them with schemaRows 'all'); null with schema. */
  readonly schemaRowsRead: number | null;
}

/** streamCSV's own options, beside fromCSV's. */
const STREAM_KEYS = ['batchSize', 'shuffleBuffer', 'seed', 'schemaRows'] as const;

/**
 * Opens a CSV file as a stream of batches for `net.fit(data, options)`: checks the options, reads
 * the head of the file (header or not) and, unless a schema is given, learns the schema in a first
 * pass (see schemaRows). Parsing is csv-parse's, as fromCSV's; faults name the file and the line.
 */
export async function streamCSV(path: string, options?: StreamCSVOptions): Promise<CSVStream> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidType('path', 'a file path', path);
  }
  const { checked, raw: o, header, delimiter } = checkCSVOptions('streamCSV', options, STREAM_KEYS);
  const { target, ignored, categorical, targetType, classOrder, classes, task, missing, missingValues } =
    checked;
  const unknownCategory = checked.unknownCategory ?? 'zeros';
  const given = checked.schema;
  const batchSize = integerOption(o.batchSize, 'batchSize', 1, MAX_BATCH, STREAM_CSV_DEFAULTS.batchSize);
  const shuffleBuffer = integerOption(
    o.shuffleBuffer,
    'shuffleBuffer',
    0,
    MAX_SHUFFLE_BUFFER,
    STREAM_CSV_DEFAULTS.shuffleBuffer,
  );
  const seed = checkSeed(o.seed ?? STREAM_CSV_DEFAULTS.seed);
  const schemaRows =
    o.schemaRows === undefined || o.schemaRows === 'all'
      ? Number.POSITIVE_INFINITY
      : integerOption(o.schemaRows, 'schemaRows', 1, RANGES.seed.max, 0);

  // the head: is the first row a header?
  const head: Row[] = [];
  for await (const { record, info } of csvRecords(path, delimiter)) {
    head.push({ fields: record, line: info.lines });
    if (head.length === HEAD_ROWS) break;
  }
  if (head.length === 0) throw new Error(`No data in ${path}: the file is empty`);
  const namedByHeader = given?.features.every((f) => head[0].fields.includes(f.name)) ?? false;
  const hasHeader = header === 'auto' ? namedByHeader || looksLikeHeader(head) : header;
  const width = head[0].fields.length;
  const names = hasHeader ? head[0].fields : Array.from({ length: width }, (_, j) => String(j));
  const duplicate = names.find((name, j) => names.indexOf(name) !== j);
  if (duplicate !== undefined)
    throw new Error(`Duplicate column name '${duplicate}' in ${path} line ${head[0].line}`);
  if (hasHeader && head.length === 1)
    throw new Error(`No data in ${path}: only a header (line ${head[0].line})`);
  const file = { path, delimiter, names, hasHeader };

  const learned: Learned = given
    ? withSchema(given, file, target)
    : await learnSchema(
        dataRecords(file),
        {
          path,
          names,
          hasHeader,
          target,
          ignored,
          categorical,
          task,
          targetType,
          classOrder,
          classes,
          missing,
          missingValues,
        },
        schemaRows,
      );
  return csvStream(file, learned, given ? null : learned.rows, {
    batchSize,
    shuffleBuffer,
    seed,
    missing,
    unknownCategory,
  });
}

interface FileLayout {
  path: string;
  delimiter: string;
  names: string[];
  hasHeader: boolean;
}

/** The data records (the header skipped), each checked for the header's width. */
async function* dataRecords(file: FileLayout): AsyncGenerator<CSVRecord> {
  let first = true;
  for await (const item of csvRecords(file.path, file.delimiter)) {
    if (first && file.hasHeader) {
      first = false;
      continue;
    }
    first = false;
    checkWidth(item.record, item.info.lines, file.names.length, file.path, file.hasHeader);
    yield item;
  }
}

/** A given schema on this file: its features must be there (by name, or by position without a header), and the target. */
function withSchema(schema: TableSchema, file: FileLayout, target: string | number | undefined): Learned {
  const { path, names, hasHeader } = file;
  const count = schema.features.length;
  if (hasHeader) {
    for (const f of schema.features) {
      if (!names.includes(f.name)) {
        throw new Error(
          `Missing column '${f.name}' in ${path}: the model's features are ${schema.features.map((g) => `'${g.name}'`).join(', ')}`,
        );
      }
    }
  } else if (names.length !== count + 1) {
    throw new Error(
      `${path} has no header and ${names.length} columns; streamCSV with this schema reads ${count} features then the target`,
    );
  }
  const wanted = target ?? (hasHeader ? schema.target : count);
  if (wanted === null) throw invalidValue('target', 'the target column (the schema names none)', target);
  const t = findColumn(wanted, 'target', names, path);
  return { schema, target: t, taskReason: 'the schema says so', rows: 0 };
}

function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidType(name, 'an integer', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidValue(name, `an integer in ${min}..${max}`, value);
  }
  return value;
}

interface ReadOptions {
  batchSize: number;
  shuffleBuffer: number;
  seed: number;
  missing: 'fill' | 'error';
  unknownCategory: 'zeros' | 'error';
}

/**
 * The stream: what CSVStream declares (its one definition), each field from the learned schema,
 * and an iterator that reads the file again each time (batches). The shuffle's generator is the
 * stream's, so each iteration draws the next order.
 */
function csvStream(
  file: FileLayout,
  learned: Learned,
  schemaRowsRead: number | null,
  read: ReadOptions,
): CSVStream {
  const { schema } = learned;
  const featureNames = encodedNames(schema);
  const classes = schema.classNames?.length ?? 0;
  const random = new Random(read.seed);
  return {
    path: file.path,
    inputs: featureNames.length,
    outputs: schema.task === 'classification' && classes > 2 ? classes : 1,
    schema,
    featureNames,
    ...(schema.classNames ? { classNames: [...schema.classNames] } : {}),
    task: schema.task,
    taskReason: learned.taskReason,
    ...(learned.targetScaling ? { targetScaling: learned.targetScaling } : {}),
    ...(learned.inputScaling ? { inputScaling: learned.inputScaling } : {}),
    schemaRowsRead,
    [Symbol.asyncIterator]: () => batches(file, learned, featureNames.length, read, random),
  };
}

/** One pass over the file: each row encoded into the shuffle buffer or the batch. */
async function* batches(
  file: FileLayout,
  learned: Learned,
  inputs: number,
  read: ReadOptions,
  random: Random,
): AsyncGenerator<CSVBatch> {
  const { path, names, hasHeader } = file;
  const { schema, target: t } = learned;
  const { batchSize, shuffleBuffer, missing, unknownCategory } = read;
  const column = new Map(names.map((name, j) => [name, j]));
  let current: CSVRecord | null = null;
  const at = (name: string) =>
    `${path} line ${current!.info.lines}, column ${hasHeader ? `'${name}'` : column.get(name)}`;
  const encode = rowEncoder(
    schema,
    (_, name) => current!.record[column.get(name)!],
    (_, name) => at(name),
    {
      missing,
      unknownCategory,
    },
  );
  const classIndex = schema.classNames && new Map(schema.classNames.map((c, k) => [c, k]));
  const targetName = names[t];
  const label = (field: string): number => {
    if (classIndex) {
      const k = classIndex.get(field);
      if (k === undefined) {
        throw new Error(
          `Unknown class '${field}' in ${at(targetName)}: not one of classes (${schema.classNames!.map((c) => `'${c}'`).join(', ')})`,
        );
      }
      return k;
    }
    if (!isNumber(field)) throw new Error(`Invalid number '${field.slice(0, 40)}' in ${at(targetName)}`);
    return Number(field);
  };

  // rows wait in the shuffle buffer (bufX, bufY); yielded batches are fresh arrays the caller may keep
  const bufX = new Float32Array(shuffleBuffer * inputs);
  const bufY = new Float64Array(shuffleBuffer);
  let held = 0;
  let X = new Float32Array(batchSize * inputs);
  let y = new Array<number>(batchSize);
  let n = 0;
  let unknown = 0;
  const take = (slot: number) => {
    X.set(bufX.subarray(slot * inputs, (slot + 1) * inputs), n * inputs);
    y[n++] = bufY[slot];
  };
  for await (const record of dataRecords(file)) {
    current = record;
    const value = label(record.record[t]);
    if (shuffleBuffer === 0) {
      unknown += encode(0, X, n * inputs);
      y[n++] = value;
    } else if (held < shuffleBuffer) {
      unknown += encode(0, bufX, held * inputs);
      bufY[held++] = value;
    } else {
      const slot = random.int(shuffleBuffer);
      take(slot);
      unknown += encode(0, bufX, slot * inputs);
      bufY[slot] = value;
    }
    if (n === batchSize) {
      yield { X, y };
      X = new Float32Array(batchSize * inputs);
      y = new Array<number>(batchSize);
      n = 0;
    }
  }
  // the rows still held, in random order
  while (held > 0) {
    const slot = random.int(held);
    take(slot);
    held--;
    bufX.copyWithin(slot * inputs, held * inputs, (held + 1) * inputs);
    bufY[slot] = bufY[held];
    if (n === batchSize) {
      yield { X, y };
      X = new Float32Array(batchSize * inputs);
      y = new Array<number>(batchSize);
      n = 0;
    }
  }
  if (n > 0) yield { X: X.subarray(0, n * inputs), y: y.slice(0, n) };
  warnUnknown(unknown, path);
}
