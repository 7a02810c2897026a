// Small output helpers shared by the CLI commands: JSON lines on stdout, durations, and checking
// that an output file can be written before spending minutes on training.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './args.js';

/** Writes one JSON object as one line on stdout. */
export function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function formatSeconds(seconds: number): string {
  return seconds < 60
    ? `${seconds.toFixed(2)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** Throws a CliError when `path`'s folder is missing or `path` is a folder. */
export function checkWritable(path: string, option: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CliError(`cannot write ${option} ${path}: folder ${dir} does not exist`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new CliError(`cannot write ${option} ${path}: it is a folder`);
  }
}
