// Seed 001: Trask's single sigmoid neuron without bias, 1000 full-batch steps of gradient descent
// on half the summed squared error; the weight of x1 ends up dominating.
// Run: npx tsx examples/001-trask-single-neuron.ts
import { datasets, Network } from '../lib/index.js';
import type { SeedOptions } from './000-circles-one-hidden-layer.js';
import { runIfMain } from './run-main.js';

export function traskSingleNeuron({ engine = 'auto', log = console.log }: SeedOptions = {}) {
  const { X, y } = datasets.trask();
  const net = new Network({
    inputs: 3,
    // weights = 2 * np.random.random((3, 1)) - 1: uniform [-1, 1), no bias
    layers: [
      { units: 1, activation: 'sigmoid', useBias: false, initializer: { name: 'uniform', low: -1, high: 1 } },
    ],
    loss: 'half-sse', // E = 1/2 (y - yhat)^2, summed over the batch
    optimizer: { name: 'sgd', learningRate: 1 }, // weights -= grad
    seed: 1,
    engine,
  });
  log('starting weights');
  log(JSON.stringify(Array.from(net.getWeights()[0].W))); // (3, 1): one weight per input
  const history = net.fitSync(X, y, { epochs: 1000, batchSize: 'full' });
  log('output after training:');
  const output = net.predict(X);
  for (const row of output) log(`[${row[0].toFixed(8)}]`);
  const weights = Array.from(net.getWeights()[0].W);
  log(`weights after training: [${weights.map((w) => w.toFixed(8)).join(', ')}]`);
  const prediction = net.predict([[1, 0, 0]])[0][0];
  log(`prediction for [1, 0, 0]: ${prediction.toFixed(8)}`);
  return { net, history, output, weights, prediction };
}

runIfMain(import.meta.url, () => traskSingleNeuron());
