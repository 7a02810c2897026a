// One measurement of bench/fit-copies.ts, in a fresh process so its peak RSS is its own: fit() on
// the native engine, its own arrays allocated by the addon ('shared': trainEpochsAsync reads them
// in place) or as plain arrays ('copied': main's path before, where every chunk copies X and Y on
// the event loop). Prints one JSON line. speed (the variant argument ignored): 1-epoch fit() calls
// alternating copied, shared, copied, ... in this one process, so a shared machine's swings hit
// both alike: { copied, shared } samples/s (medians) and ratios (shared / copied of each pair).
// memory: { peakGrowth, dataBytes }, bytes of peak RSS growth during one 2-epoch fit of variant.
// Usage: node --expose-gc --import tsx bench/fit-copies-child.ts <shared|copied> <speed|memory> <rows> <threads>
import { readFileSync, writeFileSync } from 'node:fs';
import { plainArrays } from '../lib/engine/engine.js';
import { nativeEngine } from '../lib/engine/native.js';
import { Network } from '../lib/index.js';

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

async function main(): Promise<void> {
  const [variant, measure, rowsArg, threadsArg] = process.argv.slice(2);
  const engine = nativeEngine();
  if (!engine) throw new Error('the native engine is not built');
  const { allocateFloat32, allocateUint32 } = engine;
  const use = (v: string) => {
    if (v !== 'copied' && v !== 'shared') throw new RangeError(`Unknown variant ${v}`);
    engine.allocateFloat32 = v === 'copied' ? plainArrays.allocateFloat32 : allocateFloat32;
    engine.allocateUint32 = v === 'copied' ? plainArrays.allocateUint32 : allocateUint32;
  };
  use(variant);
  // The event-loop time of each chunk's trainEpochsAsync call (its synchronous part: checks, and
  // for copied arrays the copy of X and Y), per variant.
  const loop: Record<string, number[]> = { copied: [], shared: [] };
  let current = variant;
  const createTrainer = engine.createTrainer;
  engine.createTrainer = (plan, params, state) => {
    const trainer = createTrainer(plan, params, state);
    const call = trainer.trainEpochsAsync;
    return {
      ...trainer,
      runsOffThread: trainer.runsOffThread,
      trainEpochsAsync(chunk) {
        const t0 = process.hrtime.bigint();
        const pending = call(chunk);
        loop[current].push(Number(process.hrtime.bigint() - t0) / 1e6);
        return pending;
      },
    };
  };
  const rows = Number(rowsArg);
  const inputs = 784;
  const net = new Network({
    inputs,
    layers: [
      { units: 128, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    optimizer: 'adam',
    seed: 1,
    engine: 'native',
    threads: Number(threadsArg),
  });
  // filled in place: a freed temporary this large would raise glibc's mmap threshold, and later
  // copies would then reuse its resident pages unseen by the peak RSS
  const X = new Float32Array(rows * inputs);
  for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 1000) / 1000;
  const y = Array.from({ length: rows }, (_, r) => r % 10);
  const options = { epochs: 1, batchSize: 64 };
  if (measure === 'speed') {
    const rate = async (v: string) => {
      use(v);
      current = v;
      const t0 = process.hrtime.bigint();
      await net.fit(X, y, options);
      return rows / (Number(process.hrtime.bigint() - t0) / 1e9);
    };
    await rate('copied'); // warm: workspaces, threads, the trainer's copies
    await rate('shared');
    const copied: number[] = [];
    const shared: number[] = [];
    for (let i = 0; i < 7; i++) {
      copied.push(await rate('copied'));
      shared.push(await rate('shared'));
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    const ratios = shared.map((s, i) => s / copied[i]);
    const loopMs = { copied: median(loop.copied), shared: median(loop.shared) };
    process.stdout.write(
      `${JSON.stringify({ copied: median(copied), shared: median(shared), ratios, loopMs })}\n`,
    );
  } else if (measure === 'memory') {
    net.predict(X.subarray(0, inputs)); // the engine loaded
    const before = resetPeak();
    await net.fit(X, y, { ...options, epochs: 2 });
    process.stdout.write(
      `${JSON.stringify({ peakGrowth: statusKB('VmHWM') - before, dataBytes: X.byteLength })}\n`,
    );
  } else throw new RangeError(`Unknown measure ${measure}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
