// One 1-epoch fit() of 784-128-10 (batch 64) on the native engine in a fresh process (spawned by
// bench/fit-memory-parts.ts with --expose-gc), with its resident memory read at each stage of
// the fit: after the data copy, after the trainer is built, before the first chunk is handed to
// the worker, after that call returns, when it settles, and the peak. The stages are found by
// wrapping the engine's createTrainer and trainEpochsAsync (as bench/fit-copies-child.ts does).
// Prints one JSON line: the growth over the mark at each stage and the sizes the stages hold.
//   node --expose-gc --import tsx bench/children/fit-memory-parts.ts <rows> <threads> <sgd|adam>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nativeEngine } from '../../lib/engine/native.js';
import type { FitArrays } from '../../lib/fit-arrays.js';
import { Network } from '../../lib/index.js';

export const PARTS_INPUTS = 784;
export const PARTS_OUTPUTS = 10;

const statusBytes = (key: string): number => {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
};

async function main(): Promise<void> {
  const [rowsArg, threadsArg, optimizer] = process.argv.slice(2);
  const rows = Number(rowsArg);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  if (process.platform !== 'linux') throw new Error('resident memory by stage needs /proc (Linux)');
  const engine = nativeEngine();
  if (!engine) throw new Error('the native engine is not built');
  const stages: { stage: string; growth: number; threads: number }[] = [];
  let mark = 0;
  const at = (stage: string) =>
    stages.push({
      stage,
      growth: statusBytes('VmRSS') - mark,
      threads: readdirSync('/proc/self/task').length,
    });
  const createTrainer = engine.createTrainer;
  engine.createTrainer = (plan, params, state) => {
    at('data copied (X, targets)');
    const trainer = createTrainer(plan, params, state);
    at('trainer built (gradients, batch workspaces)');
    const call = trainer.trainEpochsAsync;
    let first = true;
    return {
      ...trainer,
      runsOffThread: trainer.runsOffThread,
      async trainEpochsAsync(chunk) {
        if (!first) return call(chunk);
        first = false;
        at("loop set up (shuffled order, the loop's weight backup)");
        const pending = call(chunk);
        at("chunk handed to the worker (the addon's copy of the weights)");
        const step = await pending;
        at('chunk settled (worker threads, their buffers)');
        return step;
      },
    };
  };
  const net = new Network({
    inputs: PARTS_INPUTS,
    layers: [
      { units: 128, activation: 'relu' },
      { units: PARTS_OUTPUTS, activation: 'softmax' },
    ],
    optimizer: optimizer === 'adam' ? 'adam' : 'sgd',
    seed: 1,
    engine: 'native',
    threads: Number(threadsArg),
  });
  // filled in place: a freed temporary would leave resident pages the fit's copies could reuse unseen
  const X = new Float32Array(rows * PARTS_INPUTS);
  for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 1000) / 1000;
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = r % PARTS_OUTPUTS;
  net.predict(X.subarray(0, PARTS_INPUTS)); // the engine loaded before the mark
  gc();
  writeFileSync('/proc/self/clear_refs', '5'); // peak RSS mark := current RSS (Linux >= 4.0)
  mark = statusBytes('VmRSS');
  at('mark');
  const history = await net.fit(X, y, { epochs: 1, batchSize: 64 });
  const arrays = (net as unknown as { runtime: { fitArrays: FitArrays } }).runtime.fitArrays.spareBytes;
  at('fit settled');
  const peak = statusBytes('VmHWM') - mark;
  process.stdout.write(
    `${JSON.stringify({
      rows,
      loss: history.loss[0],
      stages,
      peak,
      arrays,
      callerBytes: X.byteLength + y.byteLength,
      paramBytes: net.getParameters().byteLength,
    })}\n`,
  );
}

// run as a script only (bench/fit-memory-parts.ts imports its sizes)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  });
}
