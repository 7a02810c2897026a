// `fastmlp info`: which engine 'auto' picks and why, the native addon's state (CPU kernel,
// default threads, or the reason it is missing and the command that builds it), and versions.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { dataDirectory } from '../data/index.js';
import { nativeStatus } from '../engine/native.js';
import { engineFallbackReason, selectEngine } from '../engine/select.js';
import { parseCommand } from './args.js';
import { emit } from './output.js';

const HELP = `Usage: fastmlp info [--json]

Prints the engine 'auto' picks and why, the native addon's CPU kernel and threads (or why it is
not available and how to build it), and the node and fastmlp versions.`;

interface NativeStatus {
  available: boolean;
  reason: string;
  fix: string;
  kernel?: string;
  defaultThreads?: number;
}

/** fastmlp's version from its package.json (found beside the data/ folder). */
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

export async function infoCommand(argv: string[]): Promise<number> {
  const values = parseCommand('info', argv, { json: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const native: NativeStatus = nativeStatus();
  const auto = selectEngine('auto').name;
  const fallback = auto === 'native' ? null : engineFallbackReason();
  const forced = process.env.FASTMLP_ENGINE;
  const threads = native.defaultThreads ?? availableParallelism();
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
  const info = {
    fastmlp: fastmlpVersion(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    engine: auto,
    why:
      auto === 'native'
        ? 'the native addon is built and loads'
        : (fallback ?? native.reason ?? 'the native addon is not available'),
    env: forced === undefined ? null : forced,
    native: {
      available: native.available,
      reason: native.available ? null : native.reason,
      fix: native.available ? null : native.fix,
      kernel: native.kernel ?? null,
      defaultThreads: native.defaultThreads ?? null,
    },
    threads,
    cpu,
    cores: availableParallelism(),
  };
  if (values.json) {
    emit(info);
    return 0;
  }
  const lines = [
    `fastmlp ${info.fastmlp} on node ${info.node} (${info.platform})`,
    `engine:  ${auto} (auto) - ${info.why}`,
  ];
  if (forced !== undefined) lines.push(`         FASTMLP_ENGINE=${forced} is set and overrides 'auto'`);
  if (native.available) {
    lines.push(`native:  available, kernel ${native.kernel ?? 'unknown'}, ${threads} threads by default`);
  } else {
    lines.push(`native:  not available: ${native.reason}`);
    lines.push(`         build it with: ${native.fix}`);
  }
  lines.push(`cpu:     ${cpu}, ${info.cores} cores`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
