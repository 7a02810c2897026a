// What both sides of the distributed example agree on: the network's architecture (fastmlp's
// options; PyTorch gets the same network through the exported Python file) and the data set.
import { datasets, type NetworkOptions } from '../../lib/index.js';

export const options: NetworkOptions = {
  inputs: 2,
  layers: [
    { units: 16, activation: 'relu' },
    { units: 16, activation: 'relu' },
    { units: 1, activation: 'sigmoid' },
  ],
  seed: 1,
};

/** Two interleaved half-moons: 480 rows to train on (split between the processes), 120 held out. */
export function moons() {
  const { X, y } = datasets.moons({ samples: 600, noise: 0.2, seed: 7 });
  return { train: { X: X.slice(0, 480), y: y.slice(0, 480) }, test: { X: X.slice(480), y: y.slice(480) } };
}

/** Files of the run, all in one folder. */
export const files = {
  initial: 'initial.safetensors', // the fastmlp network's initial weights, as PyTorch's state dict
  python: 'initial.py', // written beside it by export: builds the Sequential and loads it
  train: 'train.csv',
  test: 'test.csv',
  trained: 'trained.safetensors', // written by rank 0 after training
  pytorchPredictions: 'pytorch-predictions.json', // PyTorch's outputs on test.csv
} as const;
