// Reading a table through a schema learned before (the `schema` option of fromCSV, fromArrow and
// fromParquet): what predicting or evaluating on a new export needs. Feature columns are found by
// name, so extra columns (an id, the target) are ignored and order does not matter; a headerless
// CSV is matched by position.
import {
  checkSchema,
  encodeCells,
  encodedNames,
  encodedWidth,
  type TableSchema,
  warnUnknown,
} from '../schema.js';
import { isPlainObject } from '../validate.js';
import type { Cell, NamedColumns, TableDataset } from './table.js';
import { isNumberCell, shownCell, textOf } from './table.js';
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

interface ReadOptions {
  target: string | number | undefined;
  missing: 'fill' | 'error';
  /** Undefined: the schema's own setting (default 'zeros'). */
  unknownCategory: 'zeros' | 'error' | undefined;
}

export function readWithSchema(schema: TableSchema, table: NamedColumns, options: ReadOptions): TableDataset {
  const { source, names, hasHeader } = table;
  const count = schema.features.length;
  const column = new Map<string, number>();
  let t = -1;
  if (hasHeader) {
    for (const f of schema.features) {
      const j = names.indexOf(f.name);
      if (j < 0) {
        throw new Error(
          `Missing column '${f.name}' in ${source}: the model's features are ${schema.features.map((g) => `'${g.name}'`).join(', ')}`,
        );
      }
      column.set(f.name, j);
    }
    const targetName =
      typeof options.target === 'number' ? names[options.target] : (options.target ?? schema.target);
    if (targetName !== null && targetName !== undefined) t = names.indexOf(targetName);
  } else {
    // by position: the features in the schema's order, then optionally the target
    if (names.length !== count && names.length !== count + 1) {
      throw new Error(
        `${source} has no header and ${names.length} columns; the model takes ${count} features (${schema.features.map((f) => f.name).join(', ')})${schema.target === null ? '' : `, optionally followed by '${schema.target}'`}`,
      );
    }
    schema.features.forEach((f, j) => column.set(f.name, j));
    if (names.length === count + 1) t = count;
  }
  const label = (j: number) => (hasHeader ? `'${names[j]}'` : String(j));
  const cells = new Map<string, ArrayLike<Cell>>();
  for (const [name, j] of column) cells.set(name, table.column(j));
  const where = (r: number, name: string) => `${source} ${table.at(r)}, column ${label(column.get(name)!)}`;
  const encoded = encodeCells(schema, table.rows, (r, name) => cells.get(name)![r], where, {
    missing: options.missing,
    unknownCategory: options.unknownCategory ?? schema.unknownCategory,
  });
  warnUnknown(encoded.unknownCategories, source);
  const y: number[] = [];
  if (t >= 0) {
    const targetCells = table.column(t);
    const index = new Map((schema.classNames ?? []).map((c, k) => [c, k]));
    for (let r = 0; r < table.rows; r++) {
      const c = targetCells[r];
      const at = `${source} ${table.at(r)}, column ${label(t)}`;
      if (schema.task === 'classification') {
        const k = c === null || c === undefined ? undefined : index.get(textOf(c));
        if (k === undefined) {
          throw new Error(
            `Unknown class ${shownCell(c)} in ${at}: the model's classes are ${(schema.classNames ?? []).map((n) => `'${n}'`).join(', ')}`,
          );
        }
        y.push(k);
      } else {
        if (!isNumberCell(c)) throw new Error(`Invalid number ${shownCell(c)} in ${at}`);
        y.push(Number(c));
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
