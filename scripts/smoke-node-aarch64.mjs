// The arm64 smoke test run by scripts/smoke-node-aarch64.sh under qemu-aarch64: loads the
// package's cross-built addon, checks which kernel table it runs (argv[2]: 'neon' or 'scalar'),
// and trains two small networks on it, one through tanh + sigmoid (bce) and one through relu +
// softmax (cross-entropy), whose hidden layers are wide enough for the packed gemm path.
// Exits non-zero when the native engine does not load, runs another kernel, or fails to learn.
import { datasets, engineInfo, Network } from './dist/lib/index.js';

const expected = process.argv[2];
const info = engineInfo();
const fail = (message) => {
  console.error(`smoke-node-aarch64: ${message}`);
  process.exit(1);
};
if (info.engine !== 'native') fail(`the native engine did not load: ${info.reason}`);
if (info.native.kernel !== expected) fail(`kernel ${info.native.kernel}, expected ${expected}`);
console.log(`engine ${info.engine}, kernel ${info.native.kernel}, ${process.arch}, node ${process.version}`);

const { X, y } = datasets.moons({ samples: 240, noise: 0.1, seed: 1 });
const cases = [
  { hidden: 'tanh', output: { units: 1, activation: 'sigmoid' }, loss: 'bce' },
  { hidden: 'relu', output: { units: 2, activation: 'softmax' }, loss: 'cross-entropy' },
];
for (const c of cases) {
  const net = new Network({
    inputs: 2,
    layers: [{ units: 64, activation: c.hidden }, { units: 32, activation: c.hidden }, c.output],
    loss: c.loss,
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: 7,
    engine: 'native',
  });
  const history = net.fitSync(X, y, { epochs: 150, batchSize: 'full' });
  const first = history.loss[0];
  const last = history.loss[history.loss.length - 1];
  const { accuracy } = net.evaluate(X, y);
  console.log(
    `${c.hidden} + ${c.output.activation}: loss ${first.toFixed(4)} -> ${last.toFixed(4)}, accuracy ${accuracy}`,
  );
  if (!(last < first / 4) || !(accuracy >= 0.95)) fail(`${c.hidden} + ${c.output.activation} did not learn`);
}
console.log('smoke-node-aarch64: ok');
