// Model files: save and load of a 1024-4096-2048-10 Adam model (12.6M parameters, a 151 MB file;
// quick mode: 784-512-256-10, 6.4 MB) against fs doing the same I/O, and the peak RSS growth of
// each against the file's size. Every measurement runs in its own fresh process
// (bench/model-io.ts); the check before the figures: save wrote back exactly the bytes load read.
import { FULL_LAYERS, type ModelIOResult, measureModelIO, QUICK_LAYERS, ratios } from '../model-io.js';
import type { CaseSpec, Outcome, Subject, TrialContext, Workload } from '../types.js';

type Measure = 'seconds' | 'time' | 'memory';

const ioCase = (op: 'save' | 'load', measure: Measure): CaseSpec => ({
  id: { seconds: `${op}-s`, time: op, memory: `${op}-rss` }[measure],
  label: {
    seconds: `${op} (seconds)`,
    time: `${op} time / ${op === 'save' ? 'durable fs write (write, fsync, rename)' : 'fs read'} of the same bytes`,
    memory: `${op} peak RSS growth / file size`,
  }[measure],
  unit: measure === 'seconds' ? 's' : 'x',
  higherIsBetter: false,
  params: { op, measure },
});

/** One measurement per trial process, shared by its cases. */
let measured: Promise<ModelIOResult> | null = null;

export const modelFiles: Workload = {
  name: 'model-files',
  title: 'save and load of an Adam model vs fs',
  engines: ['native-1t', 'ts'],
  cases() {
    return (['save', 'load'] as const).flatMap((op) =>
      (['seconds', 'time', 'memory'] as const).map((measure) => ioCase(op, measure)),
    );
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp') return { status: 'skipped', reason: 'n/a: fastmlp model files' };
    if (process.platform !== 'linux') return { status: 'skipped', reason: 'peak RSS needs /proc (Linux)' };
    measured ??= measureModelIO(ctx.quick ? QUICK_LAYERS : FULL_LAYERS, subject.choice, 1);
    const r = await measured;
    const op = c.params.op as 'save' | 'load';
    const base = r.samples[op === 'save' ? 'fs-write' : 'fs-read'];
    return {
      status: 'ok',
      values:
        c.params.measure === 'seconds'
          ? r.samples[op].map((s) => s.seconds)
          : ratios(r, op)[c.params.measure as 'time' | 'memory'],
      check: {
        passed: r.sameBytes,
        detail: `save of the loaded ${(r.fileBytes / 1e6).toFixed(1)} MB file wrote ${r.sameBytes ? 'the same' : 'different'} bytes`,
      },
      info: {
        seconds: r.samples[op][0].seconds,
        fsSeconds: base[0].seconds,
        peakGrowthMB: r.samples[op][0].peakGrowth / 1e6,
        fileMB: r.fileBytes / 1e6,
        params: r.params,
      },
    };
  },
};
