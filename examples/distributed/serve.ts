// Step 3 of the distributed example: the network PyTorch trained, imported back into fastmlp
// (every tensor's name and shape checked against the architecture) and served: its accuracy on
// the held-out rows, and how far its outputs are from PyTorch's on the same rows.
// Run: npx tsx examples/distributed/serve.ts <folder>
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EngineName, Network } from '../../lib/index.js';
import { runIfMain } from '../run-main.js';
import { files, moons, options } from './model.js';

export async function serve(folder: string, engine: EngineName | 'auto' = 'auto', log = console.log) {
  const net = await Network.importPyTorch(join(folder, files.trained), { ...options, engine });
  const { test } = moons();
  const accuracy = net.evaluate(test.X, test.y).accuracy as number;
  log(
    `imported ${join(folder, files.trained)}: accuracy on ${test.X.length} held-out rows ${accuracy.toFixed(3)}`,
  );
  let maxDifference: number | null = null;
  const theirs = join(folder, files.pytorchPredictions);
  if (existsSync(theirs)) {
    const expected = JSON.parse(readFileSync(theirs, 'utf8')) as number[][];
    const ours = net.predict(test.X);
    maxDifference = Math.max(...ours.map((row, i) => Math.abs(row[0] - expected[i][0])));
    log(`largest difference from PyTorch's outputs: ${maxDifference.toExponential(2)}`);
  }
  return { net, accuracy, maxDifference };
}

runIfMain(import.meta.url, () => serve(process.argv[2] ?? 'distributed-run'));
