// One trial, in its own process: loads one engine, runs the asked cases (check, warm-up, timed
// samples) of one or more workloads, and prints the outcomes as one marked JSON line for
// bench/benchmark.ts. Usage (from the driver):
//   node --import tsx bench/trial.ts '{"engine":"ts","quick":false,"jobs":[{"workload":"gemm","cases":["sq64"]}]}'
import { loadSubject, message } from './engines.js';
import { FULL_BUDGET, QUICK_BUDGET } from './measure.js';
import { type EngineId, MARKER, type Outcome } from './types.js';
import { WORKLOADS } from './workloads/index.js';

export interface TrialSpec {
  engine: EngineId;
  quick: boolean;
  jobs: { workload: string; cases: string[] }[];
}

/** workload name -> case id -> outcome */
export type TrialOutput = Record<string, Record<string, Outcome>>;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TrialSpec;
  const ctx = { budget: spec.quick ? QUICK_BUDGET : FULL_BUDGET, quick: spec.quick };
  const subject = await loadSubject(spec.engine);
  const out: TrialOutput = {};
  for (const job of spec.jobs) {
    const workload = WORKLOADS.find((w) => w.name === job.workload);
    if (!workload) throw new Error(`Unknown workload ${job.workload}`);
    const results: Record<string, Outcome> = {};
    out[job.workload] = results;
    for (const c of workload.cases(spec.quick).filter((c) => job.cases.includes(c.id))) {
      if ('skip' in subject) {
        results[c.id] = { status: 'skipped', reason: subject.skip };
        continue;
      }
      try {
        results[c.id] = await workload.run(subject, c, ctx);
      } catch (error) {
        results[c.id] = { status: 'failed', reason: message(error) };
      }
    }
  }
  process.stdout.write(`\n${MARKER}${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0), // tfjs may hold handles open; the result is out
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
