// What a fit's peak memory beyond the caller's data is made of (issue 13's memory goal): one
// 1-epoch fit() of 784-128-10 on the native engine per row count, each in a fresh process
// (bench/children/fit-memory-parts.ts), its resident growth read stage by stage; then the part
// that grows with the rows (a straight line through the peaks: bytes per row, in copies of the
// caller's (X, label) row) and the part that does not (MB at 0 rows: the model-sized state).
// Linux only (/proc). Runnable alone:
//   npx tsx bench/fit-memory-parts.ts [--rows 4800,19200,38400] [--threads 2] [--optimizer sgd|adam]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PARTS_INPUTS, PARTS_OUTPUTS } from './children/fit-memory-parts.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 2 ** 20;

interface Parts {
  rows: number;
  loss: number;
  stages: { stage: string; growth: number; threads: number }[];
  peak: number;
  arrays: number;
  callerBytes: number;
  paramBytes: number;
}

async function measure(rows: number, threads: number, optimizer: string): Promise<Parts> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(ROOT, 'bench/children/fit-memory-parts.ts'),
      String(rows),
      String(threads),
      optimizer,
    ],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Parts;
}

/** Least squares y = a + b x. */
function line(x: number[], y: number[]): { a: number; b: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(
      'Usage: npx tsx bench/fit-memory-parts.ts [--rows 4800,19200,38400] [--threads 2] [--optimizer sgd|adam]',
    );
    return;
  }
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const rowCounts = option('--rows', '4800,19200,38400').split(',').map(Number);
  const threads = Number(option('--threads', '2'));
  const optimizer = option('--optimizer', 'sgd');
  if (rowCounts.length < 2 || rowCounts.some((r) => !Number.isInteger(r) || r < 64)) {
    throw new RangeError('Expected --rows to list at least two row counts of 64 or more');
  }
  const results: Parts[] = [];
  for (const rows of rowCounts) results.push(await measure(rows, threads, optimizer));
  const callerRow = (PARTS_INPUTS + 1) * 4; // a row of X and its label, as the caller passed them
  console.log(
    `1-epoch fit() of 784-128-10 (${optimizer}), batch 64, native ${threads} thread(s); X a Float32Array, y one class index per row (a Float32Array): ${callerRow} bytes per row`,
  );
  for (const r of results) {
    console.log(`\n${r.rows} rows: resident growth over the mark, MiB (step: since the stage before)`);
    console.log('| stage | growth | step | threads |');
    console.log('|---|---:|---:|---:|');
    let last = 0;
    for (const s of r.stages) {
      console.log(
        `| ${s.stage} | ${(s.growth / MiB).toFixed(2)} | ${((s.growth - last) / MiB).toFixed(2)} | ${s.threads} |`,
      );
      last = s.growth;
    }
    console.log(`| peak (VmHWM) | ${(r.peak / MiB).toFixed(2)} | | |`);
  }
  console.log(
    "\n| rows | caller's data, MiB | peak growth, MiB | copies of the caller's rows | fit's own arrays / caller's data | rest (peak - arrays), MiB |",
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.rows} | ${(r.callerBytes / MiB).toFixed(2)} | ${(r.peak / MiB).toFixed(2)} | ${(r.peak / r.callerBytes).toFixed(4)} | ${(r.arrays / r.callerBytes).toFixed(4)} | ${((r.peak - r.arrays) / MiB).toFixed(2)} |`,
    );
  }
  const fit = line(
    results.map((r) => r.rows),
    results.map((r) => r.peak),
  );
  const arraysPerRow = results[0].arrays / results[0].rows;
  console.log(
    `\nper row: ${fit.b.toFixed(1)} bytes of peak growth (${(fit.b / callerRow).toFixed(4)} copies of a caller's row); the fit's own arrays ${arraysPerRow} bytes (${(arraysPerRow / callerRow).toFixed(4)}): X ${PARTS_INPUTS * 4}, targets ${PARTS_OUTPUTS * 4} (one-hot), shuffled order 4`,
  );
  console.log(
    `fixed (the line at 0 rows): ${(fit.a / MiB).toFixed(2)} MiB; the parameters are ${(results[0].paramBytes / MiB).toFixed(2)} MiB`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
