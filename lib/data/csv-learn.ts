// streamCSV's first pass: learns a table schema from a CSV read as a stream, by the rules fromCSV
// applies to a file in memory (each column's kind, fill value and categories, the task and the
// classes), keeping per column only counts, sums and (up to a cap) the distinct texts.
import { scalingOfMoments } from '../scaling.js';
import type { FeatureSchema, TableSchema } from '../schema.js';
import type { CSVRecord } from './csv-records.js';
import { type Column, findColumn, isNumberText as isNumber } from './table.js';
import { TargetCounter, taskFromSummary } from './target-summary.js';
import { invalidValue } from './validate.js';

/** Distinct texts kept per column (and distinct classes); a categorical column with more is refused. */
export const MAX_STREAM_CATEGORIES = 10000;

/** What the pass knows of the file before reading its rows, and fromCSV's options that shape a schema. */
export interface LearnPlan {
  path: string;
  names: string[];
  hasHeader: boolean;
  target: Column | undefined;
  ignored: Column[];
  categorical: Column[];
  task: 'classification' | 'regression' | undefined;
  targetType: 'auto' | 'number' | 'class';
  classOrder: 'sorted' | 'first-seen';
  classes: string[] | undefined;
  missing: 'fill' | 'error';
  missingValues: string[];
}

export interface Learned {
  schema: TableSchema;
  /** The target's column index. */
  target: number;
  taskReason: string;
  /** Data rows the pass read. */
  rows: number;
  /** A regression target's mean and population std over the rows read. */
  targetScaling?: { mean: number[]; std: number[] };
  /**
   * Per encoded input: a numeric column's mean and population std over its present cells, a
   * category's input mean 0 and std 1 (left as is); for `net.inputScaling`.
   */
  inputScaling?: { mean: number[]; std: number[] };
}

/** One feature column's counts over the pass. */
class ColumnStats {
  present = 0;
  numbers = 0;
  sum = 0;
  /** Welford's running mean and sum of squared deviations of the numbers (for inputScaling). */
  mean = 0;
  m2 = 0;
  /** Distinct texts and their counts; null once past MAX_STREAM_CATEGORIES. */
  counts: Map<string, number> | null = new Map();
  firstMissing = 0;
  firstText: { field: string; line: number } | null = null;

  add(field: string, line: number, missing: boolean): void {
    if (missing) {
      if (this.firstMissing === 0) this.firstMissing = line;
      return;
    }
    this.present++;
    if (isNumber(field)) {
      this.numbers++;
      const v = Number(field);
      this.sum += v;
      const delta = v - this.mean;
      this.mean += delta / this.numbers;
      this.m2 += delta * (v - this.mean);
    } else if (this.firstText === null) this.firstText = { field, line };
    const counts = this.counts;
    if (counts === null) return;
    const n = counts.get(field);
    if (n !== undefined) counts.set(field, n + 1);
    else if (counts.size < MAX_STREAM_CATEGORIES) counts.set(field, 1);
    else this.counts = null;
  }
}

