// Seed 002: a 2-2-1 sigmoid network predicting gender from shifted weight and height, trained one
// sample at a time (batch size 1, data order) on the mean squared error, loss every 10 epochs.
// Run: npx tsx examples/002-heights-per-sample.ts
import { datasets, Network } from '../lib/index.js';
import type { SeedOptions } from './000-circles-one-hidden-layer.js';
import { runIfMain } from './run-main.js';

export function heightsPerSample({ engine = 'auto', log = console.log }: SeedOptions = {}) {
  const data = datasets.heights();
  const net = new Network({
    inputs: 2,
    layers: [
      { units: 2, activation: 'sigmoid', initializer: 'normal' }, // np.random.normal(): N(0, 1)
      { units: 1, activation: 'sigmoid', initializer: 'normal' },
    ],
    loss: 'mse',
    optimizer: { name: 'sgd', learningRate: 0.1 },
    seed: 2,
    engine,
  });
  const history = net.fitSync(data.X, data.y, {
    epochs: 1000,
    batchSize: 1,
    shuffle: false,
    logEvery: 10,
    // the seed prints the loss alone: fit's line also has the task's metric (accuracy), left out here
    log: (line) =>
      log(
        line
          .replace(/ accuracy: \S+/, '')
          .replace(/loss: ([\d.e-]+)/, (_, v) => `loss: ${Number(v).toFixed(3)}`),
      ),
  });
  const emily = net.predict([data.queries.Emily])[0][0];
  const frank = net.predict([data.queries.Frank])[0][0];
  log(`Emily: ${emily.toFixed(3)}`); // the seed prints 0.951 - F
  log(`Frank: ${frank.toFixed(3)}`); // the seed prints 0.039 - M
  return { net, history, emily, frank };
}

runIfMain(import.meta.url, () => heightsPerSample());
