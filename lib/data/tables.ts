// The small fixed tables the seed tutorials train on, typed in from the notebooks: trask() from
// seed 001 (the first input column alone decides the label) and heights() from seed 002.

import type { Dataset } from './synthetic.js';

/** Seed 001's table: the label equals the first input; the constant third column acts as a bias. */
export function trask(): Dataset {
  return {
    X: [
      [0, 0, 1],
      [1, 1, 1],
      [1, 0, 1],
      [0, 1, 1],
    ],
    y: [0, 1, 1, 0],
  };
}

export interface HeightsDataset extends Dataset {
  /** Who each row is: Alice, Bob, Charlie, Diana. */
  names: string[];
  /** The two people seed 002 predicts after training (Emily is female, Frank male). */
  queries: { Emily: number[]; Frank: number[] };
}

/**
 * Seed 002's weight/height table, shifted as the tutorial does (weight - 135 lb, height - 66 in);
 * label 1 is female, 0 male.
 */
export function heights(): HeightsDataset {
  return {
    X: [
      [-2, -1],
      [25, 6],
      [17, 4],
      [-15, -6],
    ],
    y: [1, 0, 0, 1],
    names: ['Alice', 'Bob', 'Charlie', 'Diana'],
    classNames: ['male', 'female'],
    featureNames: ['weight (lb) - 135', 'height (in) - 66'],
    // Emily: 128 lb, 63 in; Frank: 155 lb, 68 in
    queries: { Emily: [-7, -3], Frank: [20, 2] },
  };
}
