// One first predict in a fresh process (spawned by bench/workloads/first-predict-memory.ts with
// --expose-gc): builds a 12.6M-parameter network (1024-3072-3072-10), then measures how much
// the first predict of `rows` rows grows the process beyond its input and output: ArrayBuffers
// and resident memory (the larger of peak and current RSS growth), as fractions of the
// parameters' bytes. Prints one JSON line. Only the public Network API: runs on any version.
//   node --expose-gc --import tsx bench/children/first-predict-memory.ts native 1 1024
import { Network } from '../../lib/index.js';

export const FIRST_PREDICT_LAYERS = [3072, 3072, 10];
export const FIRST_PREDICT_INPUTS = 1024;

function main(): void {
  const [engine, threadsArg, rowsArg] = process.argv.slice(2);
  const threads = Number(threadsArg);
  const rows = Number(rowsArg);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const net = new Network({
    inputs: FIRST_PREDICT_INPUTS,
    layers: [
      { units: FIRST_PREDICT_LAYERS[0], activation: 'relu' },
      { units: FIRST_PREDICT_LAYERS[1], activation: 'relu' },
      { units: FIRST_PREDICT_LAYERS[2], activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    engine: engine as 'native' | 'ts',
    threads,
    seed: 1,
  });
  const paramBytes = net.getParameters().byteLength;
  const X = new Float32Array(rows * FIRST_PREDICT_INPUTS);
  for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  gc();
  gc();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const out = net.predict(X);
  const after = process.memoryUsage();
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  const io = out.byteLength; // the output is the caller's; the input existed before
  const arrayBuffers = after.arrayBuffers - before.arrayBuffers - io;
  const rss = Math.max(peakAfter - peakBefore, after.rss - before.rss) - io;
  process.stdout.write(
    `${JSON.stringify({ engine: net.engine, rows, paramBytes, arrayBuffers, rss, abFraction: arrayBuffers / paramBytes, rssFraction: rss / paramBytes })}\n`,
  );
}

main();
