// The pure-TypeScript engine: runs everywhere, no build step. Same contract as the native engine
// (lib/engine/engine.ts); slower, and single-threaded (plan.threads is ignored).
import type { Engine } from '../engine.js';
import { checkInteger, checkLength } from './checks.js';
import { gemm } from './gemm.js';
import { TsModel } from './model.js';
import { TsTrainer } from './trainer.js';

export const tsEngine: Engine = {
  name: 'ts',
  gemm(transA, transB, m, n, k, alpha, A, B, beta, C) {
    checkInteger('m', m, 0);
    checkInteger('n', n, 0);
    checkInteger('k', k, 0);
    checkLength('A', A, m * k);
    checkLength('B', B, k * n);
    checkLength('C', C, m * n);
    gemm(transA, transB, m, n, k, alpha, A, 0, B, 0, beta, C, 0);
  },
  createModel(plan, params) {
    return new TsModel(plan, params);
  },
  createTrainer(plan, params, state) {
    return new TsTrainer(plan, params, state);
  },
};
