// What the public API adds to the engine (issue 13), as ratios taken inside one process
// (bench/children/api-speed.ts): one fit() call of 1 epoch over one epoch of a 4-epoch fit
// (784-128-10 batch 64 and 30-64-64-1 batch 32, 19,200 rows each), the peak memory of fits back
// to back, predict of 1 sample, and
// predict of 1,024 rows from number[][] and through Network against a Float32Array and the
// engine's own model.predict. Before/after against an older checkout: npx tsx bench/api-speed.ts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CaseSpec, Outcome, Subject, TrialContext, Workload } from '../types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../children/api-speed.ts', import.meta.url));

type Measured = Record<string, number | boolean | Record<string, number>>;

const CASES: (CaseSpec & { what: 'fit' | 'predict' | 'memory'; read: (m: Measured) => number })[] = [
  {
    id: 'fit-start-mnist',
    label: '1-epoch fit() / one epoch of a 4-epoch fit, 784-128-10 batch 64',
    unit: 'x',
    higherIsBetter: false,
    params: {},
    what: 'fit',
    read: (m) => (m.mnist as Record<string, number>).ratio,
  },
  {
    id: 'fit-start-tabular',
    label: '1-epoch fit() / one epoch of a 4-epoch fit, 30-64-64-1 batch 32',
    unit: 'x',
    higherIsBetter: false,
    params: {},
    what: 'fit',
    read: (m) => (m.tabular as Record<string, number>).ratio,
  },
  {
    id: 'predict-one',
    label: 'Network.predict, 1 sample',
    unit: 'us/call',
    higherIsBetter: false,
    params: {},
    what: 'predict',
    read: (m) => m.oneUs as number,
  },
  {
    id: 'rows-cost',
    label: 'Network.predict 1,024 rows: number[][] time / Float32Array time',
    unit: 'x',
    higherIsBetter: false,
    params: {},
    what: 'predict',
    read: (m) => m.f32OverRows as number,
  },
  {
    id: 'network-cost',
    label: 'predict 1,024 rows: Network.predict time / engine model.predict time',
    unit: 'x',
    higherIsBetter: false,
    params: {},
    what: 'predict',
    read: (m) => m.engineOverNetwork as number,
  },
  {
    id: 'fit-memory',
    label: 'peak RSS growth over 3 back-to-back 1-epoch fits / X bytes, 784-128-10 (Linux)',
    unit: 'x',
    higherIsBetter: false,
    params: {},
    what: 'memory',
    read: (m) => m.peakOverX as number,
  },
];

/** One child per (engine, measure) in a trial process, shared by its cases. */
const measured = new Map<string, Promise<Measured>>();

async function child(what: 'fit' | 'predict' | 'memory', threads: number): Promise<Measured> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, ROOT, what, String(threads)],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Measured;
}

export const apiSpeed: Workload = {
  name: 'api-speed',
  title: 'What the public API adds to the engine: fit start, predict of 1 sample and of number[][]',
  engines: ['native-1t', 'native-2t'],
  cases() {
    return CASES.map(({ what: _what, read: _read, ...c }) => c);
  },
  async run(subject: Subject, c: CaseSpec, _ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp' || subject.choice !== 'native') {
      return { status: 'skipped', reason: 'n/a: measured on the native engine' };
    }
    const spec = CASES.find((k) => k.id === c.id);
    if (!spec) return { status: 'failed', reason: `unknown case ${c.id}` };
    const key = `${subject.id}:${spec.what}`;
    let m = measured.get(key);
    if (!m) {
      m = child(spec.what, subject.threads);
      measured.set(key, m);
    }
    const result = await m;
    const value = spec.read(result);
    const rowsMatch = spec.what !== 'predict' || result.rowsMatch === true;
    return {
      status: 'ok',
      values: [value],
      check: {
        passed: Number.isFinite(value) && rowsMatch,
        detail:
          spec.what === 'predict'
            ? 'number[][] and Float32Array rows give the same outputs, bit for bit'
            : 'the fits ran to the end',
      },
    };
  },
};
