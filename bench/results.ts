// The file `npm run bench -- --json results.json` writes: one run's machine, capacity probes,
// options, comparison and engine-level results. bench/benchmark.ts writes it; --report and
// scripts/bench-readme.ts (the README's results) read it back through readBenchRun.
import { readFileSync } from 'node:fs';
import type { Machine } from './machine.js';
import type { WorkloadResult } from './report.js';
import type { Target } from './targets.js';
import type { Capacity } from './versus/capacity.js';
import type { VersusResult } from './versus/suite.js';

export interface BenchRun {
  machine: Machine;
  /** The FMA probe at the start of the run. */
  capacity: Capacity | { skip: string };
  options: {
    quick: boolean;
    trials: number;
    only: string[];
    archs: string[];
    threads: number[] | null;
    minutes?: number | null;
  };
  elapsedSeconds: number;
  /** The expected duration printed at the start (seconds), when the run printed one. */
  expectedSeconds?: number;
  versus: VersusResult | null;
  workloads: WorkloadResult[];
  targets: Target[];
}

/** Reads a --json file, or throws an error naming the file and what it lacks. */
export function readBenchRun(path: string): BenchRun {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const o = run as Partial<BenchRun> | null;
  const missing = ['machine', 'options', 'versus', 'workloads'].filter(
    (k) => typeof o !== 'object' || o === null || !(k in o),
  );
  if (missing.length > 0)
    throw new Error(
      `${path} is not the --json output of npm run bench: it lacks ${missing.join(', ')} (write one with npm run bench -- --json ${path})`,
    );
  return o as BenchRun;
}
