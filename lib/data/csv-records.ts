// A CSV file as a stream of records: csv-parse's streaming parser over a file read in chunks, with
// the same parse options as fromCSV (BOM, trimmed fields, empty lines skipped) and its error
// wording. Memory stays at a chunk and the records in flight, whatever the file's size.

import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { reason } from '../io/file-reason.js';

/** One record and the line where it ends (1-based). */
export interface CSVRecord {
  record: string[];
  info: { lines: number };
}

/** Bytes read from the file at a time. */
export const CSV_CHUNK_BYTES = 1 << 16;

/**
 * The records of `path`, read lazily; stopping the iteration early closes the file. Errors name
 * the file: 'Cannot read CSV file <path>: <why>' or 'Cannot parse <path>: <csv-parse's message>'.
 */
export async function* csvRecords(path: string, delimiter: string): AsyncGenerator<CSVRecord> {
  const input = createReadStream(path, { highWaterMark: CSV_CHUNK_BYTES });
  const parser = parse({
    delimiter,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
  });
  let readError: unknown = null;
  input.on('error', (error) => {
    readError = error;
    parser.destroy(error);
  });
  input.pipe(parser);
  try {
    for await (const item of parser) yield item as CSVRecord;
  } catch (cause) {
    if (readError !== null) throw readFailure(path, readError);
    throw new Error(`Cannot parse ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function readFailure(path: string, cause: unknown): Error {
  return new Error(`Cannot read CSV file ${path}: ${reason(cause)}`, { cause });
}
