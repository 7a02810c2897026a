// Loading the CLI's --data: a built-in data set name (moons, circles, xor, classification, digits,
// iris) or a table file (a CSV, or an Arrow, Feather or Parquet file by its extension), and deciding the task it poses: binary, k-class
// or regression. Also maps CSV class names onto a saved model's classes for predict/evaluate.
import { existsSync, statSync } from 'node:fs';
import type { CSVDataset, CSVOptions } from '../data/csv.js';
import { datasets } from '../data/index.js';
// the library's limit on classes inferred from integers (fromCSV, streamCSV): one number for both
import { MAX_INFERRED_CLASSES } from '../data/target-summary.js';
import type { TableSchema } from '../schema.js';
import { CliError } from './args.js';

export const BUILTIN_DATA = ['moons', 'circles', 'xor', 'classification', 'digits', 'iris'] as const;

export type Task =
  | { kind: 'binary' }
  | { kind: 'multiclass'; classes: number }
  | { kind: 'regression'; outputs: number };

export interface LoadedData {
  /** The data set's name or the CSV's path, for reports. */
  name: string;
  X: number[][];
  y: number[];
  featureNames: string[];
  classNames: string[] | null;
  task: Task;
  /** Why that task (a CSV's target: fromCSV's taskReason); null for the built-in sets. */
  taskReason: string | null;
  /** How a CSV's columns were read and encoded, for the model to keep; null for the built-in sets. */
  schema: TableSchema | null;
}

export interface GeneratorOptions {
  samples?: number;
  noise?: number;
  seed: number;
}

/**
 * Loads a built-in set or a CSV; `target` names the CSV's label column, `csv` passes fromCSV's
 * other options (task, classes, categorical, missing...) for the flags that set them.
 */
export async function loadData(
  data: string,
  target: string | undefined,
  gen: GeneratorOptions,
  csv: CSVOptions = {},
): Promise<LoadedData> {
  const builtin = (BUILTIN_DATA as readonly string[]).includes(data);
  if (builtin) {
    if (target !== undefined)
      throw new CliError(`--target applies to CSV files, not the built-in '${data}' set`);
    if (csv.task !== undefined)
      throw new CliError(`--task applies to CSV files, not the built-in '${data}' set`);
    for (const flag of ['ignore', 'categorical', 'classes', 'missing'] as const) {
      if (csv[flag] !== undefined)
        throw new CliError(`--${flag} applies to table files, not the built-in '${data}' set`);
    }
    return fromBuiltin(data as (typeof BUILTIN_DATA)[number], gen);
  }
  if (gen.samples !== undefined || gen.noise !== undefined) {
    throw new CliError(
      '--samples and --noise apply to the generated sets (moons, circles, xor, classification)',
    );
  }
  const table = await readTable(data, target, csv);
  return {
    name: data,
    X: table.X,
    y: table.y,
    featureNames: table.featureNames,
    classNames: table.classNames ?? null,
    // fromCSV decided regression or classification (integers: by how many distinct values)
    task:
      table.task === 'regression' ? { kind: 'regression', outputs: 1 } : inferTask(table.y, table.classNames),
    taskReason: table.taskReason,
    schema: table.schema,
  };
}

/**
 * Reads a table file: Arrow IPC / Feather / Parquet by extension (COLUMNAR_EXTENSIONS), else a CSV;
 * a missing file or a fault in it is a one-line CLI error.
 */
export async function readTable(
  path: string,
  target: string | undefined,
  options: CSVOptions = {},
): Promise<CSVDataset> {
  checkFile(path);
  // Loaded on first use: the built-in sets never need the readers.
  const { columnarFormat, fromArrow, fromParquet } = await import('../data/arrow.js');
  const format = columnarFormat(path);
  const withTarget = target === undefined ? options : { ...options, target };
  try {
    if (format === null) {
      const { fromCSV } = await import('../data/csv.js');
      return fromCSV(path, withTarget);
    }
    return await (format === 'parquet' ? fromParquet : fromArrow)(path, withTarget);
  } catch (error) {
    throw oneLine(error);
  }
}

/**
 * A columnar file's columns as the features of a model without a schema (one trained on a
 * built-in set): every column but `target`, in order, read as numbers.
 */
