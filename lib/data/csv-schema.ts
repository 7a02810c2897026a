// Reading a CSV through a schema learned before (fromCSV's `schema` option): what predicting or
// evaluating on a new export needs. Feature columns are found by name, so extra columns (an id,
// the target) are ignored and order does not matter; a headerless file is matched by position.
import {
  checkSchema,
  encodeCells,
  encodedNames,
  encodedWidth,
  type TableSchema,
  warnUnknown,
} from '../schema.js';
import { isPlainObject } from '../validate.js';
import type { CSVDataset, Row } from './csv.js';
import { isNumber } from './csv.js';
import { invalidType } from './validate.js';

/** The schema option, checked against itself (its features must encode some width). */
export function checkGivenSchema(value: unknown): TableSchema {
  if (!isPlainObject(value) || !Array.isArray(value.features)) {
    throw invalidType('schema', 'a table schema (data.schema or net.schema)', value);
  }
  let width = 0;
  try {
    width = encodedWidth(value as unknown as TableSchema);
  } catch {
    // a malformed feature: checkSchema below names it
  }
  return checkSchema(value, width, 'schema');
}

interface Table {
  path: string;
  names: string[];
  data: Row[];
  hasHeader: boolean;
  target: string | number | undefined;
  missing: 'fill' | 'error';
  unknownCategory: 'zeros' | 'error';
}

export function readWithSchema(schema: TableSchema, table: Table): CSVDataset {
  const { path, names, data, hasHeader } = table;
  const count = schema.features.length;
  const column = new Map<string, number>();
  let t = -1;
  if (hasHeader) {
    for (const f of schema.features) {
      const j = names.indexOf(f.name);
      if (j < 0) {
        throw new Error(
          `Missing column '${f.name}' in ${path}: the model's features are ${schema.features.map((g) => `'${g.name}'`).join(', ')}`,
        );
      }
      column.set(f.name, j);
    }
    const targetName =
      typeof table.target === 'number' ? names[table.target] : (table.target ?? schema.target);
    if (targetName !== null && targetName !== undefined) t = names.indexOf(targetName);
  } else {
    // by position: the features in the schema's order, then optionally the target
    if (names.length !== count && names.length !== count + 1) {
      throw new Error(
        `${path} has no header and ${names.length} columns; the model takes ${count} features (${schema.features.map((f) => f.name).join(', ')})${schema.target === null ? '' : `, optionally followed by '${schema.target}'`}`,
      );
    }
    schema.features.forEach((f, j) => column.set(f.name, j));
    if (names.length === count + 1) t = count;
  }
  const where = (r: number, name: string) =>
    `${path} line ${data[r].line}, column ${hasHeader ? `'${name}'` : String(column.get(name))}`;
  const encoded = encodeCells(schema, data.length, (r, name) => data[r].fields[column.get(name)!], where, {
    missing: table.missing,
    unknownCategory: table.unknownCategory,
  });
  warnUnknown(encoded.unknownCategories, path);
  const y: number[] = [];
  if (t >= 0) {
    const label = hasHeader ? `'${names[t]}'` : String(t);
    const index = new Map((schema.classNames ?? []).map((c, k) => [c, k]));
    for (const row of data) {
      const field = row.fields[t];
      if (schema.task === 'classification') {
        const k = index.get(field);
        if (k === undefined) {
          throw new Error(
            `Unknown class '${field}' in ${path} line ${row.line}, column ${label}: the model's classes are ${(schema.classNames ?? []).map((c) => `'${c}'`).join(', ')}`,
          );
        }
        y.push(k);
      } else {
        if (!isNumber(field))
          throw new Error(`Invalid number '${field}' in ${path} line ${row.line}, column ${label}`);
        y.push(Number(field));
      }
    }
  }
  const featureNames = encodedNames(schema);
  return {
    X: encoded.X,
    y,
    featureNames,
    ...(schema.classNames ? { classNames: schema.classNames } : {}),
    schema,
    inputs: featureNames.length,
    task: schema.task,
    taskReason: 'the schema says so',
  };
}
