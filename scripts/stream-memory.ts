// Measures the streaming fit on a CSV larger than the heap it may use: writes a synthetic CSV of
// about --bytes (default 1 GB) in a temp dir, then, each in a child process under
// --max-old-space-size=<--heap, default 256> MB, (1) csv-parse alone on the file (its parse rate:
// what bounds a streaming fit) and (2) one epoch of net.fit(datasets.streamCSV(...)) with RSS sampled
// as the rows go by. Prints rows/s of both, their ratio, max RSS and RSS growth after the first
// 25% of the rows. The file is deleted afterwards.
//   npm run measure:stream -- [--bytes 1e9] [--heap 256] [--engine native|ts] [--schema-rows 100000|all]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeTable } from './stream-memory-child.js';

const CHILD = fileURLToPath(new URL('./stream-memory-child.ts', import.meta.url));
const { values } = parseArgs({
  options: {
    bytes: { type: 'string', default: '1e9' },
    heap: { type: 'string', default: '256' },
    engine: { type: 'string', default: 'native' },
    'schema-rows': { type: 'string', default: '100000' },
  },
});
const MB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-stream-'));
try {
  const path = join(dir, 'table.csv');
  let t = performance.now();
  const rows = writeTable(path, Number(values.bytes));
  const size = statSync(path).size;
  console.log(
    `wrote ${(size / MB).toFixed(0)} MB, ${rows} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const child = (mode: string) => {
    t = performance.now();
    const out = execFileSync(
      process.execPath,
      [
        `--max-old-space-size=${values.heap}`,
        '--import',
        'tsx',
        CHILD,
        'run',
        mode,
        path,
        values.engine,
        values['schema-rows'],
      ],
      { env: { ...process.env, STREAM_ROWS: String(rows) }, encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(out.trim().split('\n').pop() as string);
  };
  const parsed = child('parse');
  const parseRate = parsed.rows / parsed.seconds;
  console.log(
    `csv-parse alone: ${parsed.rows} rows in ${parsed.seconds.toFixed(1)} s = ${Math.round(parseRate)} rows/s`,
  );
  const fit = child('stream');
  const fitRate = fit.rows / fit.seconds;
  const at = (mark: number) => fit.rssAtMarks[fit.marks.indexOf(mark)] / MB;
  console.log(
    `streaming fit, 1 epoch (${values.engine}): ${fit.rows} rows in ${fit.seconds.toFixed(1)} s = ${Math.round(fitRate)} rows/s, ` +
      `${(fitRate / parseRate).toFixed(2)} x csv-parse's rate (schema pass over ${values['schema-rows']} rows: ${fit.firstPass.toFixed(1)} s)`,
  );
  console.log(
    `RSS under --max-old-space-size=${values.heap}: max ${(fit.maxRss / MB).toFixed(0)} MB; at 10/25/50/75/100% of the rows ` +
      `${fit.rssAtMarks.map((b: number) => (b / MB).toFixed(0)).join(' / ')} MB; growth after 25%: ` +
      `${(at(1) - at(0.25)).toFixed(1)} MB (max after 25%: ${(fit.maxRss / MB - at(0.25)).toFixed(1)} MB) for a ${(size / MB).toFixed(0)} MB file`,
  );
  console.log(`training loss ${fit.loss.toFixed(4)}, accuracy ${fit.accuracy.toFixed(4)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
