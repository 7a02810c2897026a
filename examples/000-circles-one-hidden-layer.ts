// Seed 000: a 2-3-1 sigmoid network trained by full-batch gradient descent on the summed squared
// error, 100,000 iterations on circles, printing the loss every 1000 iterations.
// Run: npx tsx examples/000-circles-one-hidden-layer.ts
import { datasets, type EngineName, Network, trainTestSplit } from '../lib/index.js';
import { runIfMain } from './run-main.js';

export interface SeedOptions {
  engine?: 'auto' | EngineName;
  log?: (line: string) => void;
  iterations?: number;
}

export function circlesOneHiddenLayer({
  engine = 'auto',
  log = console.log,
  iterations = 100_000,
}: SeedOptions = {}) {
  // make_circles(n_samples=200, noise=0.1, factor=0.5), train_test_split(test_size=0.4)
  const { X, y } = datasets.circles({ samples: 200, noise: 0.1, factor: 0.5, seed: 1 });
  const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 0.4, seed: 42 });
  const net = new Network({
    inputs: 2,
    layers: [
      { units: 3, activation: 'sigmoid', initializer: 'uniform' }, // np.random.rand: uniform [0, 1)
      { units: 1, activation: 'sigmoid', initializer: 'uniform' },
    ],
    loss: 'sse', // L = sum over samples of (y_pred - y_true)^2
    optimizer: { name: 'sgd', learningRate: 0.01 },
    seed: 7,
    engine,
  });
  const history = net.fitSync(XTrain, yTrain as number[], {
    epochs: iterations,
    batchSize: 'full',
    logEvery: 1000,
    // the seed prints the loss alone: fit's line also has the task's metric (accuracy), left out here
    log: (line) => log(line.replace(/^Epoch \d+ /, '').replace(/ accuracy: \S+/, '')),
  });
  const train = net.evaluate(XTrain, yTrain as number[]);
  const test = net.evaluate(XTest, yTest as number[]);
  // accuracy is reported for classification tasks (this net is binary); regression reports mae instead
  log(`train accuracy: ${train.accuracy!.toFixed(3)}  test accuracy: ${test.accuracy!.toFixed(3)}`);
  return { net, history, train, test };
}

runIfMain(import.meta.url, () => circlesOneHiddenLayer());
