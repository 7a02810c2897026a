// fromArrow and fromParquet: columnar files (Arrow IPC file or stream, Feather v2, Parquet) read
// as named columns of numbers, strings, booleans and nulls, with no text round trip, then through
// the same schema path as fromCSV (table.ts). apache-arrow and parquet-wasm are optional
// dependencies, loaded on first use: a missing one is an Error naming the package to install.

import { readFile } from 'node:fs/promises';
import type * as Arrow from 'apache-arrow';
import { reason } from '../io/file-reason.js';
import { loadArrow, loadParquet } from '../optional.js';
import {
  type Cell,
  checkTableOptions,
  type NamedColumns,
  type TableDataset,
  type TableOptions,
  tableDataset,
} from './table.js';
import { invalidType } from './validate.js';

export type ArrowOptions = TableOptions;

/** The CLI's --data extensions that name a columnar file, and the reader of each. */
export const COLUMNAR_EXTENSIONS = {
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
  '.parquet': 'parquet',
} as const;

export type ColumnarFormat = (typeof COLUMNAR_EXTENSIONS)[keyof typeof COLUMNAR_EXTENSIONS];

/** The columnar format a path's extension names (case-insensitive), or null (a CSV, a set name). */
export function columnarFormat(path: string): ColumnarFormat | null {
  const dot = path.lastIndexOf('.');
  const ext = dot < 0 ? '' : path.slice(dot).toLowerCase();
  return Object.hasOwn(COLUMNAR_EXTENSIONS, ext)
    ? COLUMNAR_EXTENSIONS[ext as keyof typeof COLUMNAR_EXTENSIONS]
    : null;
}

/**
 * Reads an Arrow IPC file or stream (Feather v2 is an Arrow IPC file) into { X, y, schema, ... }
 * as fromCSV reads a CSV, with the same options (but header and delimiter). Numeric columns are
 * read as numbers, utf8 and dictionary columns as categories, booleans as categories or classes,
 * nulls (and NaN) as missing cells. Needs the optional package apache-arrow.
 */
export async function fromArrow(path: string, options?: ArrowOptions): Promise<TableDataset> {
  checkPath(path);
  const { checked } = checkTableOptions('fromArrow', options);
  return tableDataset(await readColumnar(path, 'arrow'), checked);
}

/**
 * Reads a Parquet file as fromArrow reads an Arrow file (parquet-wasm decodes it to Arrow).
 * Needs the optional packages parquet-wasm and apache-arrow.
 */
export async function fromParquet(path: string, options?: ArrowOptions): Promise<TableDataset> {
  checkPath(path);
  const { checked } = checkTableOptions('fromParquet', options);
  return tableDataset(await readColumnar(path, 'parquet'), checked);
}

/** A columnar file's named columns, before any schema (the CLI reads a model's inputs from them). */
export async function readColumnar(path: string, format: ColumnarFormat): Promise<NamedColumns> {
  const arrow = await loadArrow();
  const parquet = format === 'parquet' ? await loadParquet() : null;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const why = reason(cause);
    throw new Error(`Cannot read ${format === 'parquet' ? 'Parquet' : 'Arrow'} file ${path}: ${why}`, {
      cause,
    });
  }
  let table: Arrow.Table;
  try {
    if (parquet) {
      // parquet-wasm decodes into WebAssembly memory; its IPC stream is what apache-arrow reads
      bytes = parquet.readParquet(bytes).intoIPCStream();
    }
    table = arrow.tableFromIPC(bytes);
  } catch (cause) {
    const what = parquet ? 'Parquet' : 'Arrow IPC (a file or stream; Feather v2)';
    throw new Error(`Cannot parse ${path} as ${what}: ${(cause as Error).message}`, { cause });
  }
  return namedColumns(arrow, table, path);
}

function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidType('path', 'a file path', path);
  }
}

// --- an Arrow table as named columns

function namedColumns(arrow: typeof Arrow, table: Arrow.Table, path: string): NamedColumns {
  const fields = table.schema.fields;
  const names = fields.map((f) => f.name);
  if (names.length === 0) throw new Error(`No data in ${path}: the table has no columns`);
  if (table.numRows === 0) throw new Error(`No data in ${path}: the table has no rows`);
  const duplicate = names.find((name, j) => names.indexOf(name) !== j);
  if (duplicate !== undefined) throw new Error(`Duplicate column name '${duplicate}' in ${path}`);
  const read = new Map<number, ArrayLike<Cell>>();
  return {
    source: path,
    names,
    rows: table.numRows,
    hasHeader: true,
    column(j) {
      let cells = read.get(j);
      if (!cells) {
        cells = columnCells(arrow, table.getChildAt(j)!, fields[j], path);
        read.set(j, cells);
      }
      return cells;
    },
    at: (r) => `row ${r + 1}`,
  };
}

/**
 * One column's cells. Integer and float columns become a Float64Array straight from their
 * buffers (a null as NaN, which the schema path reads as missing; 64-bit integers as the nearest
 * double); strings, dictionaries and booleans become their values, a null as null.
 */
function columnCells(
  arrow: typeof Arrow,
  vector: Arrow.Vector,
  field: Arrow.Field,
  path: string,
): ArrayLike<Cell> {
  const { Type, Precision } = arrow;
  const type = field.type;
  const n = vector.length;
  const plainNumbers =
    type.typeId === Type.Int || (type.typeId === Type.Float && type.precision !== Precision.HALF);
  if (plainNumbers) {
    const values = vector.toArray() as ArrayLike<number | bigint>;
    const out = new Float64Array(n);
    const nulls = vector.nullCount > 0;
    for (let r = 0; r < n; r++) out[r] = nulls && !vector.isValid(r) ? Number.NaN : Number(values[r]);
    return out;
  }
  const readable =
    type.typeId === Type.Float ||
    type.typeId === Type.Utf8 ||
    type.typeId === Type.LargeUtf8 ||
    type.typeId === Type.Bool ||
    type.typeId === Type.Dictionary ||
    type.typeId === Type.Null;
  const cells: Cell[] = [];
  if (readable) {
    for (const v of vector) {
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        cells.push(v);
      else if (typeof v === 'bigint') cells.push(Number(v));
      else return unreadable(field, path);
    }
    return cells;
  }
  return unreadable(field, path);
}

function unreadable(field: Arrow.Field, path: string): never {
  throw new Error(
    `Column '${field.name}' of ${path} has Arrow type ${String(field.type)}, which cannot be read as a feature or target (numbers, strings, dictionaries of them and booleans can); leave it out with ignore`,
  );
}
