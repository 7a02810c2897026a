// One measurement of bench/model-io.ts, in a fresh process so its peak RSS is its own: a durable
// fs write of a model file's bytes (write, fsync, rename), fastmlp's save of the same model, a
// plain read of the file, or fastmlp's load of it. Prints one JSON line: seconds, peak RSS growth.
// Usage: node --expose-gc --import tsx bench/model-io-child.ts <fs-write|save|fs-read|load> <file> <out> <engine>
import { readFileSync, writeFileSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { Network } from '../lib/index.js';

type Op = 'fs-write' | 'save' | 'fs-read' | 'load';

const statusKB = (key: string): number => {
  const match = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
};

/** Resets the kernel's peak-RSS mark to the current RSS (Linux >= 4.0) and returns that RSS. */
function resetPeak(): number {
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  return statusKB('VmRSS');
}

async function durableWrite(bytes: Uint8Array, out: string): Promise<void> {
  const temporary = `${out}.tmp`;
  const file = await open(temporary, 'w');
  try {
    for (let at = 0; at < bytes.length; ) {
      at += (await file.write(bytes, at, Math.min(1 << 30, bytes.length - at))).bytesWritten;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, out);
}

async function main(): Promise<void> {
  const [op, file, out, engine] = process.argv.slice(2) as [Op, string, string, 'native' | 'ts'];
  // Loaded before timing: the engine (and for save, the model and the bytes to write).
  new Network({ inputs: 1, layers: [{ units: 1 }], engine }).predict([[0]]);
  const bytes = op === 'fs-write' ? new Uint8Array(readFileSync(file)) : null;
  const net = op === 'save' ? await Network.load(file, { engine }) : null;
  const rssBefore = resetPeak();
  const t0 = process.hrtime.bigint();
  let kept: unknown;
  if (op === 'fs-write') await durableWrite(bytes!, out);
  else if (op === 'save') await net!.save(out);
  else if (op === 'fs-read') kept = await readFile(file);
  else if (op === 'load') kept = await Network.load(file, { engine });
  else throw new RangeError(`Unknown op ${op}`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakGrowth = statusKB('VmHWM') - rssBefore;
  if (kept === undefined && op.endsWith('read')) throw new Error('nothing read');
  process.stdout.write(`${JSON.stringify({ op, seconds, peakGrowth })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
