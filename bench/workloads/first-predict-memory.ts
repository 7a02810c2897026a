// What the first predict on a network allocates beyond its input and output, as a percentage
// of the parameters' bytes, on a 12.6M-parameter network (1024-3072-3072-10): peak RSS growth
// and ArrayBuffers growth, 1 row and 1,024 rows. Each sample is its own fresh process
// (bench/children/first-predict-memory.ts), which checks nothing but the output's size: this
// row measures memory, not arithmetic (test/30 and test/31 check the outputs and the bound).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseSpec, Outcome, Subject, TrialContext, Workload } from '../types.js';

const CHILD = fileURLToPath(new URL('../children/first-predict-memory.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ChildResult {
  engine: string;
  rows: number;
  abFraction: number;
  rssFraction: number;
}

const memoryCase = (measure: 'rss' | 'ab', rows: number): CaseSpec => ({
  id: `${measure}-${rows}`,
  label: `${measure === 'rss' ? 'peak RSS' : 'ArrayBuffers'} growth, first predict of ${rows} row${rows === 1 ? '' : 's'}`,
  unit: '% of params',
  higherIsBetter: false,
  params: { measure, rows },
});

function runChild(engine: string, threads: number, rows: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHILD, engine, String(threads), String(rows)],
      { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim()) as ChildResult)),
    );
  });
}

/** One batch of fresh-process samples per (engine, rows), shared by the rss and ab cases. */
const samples = new Map<string, Promise<ChildResult[]>>();

export const firstPredictMemory: Workload = {
  name: 'first-predict-memory',
  title: 'first predict on a 12.6M-parameter network: memory beyond input and output',
  engines: ['native-1t', 'native-2t', 'ts'],
  cases(quick) {
    return [1, quick ? 64 : 1024].flatMap((rows) => [memoryCase('rss', rows), memoryCase('ab', rows)]);
  },
  async run(subject: Subject, c: CaseSpec, ctx: TrialContext): Promise<Outcome> {
    if (subject.kind !== 'fastmlp') return { status: 'skipped', reason: 'n/a: fastmlp engines only' };
    const rows = Number(c.params.rows);
    const key = `${subject.id}:${rows}`;
    let batch = samples.get(key);
    if (!batch) {
      // Sequential: two 12.6M-parameter processes at once would measure each other.
      batch = (async () => {
        const out: ChildResult[] = [];
        for (let i = 0; i < (ctx.quick ? 1 : 3); i++)
          out.push(await runChild(subject.choice, subject.threads, rows));
        return out;
      })();
      samples.set(key, batch);
    }
    const results = await batch;
    if (results.some((r) => r.engine !== subject.choice)) {
      return { status: 'failed', reason: `a child ran on ${results[0].engine}, not ${subject.choice}` };
    }
    const values = results.map((r) => 100 * (c.params.measure === 'rss' ? r.rssFraction : r.abFraction));
    return {
      status: 'ok',
      values,
      check: {
        passed: true,
        detail: `${results.length} fresh process(es), ${rows} rows, engine ${subject.choice}`,
      },
      info: { includes: 'network construction excluded; input and output excluded' },
    };
  },
};
