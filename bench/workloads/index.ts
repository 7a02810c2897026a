// The workloads, in the order the report shows them. One file per workload.
import type { Workload } from '../types.js';
import { apiSpeed } from './api-speed.js';
import { dropout } from './dropout.js';
import { firstPredictMemory } from './first-predict-memory.js';
import { fitCopies } from './fit-copies.js';
import { gemm } from './gemm.js';
import { modelFiles } from './model-files.js';
import { optimizers } from './optimizers.js';
import { predict } from './predict.js';
import { seeds } from './seeds.js';
import { train } from './train.js';

export const WORKLOADS: readonly Workload[] = [
  gemm,
  train,
  seeds,
  predict,
  modelFiles,
  firstPredictMemory,
  fitCopies,
  apiSpeed,
  optimizers,
  dropout,
];
