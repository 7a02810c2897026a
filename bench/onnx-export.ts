// ONNX export's speed against save (the safetensors model file) of the same network, measured
// side by side in one process, alternating, medians of the trials after one warm-up of each (the
// first export also loads protobufjs and parses onnx.proto: timed apart as "first export").
//   npx tsx bench/onnx-export.ts [--layers 1024,4096,2048,10] [--trials 5]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Network } from '../lib/index.js';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '1024,4096,2048,10' },
    trials: { type: 'string', default: '5' },
  },
});
const [inputs, ...units] = values.layers.split(',').map(Number);
const trials = Number(values.trials);
const net = new Network({
  inputs,
  layers: units.map((u, i) => ({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu' })),
  optimizer: 'sgd', // no optimizer state: both files hold the same weights
  seed: 1,
});
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-onnx-bench-'));
const onnx = join(dir, 'm.onnx');
const safetensors = join(dir, 'm.safetensors');

async function seconds(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const first = await seconds(() => net.export(onnx, { format: 'onnx' }));
  await net.save(safetensors);
  const exports: number[] = [];
  const saves: number[] = [];
  for (let t = 0; t < trials; t++) {
    exports.push(await seconds(() => net.export(onnx, { format: 'onnx' })));
    saves.push(await seconds(() => net.save(safetensors)));
  }
  const mb = (path: string) => (statSync(path).size / 1e6).toFixed(1);
  console.log(`${values.layers}: ${net.parameterCount} parameters`);
  console.log(`first export ${first.toFixed(3)} s (loads protobufjs, parses onnx.proto)`);
  console.log(
    `export ${median(exports).toFixed(3)} s (${mb(onnx)} MB), save ${median(saves).toFixed(3)} s (${mb(safetensors)} MB)`,
  );
  console.log(`export / save: ${(median(exports) / median(saves)).toFixed(2)}x (medians of ${trials})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
