// Model-file speed and memory: fastmlp's save and load of an Adam model against fs doing the same
// I/O (a durable write of the same bytes: write, fsync, rename; a plain read of the file), each
// measurement in a fresh child process (bench/model-io-child.ts) so its peak RSS growth is its own.
// Used by bench/workloads/model-files.ts, and runnable alone:
//   npx tsx bench/model-io.ts [--layers 1024,4096,2048,10] [--trials 3] [--engine ts|native]
// The default model, 1024-4096-2048-10 with Adam, has 12,609,546 parameters: a 151 MB file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Network } from '../lib/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FULL_LAYERS = [1024, 4096, 2048, 10];
export const QUICK_LAYERS = [784, 512, 256, 10];

export type ModelIOOp = 'fs-write' | 'save' | 'fs-read' | 'load';

export interface ModelIOSample {
  seconds: number;
  /** Bytes of peak RSS growth during the operation. */
  peakGrowth: number;
}

export interface ModelIOResult {
  fileBytes: number;
  params: number;
  samples: Record<ModelIOOp, ModelIOSample[]>;
  /** Whether each save (of the model load read) wrote the loaded file's bytes exactly. */
  sameBytes: boolean;
}

/** Trains an Adam model of these widths one step (so its optimizer state is not all zeros) and saves it. */
export async function makeModelFile(
  widths: number[],
  engine: 'native' | 'ts',
  path: string,
): Promise<number> {
  const [inputs, ...units] = widths;
  const net = new Network({
    inputs,
    layers: units.map((u, i) => ({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu' })),
    optimizer: 'adam',
    seed: 1,
    engine,
  });
  const rows = 8;
  const X = new Float32Array(rows * inputs).map((_, i) => ((i * 7919) % 1000) / 1000);
  const y = Array.from({ length: rows }, (_, r) => r % units[units.length - 1]);
  net.fitSync(X, y, { epochs: 1, batchSize: rows, shuffle: false });
  await net.save(path);
  return net.parameterCount;
}

async function child(op: ModelIOOp, file: string, out: string, engine: string): Promise<ModelIOSample> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench/model-io-child.ts'), op, file, out, engine],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  const line = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ModelIOSample;
  if (!Number.isFinite(line.seconds) || !Number.isFinite(line.peakGrowth)) {
    throw new Error(`model-io child ${op} printed ${stdout}`);
  }
  return { seconds: line.seconds, peakGrowth: line.peakGrowth };
}

/** `trials` rounds of the four operations, interleaved so a noisy moment hits them alike. */
export async function measureModelIO(
  widths: number[],
  engine: 'native' | 'ts',
  trials: number,
): Promise<ModelIOResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fastmlp-model-io-'));
  try {
    const file = join(dir, 'model.safetensors');
    const params = await makeModelFile(widths, engine, file);
    const samples: ModelIOResult['samples'] = { 'fs-write': [], save: [], 'fs-read': [], load: [] };
    let sameBytes = true;
    for (let t = 0; t < trials; t++) {
      for (const op of ['fs-write', 'save', 'fs-read', 'load'] as const) {
        const out = join(dir, `${op}.safetensors`);
        samples[op].push(await child(op, file, out, engine));
        if (op === 'save') sameBytes &&= readFileSync(out).equals(readFileSync(file));
      }
    }
    return { fileBytes: statSync(file).size, params, samples, sameBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per trial: our time / fs's time, and peak RSS growth / file size. */
export function ratios(r: ModelIOResult, op: 'save' | 'load'): { time: number[]; memory: number[] } {
  const base = r.samples[op === 'save' ? 'fs-write' : 'fs-read'];
  return {
    time: r.samples[op].map((s, i) => s.seconds / base[i].seconds),
    memory: r.samples[op].map((s) => s.peakGrowth / r.fileBytes),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const at = args.indexOf(name);
    return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
  };
  const widths = option('--layers', FULL_LAYERS.join(',')).split(',').map(Number);
  const trials = Number(option('--trials', '3'));
  const engine = option('--engine', 'native') as 'native' | 'ts';
  const r = await measureModelIO(widths, engine, trials);
  if (!r.sameBytes) throw new Error('save did not write back the bytes load read');
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(
    `${widths.join('-')} adam, ${r.params.toLocaleString('en-US')} parameters, file ${mb(r.fileBytes)}, engine ${engine}, ${trials} trials (medians)`,
  );
  console.log('| operation | seconds | peak RSS growth | growth / file | time / fs baseline |');
  console.log('|---|---:|---:|---:|---:|');
  for (const op of ['fs-write', 'save', 'fs-read', 'load'] as const) {
    const s = r.samples[op];
    const growth = median(s.map((x) => x.peakGrowth));
    const ratio = op === 'save' || op === 'load' ? `${median(ratios(r, op).time).toFixed(2)}x` : '-';
    console.log(
      `| ${op} | ${median(s.map((x) => x.seconds)).toFixed(3)} | ${mb(growth)} | ${(growth / r.fileBytes).toFixed(2)}x | ${ratio} |`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
