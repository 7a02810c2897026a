// `npm start`: trains a small network on moons, printing progress, then reports the result and
// which engine ran. Built to dist/examples/demo.js by `npm run build:ts`.
import { datasets, engineInfo, Network, trainTestSplit } from '../lib/index.js';
import { runIfMain } from './run-main.js';

export async function demo(log: (line: string) => void = console.log) {
  const { X, y } = datasets.moons({ samples: 1000, noise: 0.2, seed: 0 });
  const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 0.2, seed: 0 });
  const net = new Network({
    inputs: 2,
    layers: [
      { units: 16, activation: 'relu' },
      { units: 16, activation: 'relu' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'bce',
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: 42,
  });
  log(`fastmlp demo: moons, 2-16-16-1, adam, engine '${net.engine}'`);
  if (net.engine !== 'native') log(`(native engine not used: ${engineInfo().reason})`);
  const started = performance.now();
  const history = await net.fit(XTrain, yTrain as number[], {
    epochs: 200,
    batchSize: 32,
    validationData: [XTest, yTest as number[]],
    logEvery: 20,
    log,
  });
  const seconds = (performance.now() - started) / 1000;
  const test = net.evaluate(XTest, yTest as number[]);
  log(`trained ${history.epochs} epochs in ${seconds.toFixed(2)} s`);
  log(`test loss ${test.loss.toFixed(4)}, test accuracy ${(100 * test.accuracy!).toFixed(1)}%`);
  return { net, history, test };
}

runIfMain(import.meta.url, () => demo());
