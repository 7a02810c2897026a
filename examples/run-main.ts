// Runs an example's main() when its file is the script node was started with (not when a test imports it).
import { pathToFileURL } from 'node:url';

export function runIfMain(moduleUrl: string, main: () => unknown): void {
  const script = process.argv[1];
  if (script && pathToFileURL(script).href === moduleUrl) {
    Promise.resolve(main()).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
  }
}
