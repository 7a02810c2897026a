// fit reads the clock for its slices (FIT_SLICE_CHANNEL) only while someone subscribes: without a
// subscriber an async fit makes no performance.now() call; with one, each published slice was
// timed from its own start (a subscriber that comes mid-fit gets the slices that start after).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { datasets, FIT_SLICE_CHANNEL, type FitSlice, Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

afterEach(() => vi.restoreAllMocks());

const network = (engine: (typeof engineNames)[number]) =>
  new Network({
    inputs: 2,
    layers: [
      { units: 4, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 2,
    engine,
  });

describe.each(engineNames)('%s engine', (engine) => {
  const { X, y } = datasets.moons({ samples: 64, noise: 0.1, seed: 1 });

  test('no subscriber: fit never reads the clock', async () => {
    const clock = vi.spyOn(performance, 'now');
    await network(engine).fit(X, y, { epochs: 3, batchSize: 16 });
    expect(clock).not.toHaveBeenCalled();
  });

  test('a subscriber that comes after the first slice gets the later slices only', async () => {
    const seen: FitSlice[] = [];
    const listener = (message: unknown) => seen.push(message as FitSlice);
    let epochs = 0;
    try {
      await network(engine).fit(X, y, {
        epochs: 3,
        batchSize: 16,
        onEpochEnd: () => {
          if (++epochs === 1) subscribe(FIT_SLICE_CHANNEL, listener);
        },
      });
    } finally {
      unsubscribe(FIT_SLICE_CHANNEL, listener);
    }
    // the slice running when it subscribed was not timed from its start: unpublished
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)?.end).toBe('done');
    for (const slice of seen) expect(Number.isFinite(slice.ms) && slice.ms >= 0).toBe(true);
  });
});
