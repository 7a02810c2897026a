// Shared shapes of the benchmark: engine ids, one case of a workload, what a trial reports, and
// the contract every file in bench/workloads/ implements, and the child->driver line marker.
import type * as TF from '@tensorflow/tfjs';
import type { Engine } from '../lib/engine/engine.js';
import type { Budget } from './measure.js';

/** Starts the one stdout line of a trial that carries its outcomes (also in openblas_gemm.py). */
export const MARKER = '@@FASTMLP-BENCH@@';

export type EngineId =
  | 'native-1t'
  | 'native-2t'
  | 'ts'
  | 'tfjs-cpu'
  | 'tfjs-wasm'
  | 'openblas-1t'
  | 'openblas-2t';

export type Tf = typeof TF;

/** One row of a workload's table. `params` travel to the child process as JSON. */
export interface CaseSpec {
  id: string;
  label: string;
  /** Unit of every value: 'GFLOP/s', 'samples/s', 'us/call' or 's'. */
  unit: string;
  higherIsBetter: boolean;
  params: Record<string, number | boolean | string>;
}

export interface Check {
  passed: boolean;
  detail: string;
}

export type Outcome =
  | {
      status: 'ok';
      /** One value per timed sample, in the case's unit. */
      values: number[];
      /** The correctness check that ran before timing. */
      check: Check;
      info?: Record<string, number | string | boolean>;
    }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** What a child process has loaded for one engine. */
export type Subject =
  | { kind: 'fastmlp'; id: EngineId; engine: Engine; choice: 'native' | 'ts'; threads: number }
  | { kind: 'tfjs'; id: EngineId; tf: Tf; backend: 'cpu' | 'wasm' };

export interface TrialContext {
  budget: Budget;
  quick: boolean;
}

export interface Workload {
  name: string;
  title: string;
  /** Engines that have a row in this workload's table (the map's order). */
  engines: readonly EngineId[];
  cases(quick: boolean): CaseSpec[];
  /** Why this engine has no row for this case (a level of the API it lacks), or null. */
  skip?(engine: EngineId, c: CaseSpec): string | null;
  run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome>;
}

/** A clean skip, e.g. a level of the API that a competitor does not have. */
export const notApplicable = (reason: string): Outcome => ({ status: 'skipped', reason: `n/a: ${reason}` });
