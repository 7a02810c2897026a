// The four seed tutorials, reproduced by examples/ with their exact settings, on every engine.
import { describe, expect, it } from 'vitest';
import { circlesOneHiddenLayer } from '../examples/000-circles-one-hidden-layer.js';
import { traskSingleNeuron } from '../examples/001-trask-single-neuron.js';
import { heightsPerSample } from '../examples/002-heights-per-sample.js';
import { moonsConfigurable } from '../examples/003-moons-configurable.js';
import { engineNames } from './helpers/engine-names.js';

describe.each(engineNames)('seed tutorials on the %s engine', (engine) => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  it('000: circles, 2-3-1 sigmoid, summed squared error, 100,000 full-batch steps: test accuracy >= 0.95', () => {
    lines.length = 0;
    const { history, test } = circlesOneHiddenLayer({ engine, log });
    expect(history.epochs).toBe(100_000);
    expect(test.accuracy).toBeGreaterThanOrEqual(0.95);
    // prints the loss every 1000 iterations, as the seed does
    expect(lines.filter((l) => l.startsWith('loss: ')).length).toBe(101); // every 1000th, and the last
    expect(history.loss[99_999]).toBeLessThan(history.loss[0]);
  });

  it('001: Trask single neuron: the weight of x1 dominates and predict([1,0,0]) > 0.9', () => {
    const { weights, prediction, output } = traskSingleNeuron({ engine, log });
    expect(Math.abs(weights[0])).toBeGreaterThan(2 * Math.abs(weights[1]));
    expect(Math.abs(weights[0])).toBeGreaterThan(Math.abs(weights[2]));
    expect(weights[0]).toBeGreaterThan(3);
    expect(prediction).toBeGreaterThan(0.9);
    expect(output.map((r) => Math.round(r[0]))).toEqual([0, 1, 1, 0]);
  });

  it('002: heights, 2-2-1 per-sample SGD on mse: Emily > 0.9, Frank < 0.1', () => {
    lines.length = 0;
    const { emily, frank, history } = heightsPerSample({ engine, log });
    expect(emily).toBeGreaterThan(0.9);
    expect(frank).toBeLessThan(0.1);
    expect(lines.filter((l) => /^Epoch \d+ loss: \d\.\d{3}$/.test(l)).length).toBe(101); // every 10th, and the last
    expect(history.loss[999]).toBeLessThan(0.02);
  });

  it('003: moons, 2-16-1 relu/sigmoid, bce, lr 1, 1000 full-batch epochs: train accuracy >= 0.95', () => {
    const { result, history } = moonsConfigurable({ engine, log });
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(history.loss.length).toBe(1000);
    expect(history.accuracy.length).toBe(1000);
  });
});
