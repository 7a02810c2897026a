// How long a run of the comparison takes on a quiet machine, printed before it starts and
// compared with the real duration at the end (and as it goes: the ETA in the trial log). Each
// trial's time is mostly its process start plus the sampling budgets (wall-clock bounded:
// FIT_SAMPLING, node-trial.ts's budgets), which do not depend on the machine's speed, plus the
// few calls of fixed work (warm-up, minimum samples) that do.
//
// The seconds below are for a quiet 2-core x86-64 machine (AMD EPYC Zen 5 VM), and came from two
// estimates that agreed within 10%: (1) process start measured as CPU time (node + tsx + lib
// 1.1 s, python + numpy 0.9 s, python + torch 2.4 s) plus the sampling budgets plus the fixed
// calls at the quiet rates; (2) `npm run bench -- --trials 1 --json` on the loaded
// machine (454 s, with smaller budgets), its trials' seconds (the `seconds` of each trial-log
// entry) divided by the run's median FMA-probe slowdown against a quiet core (3.6x), plus the
// budgets added since. A run prints expected and real totals; recalibrate from its log.
import type { ArchId } from './archs.js';
import { CONTENDERS_OF, type ContenderId, type TrialKind } from './protocol.js';
import type { PlannedBlock } from './suite.js';

type PerContender = Partial<Record<ContenderId, number>>;

/** Seconds of one full (not --quick) trial on a quiet machine, by kind, network and contender. */
const QUIET_TRIAL_SECONDS: Record<TrialKind, Partial<Record<ArchId, PerContender>>> = {
  train: {
    tabular: { fastmlp: 5.8, numpy: 2.1, torch: 3.6 },
    mnist: { fastmlp: 5.8, numpy: 2.2, torch: 4.0 },
    wide: { fastmlp: 4.0, numpy: 2.5, torch: 3.8 },
    deep: { fastmlp: 3.5, numpy: 2.2, torch: 4.4 },
  },
  predict: {
    mnist: { fastmlp: 5.7, ort: 4.9 },
    tabular: { fastmlp: 5.7, ort: 4.9 },
  },
  memory: { mnist: { fastmlp: 1.6 } },
};
/** A --quick trial: little more than its process start. */
const QUICK_TRIAL_SECONDS: Record<ContenderId, number> = { fastmlp: 1.6, ort: 1.8, numpy: 1.2, torch: 2.8 };
/** A trial not in the table (a network added later): the table's largest. */
const FALLBACK_SECONDS = 6;
/** Before the first trial: describing the machine, finding the Python interpreters, writing the data. */
export const SETUP_SECONDS = 5;
/** One FMA probe (two 60 ms runs and a process start), before each trial round. */
export const PROBE_SECONDS = 0.15;

export function trialSeconds(kind: TrialKind, arch: ArchId, contender: ContenderId, quick: boolean): number {
  if (quick) return QUICK_TRIAL_SECONDS[contender];
  return QUIET_TRIAL_SECONDS[kind][arch]?.[contender] ?? FALLBACK_SECONDS;
}

/** Seconds of one block's trial round (every contender once, and its probe). */
export function roundSeconds(b: PlannedBlock, quick: boolean): number {
  return (
    PROBE_SECONDS + CONTENDERS_OF[b.kind].reduce((sum, c) => sum + trialSeconds(b.kind, b.arch, c, quick), 0)
  );
}

/** Expected seconds of the whole comparison on a quiet machine. */
export function expectedSeconds(plan: PlannedBlock[], trials: number, quick: boolean): number {
  return SETUP_SECONDS + trials * plan.reduce((sum, b) => sum + roundSeconds(b, quick), 0);
}

/** '12 min', '45 s'. */
export function showDuration(seconds: number): string {
  return seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}