export async function readColumnarFeatures(path: string, target: string | undefined): Promise<number[][]> {
  checkFile(path);
  const { columnarFormat, readColumnar } = await import('../data/arrow.js');
  const { checkTableOptions, tableDataset } = await import('../data/table.js');
  try {
    const table = await readColumnar(path, columnarFormat(path) ?? 'arrow');
    if (target !== undefined && !table.names.includes(target)) {
      throw new CliError(`--target names a column '${target}' that '${path}' does not have`);
    }
    const features = table.names.filter((name) => name !== target);
    const schema: TableSchema = {
      features: features.map((name) => ({ name, kind: 'numeric', fill: 0 })),
      target: null,
      task: 'regression',
      classNames: null,
      missingValues: [],
    };
    return tableDataset(table, checkTableOptions('predict', { schema, missing: 'error' }).checked).X;
  } catch (error) {
    throw oneLine(error);
  }
}

function checkFile(path: string): void {
  if (!existsSync(path)) {
    throw new CliError(`no such data set or file: '${path}' (built-in sets: ${BUILTIN_DATA.join(', ')})`);
  }
  if (!statSync(path).isFile()) throw new CliError(`'${path}' is not a file`);
}

/** A fault in the file (a missing column, an unknown class) is the user's to fix: one line. */
function oneLine(error: unknown): unknown {
  if (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError)) {
    return error instanceof CliError ? error : new CliError(error.message);
  }
  return error;
}

function fromBuiltin(name: (typeof BUILTIN_DATA)[number], gen: GeneratorOptions): LoadedData {
  const { seed } = gen;
  const generated = name !== 'digits' && name !== 'iris';
  if (!generated && (gen.samples !== undefined || gen.noise !== undefined)) {
    throw new CliError(`--samples and --noise apply to the generated sets, not '${name}'`);
  }
  // Defaults follow the seeds: 1000 moons with noise 0.2 (003), circles with factor 0.5 (000).
  const set =
    name === 'moons'
      ? datasets.moons({ samples: gen.samples ?? 1000, noise: gen.noise ?? 0.2, seed })
      : name === 'circles'
        ? datasets.circles({ samples: gen.samples ?? 1000, noise: gen.noise ?? 0.1, factor: 0.5, seed })
        : name === 'xor'
          ? datasets.xor({ samples: gen.samples ?? 400, noise: gen.noise ?? 0.15, seed })
          : name === 'classification'
            ? classificationSet(gen)
            : datasets[name]();
  const width = set.X[0].length;
  return {
    name,
    X: set.X,
    y: set.y,
    featureNames: set.featureNames ?? Array.from({ length: width }, (_, j) => `x${j + 1}`),
    classNames: set.classNames ?? null,
    task: inferTask(set.y, set.classNames),
    taskReason: null,
    schema: null,
  };
}

function classificationSet(gen: GeneratorOptions) {
  if (gen.noise !== undefined) throw new CliError("--noise does not apply to 'classification'");
  return datasets.classification({ samples: gen.samples ?? 1000, seed: gen.seed });
}

/**
 * Class names give k classes; otherwise integer labels 0..k-1 with k <= MAX_INFERRED_CLASSES
 * (the library's limit, TABLE_DEFAULTS.maxInferredClasses) are classes, and anything else is a
 * regression target.
 */
export function inferTask(y: number[], classNames: string[] | undefined | null): Task {
  if (y.length === 0) throw new CliError('the data has no rows');
  const k = classNames ? classNames.length : inferredClasses(y);
  if (k === null) return { kind: 'regression', outputs: 1 };
  if (k < 2) throw new CliError(`the target has a single class; classification needs at least two`);
  return k === 2 ? { kind: 'binary' } : { kind: 'multiclass', classes: k };
}

function inferredClasses(y: number[]): number | null {
  let max = 0;
  for (const v of y) {
    if (!Number.isInteger(v) || v < 0 || v >= MAX_INFERRED_CLASSES) return null;
    if (v > max) max = v;
  }
  return Math.max(2, max + 1);
}

/**
 * Re-indexes labels read with the CSV's own class names onto the model's classes (a file need
 * not hold every class, nor list them in the same order).
 */
export function labelsForModel(
  y: number[],
  csvNames: string[] | undefined,
  modelNames: string[] | null,
): number[] {
  if (!csvNames || !modelNames) return y;
  const index = new Map(modelNames.map((name, i) => [name, i]));
  return y.map((label, row) => {
    const name = csvNames[label];
    const mapped = index.get(name);
    if (mapped === undefined) {
      throw new CliError(
        `row ${row + 1} has class '${name}', which the model does not know (${modelNames.join(', ')})`,
      );
    }
    return mapped;
  });
}
