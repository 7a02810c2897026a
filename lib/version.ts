// fastmlp's own version, as its package.json states it: `fastmlp --version`, `fastmlp info` and
// exported models (ONNX producer_version and metadata) all read it here.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataDirectory } from './data/index.js';

/** fastmlp's version from its package.json (found beside the data/ folder); 'unknown' when unreadable. */
export function fastmlpVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(dataDirectory()), 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
