// The report's header: machine, CPU features, versions, date, load. Read once by the driver.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { engineInfo } from '../lib/index.js';
import { nativeInfo } from './engines.js';

export interface Machine {
  date: string;
  os: string;
  cpu: string;
  cores: number;
  /** The SIMD flags of /proc/cpuinfo that matter here: sse4_2, avx, avx2, fma and every avx512*. */
  cpuFlags: string[];
  /** engineInfo().native.kernel: the native engine's gemm kernel ('avx2-fma', 'avx512', ...), or 'n/a'. */
  nativeKernel: string;
  nativeStatus: string;
  node: string;
  fastmlp: string;
  tfjs: string;
  tfjsBackendWasm: string;
  onnxruntime: string;
  git: string;
  loadAverage: number[];
}

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function cpuFlags(): string[] {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const flags = line?.split(':')[1].trim().split(/\s+/) ?? [];
    const base = ['sse4_2', 'avx', 'avx2', 'fma'].filter((f) => flags.includes(f));
    return [...base, ...flags.filter((f) => f.startsWith('avx512'))];
  } catch {
    return [];
  }
}

/** The CPU's model name, with /proc/cpuinfo's family and model numbers (a VM may show only "AMD EPYC"). */
function cpuModel(): string {
  const name = os.cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (key: string) => new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const family = field('cpu family');
    const model = field('model');
    return family && model ? `${name} (family ${family}, model ${model})` : name;
  } catch {
    return name;
  }
}

function git(): string {
  const run = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const dirty = run(['status', '--porcelain']);
  if (dirty === null) return 'n/a (not a git checkout)';
  const head = run(['rev-parse', '--short', 'HEAD']) ?? 'no commits yet';
  return `${head}${dirty !== '' ? ' (uncommitted changes)' : ''}`;
}

/** The kernel the public API reports (engineInfo()), or null without the addon or with a bad FASTMLP_ENGINE. */
function engineKernel(): string | null {
  try {
    return engineInfo().native.kernel;
  } catch {
    return null;
  }
}

export async function describeMachine(): Promise<Machine> {
  const native = await nativeInfo();
  const root = new URL('../package.json', import.meta.url);
  return {
    date: new Date().toISOString(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpuModel(),
    cores: os.cpus().length,
    cpuFlags: cpuFlags(),
    nativeKernel: engineKernel() ?? native.kernel ?? 'n/a',
    nativeStatus: native.available ? 'loaded' : `not available: ${native.reason}`,
    node: process.version,
    fastmlp: (JSON.parse(readFileSync(root, 'utf8')) as { version: string }).version,
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    onnxruntime: packageVersion('onnxruntime-node'),
    git: git(),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
