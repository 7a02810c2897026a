// Runs the `fastmlp` command as a child process (node --import tsx lib/cli/main.ts), with
// FASTMLP_ENGINE cleared so --engine decides.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'lib', 'cli', 'main.ts');
export const CLI_ENV = { ...process.env, FASTMLP_ENGINE: '' };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { cwd: ROOT, env: CLI_ENV },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
