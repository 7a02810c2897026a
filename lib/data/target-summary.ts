// What decides a target column's task (decideTask), counted one field at a time so a file read
// as a stream (streamCSV) decides it as fromCSV does without keeping the column.
import { TABLE_DEFAULTS } from '../engine/contract.js';
import { DECIMAL } from '../schema.js';

/** Integer targets with at most this many distinct values (and few relative to rows) are classes. */
export const MAX_INFERRED_CLASSES = TABLE_DEFAULTS.maxInferredClasses;

/** A target column as the task rule sees it. */
export interface TargetSummary {
  rows: number;
  allNumbers: boolean;
  allIntegers: boolean;
  /** Distinct values among integer targets (at most the counter's cap). */
  distinct: number;
  /** More distinct values than the cap: distinct is a lower bound. */
  capped: boolean;
}

/** Counts a target column field by field; distinct integers are kept up to `cap` (a stream's memory bound). */
export class TargetCounter {
  private rows = 0;
  private allNumbers = true;
  private allIntegers = true;
  private capped = false;
  private readonly values = new Set<number>();

  constructor(private readonly cap = Number.POSITIVE_INFINITY) {}

  add(field: string): void {
    this.rows++;
    if (!this.allNumbers) return;
    if (!DECIMAL.test(field)) {
      this.allNumbers = false;
      this.values.clear();
      return;
    }
    const value = Number(field);
    if (!Number.isInteger(value)) this.allIntegers = false;
    if (!this.allIntegers) return;
    if (this.values.size < this.cap) this.values.add(value);
    else if (!this.values.has(value)) this.capped = true;
  }

  summary(): TargetSummary {
    const { rows, allNumbers, allIntegers, capped } = this;
    return { rows, allNumbers, allIntegers, distinct: this.values.size, capped };
  }
}

/**
 * The task a target column poses, with the reason: text (booleans among it): classification;
 * non-integers: regression; integers: classification when at most 2 distinct values, or at most
 * MAX_INFERRED_CLASSES distinct values that are at most half the row count (each class seen about
 * twice or more); else regression. `forced` (the task option) wins.
 */
export function taskFromSummary(
  s: TargetSummary,
  forced: 'classification' | 'regression' | undefined,
  name: string,
): { task: 'classification' | 'regression'; reason: string } {
  if (forced) return { task: forced, reason: `the task option says ${forced}` };
  if (!s.allNumbers) return { task: 'classification', reason: `target '${name}' holds text` };
  if (!s.allIntegers) return { task: 'regression', reason: `target '${name}' holds non-integer numbers` };
  const { distinct, rows } = s;
  const counted = `${s.capped ? 'over ' : ''}${distinct} distinct values in ${rows} rows`;
  if (!s.capped && (distinct <= 2 || (distinct <= MAX_INFERRED_CLASSES && 2 * distinct <= rows))) {
    return {
      task: 'classification',
      reason: `target '${name}' holds integers with ${counted} (few: classification; pass task: 'regression' to override)`,
    };
  }
  return {
    task: 'regression',
    reason: `target '${name}' holds integers with ${counted} (many: regression; pass task: 'classification' to override)`,
  };
}
