// Step 1 of the distributed example: the fastmlp network, with its initial weights and input
// scaling, exported for PyTorch, and the data as CSV for the training processes.
// Run: npx tsx examples/distributed/prepare.ts <folder>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Network } from '../../lib/index.js';
import { runIfMain } from '../run-main.js';
import { files, moons, options } from './model.js';

export async function prepare(folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const { train, test } = moons();
  const net = new Network(options);
  // standardization from the training rows, kept with the model: PyTorch applies it too
  const mean = [0, 1].map((c) => train.X.reduce((s, row) => s + row[c], 0) / train.X.length);
  const std = [0, 1].map((c) =>
    Math.sqrt(train.X.reduce((s, row) => s + (row[c] - mean[c]) ** 2, 0) / train.X.length),
  );
  net.inputScaling = { mean, std };
  await net.export(join(folder, files.initial), { format: 'pytorch' });
  const csv = (X: number[][], y: number[]) =>
    `x1,x2,label\n${X.map((row, i) => `${row.join(',')},${y[i]}`).join('\n')}\n`;
  writeFileSync(join(folder, files.train), csv(train.X, train.y));
  writeFileSync(join(folder, files.test), csv(test.X, test.y));
}

runIfMain(import.meta.url, () => prepare(process.argv[2] ?? 'distributed-run'));
