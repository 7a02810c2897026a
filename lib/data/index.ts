// lib/data: data sets (seeded toy generators, the seeds' tables, the shipped digits and iris), the
// readers of table files (CSV, Arrow, Parquet) and the helpers that prepare them for fit (split,
// scaling, one-hot). The public surface of this folder.

import { fromArrow, fromParquet } from './arrow.js';
import { fromCSV } from './csv.js';
import { digits, iris } from './real.js';
import { streamCSV } from './stream-csv.js';
import { circles, classification, moons, xor } from './synthetic.js';
import { heights, trask } from './tables.js';

export { type ArrowOptions, fromArrow, fromParquet } from './arrow.js';
export { type CSVDataset, type CSVOptions, fromCSV } from './csv.js';
export { applyStandardize, argmax, oneHot, type Scaling, standardize } from './preprocess.js';
export { dataDirectory, digits, iris } from './real.js';
export { type Float32Split, type Split, type SplitOptions, trainTestSplit } from './split.js';
export {
  type CSVBatch,
  type CSVStream,
  STREAM_CSV_DEFAULTS,
  type StreamCSVOptions,
  streamCSV,
} from './stream-csv.js';
export {
  type CirclesOptions,
  type ClassificationOptions,
  circles,
  classification,
  type Dataset,
  type Float32Dataset,
  type MoonsOptions,
  moons,
  type XorOptions,
  xor,
} from './synthetic.js';
export type { TableDataset, TableOptions } from './table.js';
export { type HeightsDataset, heights, trask } from './tables.js';

/** Every data set under one name, for `import { datasets } from 'fastmlp'; datasets.moons({ noise: 0.1 })`. */
export const datasets = {
  moons,
  circles,
  classification,
  xor,
  trask,
  heights,
  digits,
  iris,
  fromCSV,
  fromArrow,
  fromParquet,
  streamCSV,
} as const;
