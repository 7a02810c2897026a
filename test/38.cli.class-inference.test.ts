// The CLI decides the task of integer labels without class names (the generated sets) by the
// library's limit on inferred classes: labels 0..k-1, each seen twice, are k classes for the CLI
// exactly when fromCSV's rule (decideTask) calls such a target classification.
import { describe, expect, it } from 'vitest';
import { inferTask } from '../lib/cli/data.js';
import { decideTask, MAX_INFERRED_CLASSES } from '../lib/data/csv.js';

/** Labels 0..k-1, each twice (so the library's "at most half the rows" condition holds). */
const labels = (k: number): number[] => Array.from({ length: 2 * k }, (_, i) => i % k);

describe('inferTask (CLI) and decideTask (fromCSV) agree on integer labels', () => {
  it('rejects a single class and an empty target first', () => {
    expect(() => inferTask([], undefined)).toThrow('the data has no rows');
    expect(() => inferTask([0, 0, 0], ['only'])).toThrow('single class');
  });

  const ks = Array.from({ length: MAX_INFERRED_CLASSES + 8 }, (_, i) => i + 2);
  it.each(ks)('%i classes', (k) => {
    const y = labels(k);
    const library = decideTask(y.map(String), undefined, 'y').task;
    const cli = inferTask(y, undefined);
    expect(cli.kind === 'regression' ? 'regression' : 'classification').toBe(library);
    if (cli.kind === 'multiclass') expect(cli.classes).toBe(k);
  });

  it('the last count inferred as classes is the library limit; one more is regression', () => {
    expect(inferTask(labels(MAX_INFERRED_CLASSES), undefined)).toEqual({
      kind: 'multiclass',
      classes: MAX_INFERRED_CLASSES,
    });
    expect(inferTask(labels(MAX_INFERRED_CLASSES + 1), undefined)).toEqual({
      kind: 'regression',
      outputs: 1,
    });
  });
});
