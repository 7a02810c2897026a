// `npm run bench:readme [-- results.json] [--readme README.md]`: rewrites the README's benchmark
// results between <!-- bench:begin --> and <!-- bench:end --> from one `npm run bench -- --json
// results.json` run (bench/readme.ts renders them; default file: RESULTS_FILE, the one committed
// beside the README). Nothing else in the README changes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RESULTS_FILE, renderReadmeResults, replaceResults } from '../bench/readme.js';
import { readBenchRun } from '../bench/results.js';

const USAGE = `Usage: npm run bench:readme [-- results.json (default ${RESULTS_FILE})] [--readme README.md]`;

function main(argv: string[]): void {
  let results: string | null = null;
  const root = new URL('..', import.meta.url);
  let readme = fileURLToPath(new URL('README.md', root));
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--readme') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Expected a file after --readme\n${USAGE}`);
      readme = v;
    } else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(USAGE);
      return;
    } else if (argv[i].startsWith('--')) throw new Error(`Unknown option ${argv[i]}\n${USAGE}`);
    else if (results === null) results = argv[i];
    else throw new Error(`Expected one results file, got ${results} and ${argv[i]}\n${USAGE}`);
  }
  results ??= fileURLToPath(new URL(RESULTS_FILE, root));
  const run = readBenchRun(results);
  const before = readFileSync(readme, 'utf8');
  const after = replaceResults(before, renderReadmeResults(run));
  if (after !== before) writeFileSync(readme, after);
  console.log(
    `${after === before ? 'unchanged' : 'rewrote'}: ${readme}'s results from ${results} (git ${run.machine.git}, ${run.machine.date})`,
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
