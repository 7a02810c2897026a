// `fastmlp bench [args]`: runs the benchmark (written separately, in bench/) in a child process
// with the given arguments: the built dist/bench/benchmark.js when this CLI runs from dist/, else
// bench/benchmark.ts through tsx. Exits with the benchmark's exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDirectory } from '../data/index.js';
import { CliError } from './args.js';

const HELP = `Usage: fastmlp bench [benchmark arguments]

Runs fastmlp's benchmark (bench/benchmark.ts) in a child process, passing every argument on;
\`fastmlp bench -- --help\` shows the benchmark's own options.`;

export async function benchCommand(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const root = dirname(dataDirectory());
  const built = join(root, 'dist', 'bench', 'benchmark.js');
  const source = join(root, 'bench', 'benchmark.ts');
  const fromDist = fileURLToPath(import.meta.url).endsWith('.js');
  let command: string;
  let commandArgs: string[];
  if (fromDist && existsSync(built)) {
    command = process.execPath;
    commandArgs = [built, ...args];
  } else if (existsSync(source)) {
    command = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    commandArgs = ['tsx', source, ...args];
  } else if (existsSync(built)) {
    command = process.execPath;
    commandArgs = [built, ...args];
  } else {
    throw new CliError(`the benchmark is missing: neither ${source} nor ${built} exists`);
  }
  return await new Promise<number>((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
    child.on('error', (error) => reject(new CliError(`cannot start the benchmark: ${error.message}`)));
    child.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)),
    );
  });
}