/** Reads `rows` (the data records, after any header) up to `limit` of them and learns the schema. */
export async function learnSchema(
  rows: AsyncIterable<CSVRecord>,
  plan: LearnPlan,
  limit: number,
): Promise<Learned> {
  const { path, names, hasHeader, missing } = plan;
  const find = (column: Column, name: string): number => findColumn(column, name, names, path);
  const t = plan.target === undefined ? names.length - 1 : find(plan.target, 'target');
  const dropped = new Set(plan.ignored.map((c, i) => find(c, `ignore[${i}]`)));
  if (dropped.has(t)) {
    const i = plan.ignored.findIndex((c) => find(c, 'ignore') === t);
    throw invalidValue(`ignore[${i}]`, `a column other than the target ('${names[t]}')`, plan.ignored[i]);
  }
  const features = names.map((_, j) => j).filter((j) => j !== t && !dropped.has(j));
  if (features.length === 0) throw new Error(`No feature columns in ${path}: only the target is left`);
  const forced = new Set(plan.categorical.map((c, i) => find(c, `categorical[${i}]`)));
  if (forced.has(t)) {
    throw invalidValue('categorical', `feature columns, not the target ('${names[t]}')`, plan.categorical);
  }
  const label = (j: number) => (hasHeader ? `'${names[j]}'` : String(j));
  const missingText = new Set(plan.missingValues);

  const stats = features.map(() => new ColumnStats());
  const counter = new TargetCounter(MAX_STREAM_CATEGORIES);
  const seen = new Set<string>(); // classes, first-seen order
  let targetMissing = 0;
  let targetText: { field: string; line: number } | null = null;
  let count = 0;
  let mean = 0;
  let m2 = 0; // Welford's running sum of squared deviations of the numeric targets
  for await (const { record, info } of rows) {
    if (count >= limit) break;
    checkWidth(record, info.lines, names.length, path, hasHeader);
    count++;
    for (let k = 0; k < features.length; k++) {
      const field = record[features[k]];
      stats[k].add(field, info.lines, missingText.has(field));
    }
    const y = record[t];
    if (missingText.has(y)) {
      if (targetMissing === 0) targetMissing = info.lines;
      continue;
    }
    counter.add(y);
    if (seen.size <= MAX_STREAM_CATEGORIES) seen.add(y);
    if (isNumber(y)) {
      const v = Number(y);
      const delta = v - mean;
      mean += delta / count;
      m2 += delta * (v - mean);
    } else if (targetText === null) targetText = { field: y, line: info.lines };
  }
  if (count === 0)
    throw new Error(`No data in ${path}: ${hasHeader ? 'only a header' : 'the file is empty'}`);

  const schemaFeatures = features.map((j, k) => featureSchema(stats[k], j, forced.has(j)));
  function featureSchema(s: ColumnStats, j: number, categorical: boolean): FeatureSchema {
    if (s.firstMissing > 0 && missing === 'error') {
      throw new Error(`Missing value in ${path} line ${s.firstMissing}, column ${label(j)}`);
    }
    if (!categorical && 2 * s.numbers >= s.present) {
      if (s.firstText) {
        const { field, line } = s.firstText;
        throw new Error(`Invalid number '${shorten(field)}' in ${path} line ${line}, column ${label(j)}`);
      }
      return { name: names[j], kind: 'numeric', fill: s.present === 0 ? 0 : s.sum / s.present };
    }
    if (s.counts === null) {
      throw new Error(
        `Column ${label(j)} of ${path} has more than ${MAX_STREAM_CATEGORIES} distinct values: too many categories to stream (ignore it, or give a schema)`,
      );
    }
    if (s.counts.size === 0) throw new Error(`Column ${label(j)} of ${path} has no values`);
    const counts = s.counts;
    const categories = [...counts.keys()].sort();
    let fill = categories[0];
    for (const c of categories) if (counts.get(c)! > counts.get(fill)!) fill = c;
    return { name: names[j], kind: 'categorical', categories, fill };
  }

  // the target: never filled (a label cannot be guessed)
  if (targetMissing > 0)
    throw new Error(`Missing value in ${path} line ${targetMissing}, column ${label(t)}`);
  const forcedTask =
    plan.task ??
    (plan.targetType === 'number'
      ? 'regression'
      : plan.targetType === 'class'
        ? 'classification'
        : undefined);
  const decided = taskFromSummary(counter.summary(), forcedTask, names[t]);
  let classNames: string[] | null = null;
  if (decided.task === 'regression') {
    if (targetText) {
      const { field, line } = targetText;
      throw new Error(`Invalid number '${shorten(field)}' in ${path} line ${line}, column ${label(t)}`);
    }
  } else {
    if (seen.size > MAX_STREAM_CATEGORIES && plan.classes === undefined) {
      throw new Error(
        `Target ${label(t)} of ${path} has more than ${MAX_STREAM_CATEGORIES} classes: too many to stream (pass task: 'regression', or classes)`,
      );
    }
    const found = [...seen];
    classNames =
      plan.classes ??
      (plan.classOrder === 'first-seen'
        ? found
        : found.every(isNumber)
          ? found.sort((a, b) => Number(a) - Number(b))
          : found.sort());
    // an unknown class (with the classes option) is found where the batches are read
  }
  const schema: TableSchema = {
    features: schemaFeatures,
    target: names[t],
    task: decided.task,
    classNames,
    missingValues: plan.missingValues,
  };
  const means: number[] = [];
  const variances: number[] = [];
  schemaFeatures.forEach((f, k) => {
    if (f.kind === 'numeric') {
      means.push(stats[k].mean);
      variances.push(stats[k].numbers === 0 ? 0 : stats[k].m2 / stats[k].numbers);
    } else {
      for (let c = 0; c < f.categories.length; c++) {
        means.push(0);
        variances.push(1);
      }
    }
  });
  return {
    schema,
    inputScaling: scalingOfMoments(means, variances),
    target: t,
    taskReason: decided.reason,
    rows: count,
    ...(decided.task === 'regression' ? { targetScaling: scalingOfMoments([mean], [m2 / count]) } : {}),
  };
}

/** fromCSV's ragged-row error. */
export function checkWidth(
  record: string[],
  line: number,
  width: number,
  path: string,
  hasHeader: boolean,
): void {
  if (record.length !== width) {
    throw new Error(
      `Ragged row in ${path} line ${line}: ${record.length} fields but the ${hasHeader ? 'header has' : 'first row has'} ${width}`,
    );
  }
}

function shorten(field: string): string {
  return field.length > 40 ? `${field.slice(0, 40)}...` : field;
}
