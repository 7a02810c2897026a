// The fit loop's copies: 1-epoch fit() throughput and the peak RSS growth of a fit (over the bytes
// of X) on the native engine, its own arrays in addon memory read in place by trainEpochsAsync
// (shared, now) against plain arrays copied by every chunk (copied, main's path before), measured
// side by side in interleaved fresh processes (bench/fit-copies.ts). The check before the
// figures: a fit's peak growth with shared blocks stays within one copy of its rows (X and Y)
// and the workspaces: 1.2x X.
import { type FitCopiesResult, type FitVariant, measureFitCopies, speedup } from '../fit-copies.js';
import type { CaseSpec, Outcome, Subject, TrialContext, Workload } from '../types.js';

type Measure = 'speed' | 'memory' | 'speedup' | 'loop';

const fitCase = (measure: Measure, variant: FitVariant | null): CaseSpec => ({
  id: variant ? `${measure}-${variant}` : measure,
  label: {
    speed: `1-epoch fit() samples/s, arrays ${variant === 'shared' ? 'shared (now)' : 'copied per chunk (before)'}`,
    memory: `peak RSS growth of a fit / X bytes, arrays ${variant === 'shared' ? 'shared (now)' : 'copied per chunk (before)'}`,
    speedup: '1-epoch fit() throughput, shared / copied, adjacent fits in one process',
    loop: `event loop per chunk's trainEpochsAsync call, arrays ${variant === 'shared' ? 'shared (now)' : 'copied per chunk (before)'}`,
  }[measure],
  unit: { speed: 'samples/s', loop: 'ms', memory: 'x', speedup: 'x' }[measure],
  higherIsBetter: measure === 'speed' || measure === 'speedup',
  params: { measure, variant: variant ?? '' },
});

/** One measurement per (engine, trial process), shared by its cases. */
const measured = new Map<string, Promise<FitCopiesResult>>();

export const fitCopies: Workload = {
  name: 'fit-copies',
  title: "fit()'s own arrays read in place by the native worker vs copied per chunk (784-128-10, batch 64)",
  engines: ['native-1t', 'native-2t'],
  cases() {
    return [
      fitCase('speed', 'copied'),
      fitCase('speed', 'shared'),
      fitCase('speedup', null),
      fitCase('loop', 'copied'),
      fitCase('loop', 'shared'),
      fitCase('memory', 'copied'),
      fitCase('memory', 'shared'),
    ];
  },
  async run(subject: Subject, c: CaseSpec, _ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp' || subject.choice !== 'native') {
      return { status: 'skipped', reason: 'n/a: the native engine copies' };
    }
    if (process.platform !== 'linux') return { status: 'skipped', reason: 'peak RSS needs /proc (Linux)' };
    let m = measured.get(subject.id);
    if (!m) {
      m = measureFitCopies(19200, 1, subject.threads); // X of 60 MB: always mmap'd
      measured.set(subject.id, m);
    }
    const r = await m;
    const variant = c.params.variant as FitVariant;
    const values =
      c.params.measure === 'speedup'
        ? speedup(r)
        : c.params.measure === 'speed'
          ? r.samplesPerSecond[variant]
          : c.params.measure === 'loop'
            ? r.loopMs[variant]
            : r.memory[variant];
    const worst = Math.max(...r.memory.shared);
    return {
      status: 'ok',
      values,
      check: {
        passed: worst <= 1.2,
        detail: `a fit of ${r.rows} rows grew peak RSS by ${worst.toFixed(2)}x its X with shared blocks (at most 1.2x: one copy of the rows, X and Y, and the workspaces)`,
      },
      info: { rows: r.rows },
    };
  },
};
