// The pure-TypeScript engine: runs everywhere, no build step. Same contract as the native engine
// (lib/engine/engine.ts); slower, and single-threaded (plan.threads is ignored).

import { MAX_ELEMENTS } from '../contract.js';
import { type Engine, plainArrays } from '../engine.js';
import { checkArray, checkBoolean, checkElements, checkFinite, checkLength, checkSize } from './checks.js';
import { gemm } from './gemm.js';
import { TsModel } from './model.js';
import { TsTrainer } from './trainer.js';

export const tsEngine: Engine = {
  name: 'ts',
  gemm(transA, transB, m, n, k, alpha, A, B, beta, C) {
    // The addon's order (gemm_binding.cpp): every argument's type and range, then the lengths.
    checkBoolean('transA', transA);
    checkBoolean('transB', transB);
    checkSize('m', m, 0, MAX_ELEMENTS);
    checkSize('n', n, 0, MAX_ELEMENTS);
    checkSize('k', k, 0, MAX_ELEMENTS);
    checkFinite('alpha', alpha);
    checkArray('A', A, Float32Array);
    checkArray('B', B, Float32Array);
    checkFinite('beta', beta);
    checkArray('C', C, Float32Array);
    checkLength('A', A, checkElements('A', m, k, A), transA ? 'k x m' : 'm x k');
    checkLength('B', B, checkElements('B', k, n, B), transB ? 'n x k' : 'k x n');
    checkLength('C', C, checkElements('C', m, n, C), 'm x n');
    gemm(transA, transB, m, n, k, alpha, A, 0, B, 0, beta, C, 0);
  },
  createModel(plan, params) {
    return new TsModel(plan, params);
  },
  createTrainer(plan, params, state) {
    return new TsTrainer(plan, params, state);
  },
  // its calls are synchronous: nothing to keep alive
  allocateFloat32: plainArrays.allocateFloat32,
  allocateUint32: plainArrays.allocateUint32,
  scanFinite: plainArrays.scanFinite,
};
