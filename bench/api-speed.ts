// The public API's costs before and after (issue 13), in fresh processes that alternate between
// two checkouts (A, B, A, B, ...: a noisy moment hits both alike): this one and the one given by
// --base (a built checkout of an older commit; without it, this checkout alone). Each process is
// bench/children/api-speed.ts; its ratios are taken inside one process (adjacent fits, interleaved
// predict rounds), the table shows their medians over the trials.
//   npx tsx bench/api-speed.ts [--base /path/to/old/checkout] [--trials 3] [--threads 2]
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('children/api-speed.ts', import.meta.url));

type Row = Record<string, unknown>;

async function child(root: string, what: 'fit' | 'predict' | 'memory', threads: number): Promise<Row> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, root, what, String(threads)],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Row;
}

const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1];

function flatten(row: Row, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'number') out[prefix + k] = v;
    else if (v && typeof v === 'object') Object.assign(out, flatten(v as Row, `${prefix}${k}.`));
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      trials: { type: 'string', default: '3' },
      threads: { type: 'string', default: '2' },
    },
  });
  const trials = Number(values.trials);
  const threads = Number(values.threads);
  const roots: [string, string][] = [['now', ROOT]];
  if (values.base) roots.unshift(['base', values.base]);
  const seen: Record<string, Record<string, number[]>> = {};
  for (let t = 0; t < trials; t++) {
    for (const what of ['fit', 'predict', 'memory'] as const) {
      for (const [name, root] of roots) {
        const row = flatten(await child(root, what, threads));
        seen[name] ??= {};
        for (const [k, v] of Object.entries(row)) {
          seen[name][k] ??= [];
          seen[name][k].push(v);
        }
        process.stderr.write(`trial ${t} ${what} ${name}: ${JSON.stringify(row)}\n`);
      }
    }
  }
  console.log(`threads ${threads}, ${trials} trials, medians`);
  const keys = Object.keys(seen.now ?? {});
  console.log(['measure', ...roots.map(([n]) => n), ...(values.base ? ['now / base'] : [])].join(' | '));
  for (const k of keys) {
    const cells = roots.map(([n]) => median(seen[n]?.[k] ?? [Number.NaN]));
    const extra = values.base ? [(cells[1] / cells[0]).toFixed(2)] : [];
    console.log([k, ...cells.map((c) => c.toPrecision(4)), ...extra].join(' | '));
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
