// Small output helpers shared by the CLI commands: JSON lines on stdout, durations, checking that
// output files can be written (and are not each other or an input) before spending minutes on
// training, and errors that name the file a failed write was for.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './args.js';
import { BUILTIN_DATA } from './data.js';

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

/** A file named on the command line: the option that named it and its path. */
export interface FileOption {
  option: string;
  path: string | undefined;
}

/** `--data`'s file, or nothing when it names a built-in set (which is what loadData reads then). */
export function dataFile(data: string): FileOption {
  return { option: '--data', path: (BUILTIN_DATA as readonly string[]).includes(data) ? undefined : data };
}

/**
 * Throws a CliError when an output is the same file as an input or as another output, so that
 * writing one cannot destroy another (`--out m --report m`, `predict --out` naming the model).
 * Same file: the same device and inode once every symlink is followed (hard links included),
 * or, for a file not there yet, the same real folder and name.
 */
export function checkDistinctFiles(inputs: FileOption[], outputs: FileOption[]): void {
  const seen: { option: string; path: string; id: string; input: boolean }[] = [];
  for (const { option, path } of inputs)
    if (path) seen.push({ option, path, id: fileIdentity(path), input: true });
  for (const { option, path } of outputs) {
    if (!path) continue;
    const id = fileIdentity(path);
    const same = seen.find((other) => other.id === id);
    if (same) {
      throw new CliError(
        same.input
          ? `${option} ${path} is the same file as ${same.option} ${same.path}, an input; writing it would destroy it`
          : `${option} ${path} is the same file as ${same.option} ${same.path}; give each output its own file`,
      );
    }
    seen.push({ option, path, id, input: false });
  }
}

/** What a path will read or write: dev:ino of an existing file, else its real folder and name. */
function fileIdentity(path: string): string {
  let at = resolve(path);
  // follow symlinks by hand (at most 40 hops, as the kernel does), so a dangling one counts as its target
  for (let hops = 0; hops < 40; hops++) {
    let link: boolean;
    try {
      link = lstatSync(at).isSymbolicLink();
    } catch {
      break; // not there yet
    }
    if (!link) {
      const { dev, ino } = statSync(at);
      return `inode ${dev}:${ino}`;
    }
    at = resolve(dirname(at), readlinkSync(at));
  }
  let folder = dirname(at);
  try {
    folder = realpathSync.native(folder);
  } catch {
    // a missing folder is reported by checkWritable; compare the path as given
  }
  return `path ${join(folder, basename(at))}`;
}

/** Runs `write` (which writes `path`); a failure becomes a CliError naming the option and the file. */
export async function writeOutput(option: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot write ${option} ${path}: ${message}`);
  }
}
