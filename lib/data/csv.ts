// fromCSV: a table from a CSV file, ready for fit: numeric feature columns as number[][] and one
// target column as numbers or as class indices with their names. Parsing is csv-parse's (quotes,
// BOM, CRLF); every fault in the file is an Error naming the file, the line and the column. The
// schema (learned or given) is table.ts's, shared with the Arrow and Parquet readers.

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { reason } from '../io/file-reason.js';
import {
  type CheckedTableOptions,
  checkTableOptions,
  isNumberText,
  type NamedColumns,
  type TableDataset,
  type TableOptions,
  tableDataset,
} from './table.js';
import { invalidType, invalidValue } from './validate.js';

export { decideTask, MAX_INFERRED_CLASSES } from './table.js';

export interface CSVOptions extends TableOptions {
  /**
   * Whether the first row holds column names. 'auto' (default): yes when one of its fields is not
   * a number in a column that holds numbers further down (so a text label in the first data row
   * is not mistaken for a header). Without a header, columns are named '0', '1', ...
   */
  header?: 'auto' | boolean;
  /** The field separator: a non-empty string without quotes or line breaks. Default ','. */
  delimiter?: string;
}

/** X and y for fit; classNames[k] names class index k when the target holds class names. */
export type CSVDataset = TableDataset;

export const isNumber = isNumberText;

export interface Row {
  fields: string[];
  line: number;
}

/**
 * Reads a CSV file (synchronously) into { X, y, featureNames, classNames? }. Empty lines are
 * skipped; fields are trimmed; a line number is the line where its record ends.
 */
/**
 * The options every CSV reader takes (fromCSV, streamCSV): the table options, header and
 * delimiter, checked before the file is opened; `extraKeys` are the reader's own (in `raw`).
 */
export function checkCSVOptions(
  fn: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): {
  checked: CheckedTableOptions;
  raw: Record<string, unknown>;
  header: 'auto' | boolean;
  delimiter: string;
} {
  const { checked, raw } = checkTableOptions(fn, options, ['header', 'delimiter', ...extraKeys]);
  const header = raw.header ?? 'auto';
  if (header !== 'auto' && typeof header !== 'boolean') {
    throw invalidType('header', "'auto', true or false", header);
  }
  const delimiter = raw.delimiter ?? ',';
  if (typeof delimiter !== 'string') throw invalidType('delimiter', 'a string', delimiter);
  if (delimiter === '' || /["\r\n]/.test(delimiter)) {
    throw invalidValue('delimiter', 'a non-empty string without quotes or line breaks', delimiter);
  }
  return { checked, raw, header, delimiter };
}

export function fromCSV(path: string, options?: CSVOptions): CSVDataset {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidType('path', 'a file path', path);
  }
  const { checked, header, delimiter } = checkCSVOptions('fromCSV', options);

  const rows = readRows(path, delimiter);
  if (rows.length === 0) throw new Error(`No data in ${path}: the file is empty`);
  const given = checked.schema;
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
  const table: NamedColumns = {
    source: path,
    names,
    rows: data.length,
    hasHeader,
    column: (j) => data.map((row) => row.fields[j]),
    at: (r) => `line ${data[r].line}`,
  };
  return tableDataset(table, checked);
}

export function readRows(path: string, delimiter: string): Row[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const why = reason(cause);
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
