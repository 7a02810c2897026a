// fit publishes each synchronous slice of its loop on FIT_SLICE_CHANNEL (node:diagnostics_channel),
// what examples/server.ts attributes its event-loop delay with: one slice ending in 'train' per
// chunk handed to the engine (on the TS engine it includes the chunk's training), one per turn
// the loop yields, one 'done' last; fitSync publishes nothing, and a subscriber changes no result.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, test } from 'vitest';
import { datasets, FIT_SLICE_CHANNEL, type FitSlice, Network } from '../lib/index.js';
import { SLICE_SHUFFLE } from '../lib/train.js';
import { engineNames } from './helpers/engine-names.js';

const seen: FitSlice[] = [];
const listener = (message: unknown) => seen.push(message as FitSlice);

afterEach(() => {
  unsubscribe(FIT_SLICE_CHANNEL, listener);
  seen.length = 0;
});

function network(engine: (typeof engineNames)[number]): Network {
  return new Network({
    inputs: 2,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 5,
    engine,
  });
}

describe.each(engineNames)('%s engine: fit slices on the diagnostics channel', (engine) => {
  test('one train slice per chunk (an epoch for bce), then done; fitSync publishes none', async () => {
    const { X, y } = datasets.moons({ samples: 200, noise: 0.1, seed: 1 });
    const alone = network(engine);
    const expected = alone.fitSync(X, y, { epochs: 3, batchSize: 16 });
    subscribe(FIT_SLICE_CHANNEL, listener);
    const net = network(engine);
    net.fitSync(X, y, { epochs: 3, batchSize: 16 });
    expect(seen).toEqual([]);
    const watched = network(engine);
    const history = await watched.fit(X, y, { epochs: 3, batchSize: 16 });
    // the TS engine trains on this thread: the event loop turns between its chunks
    const turn = engine === 'ts' ? ['turn'] : [];
    expect(seen.map((s) => s.end)).toEqual(['train', ...turn, 'train', ...turn, 'train', 'done']);
    for (const slice of seen) expect(slice.ms).toBeGreaterThanOrEqual(0);
    expect(history).toEqual(expected);
    expect(watched.getParameters()).toEqual(alone.getParameters());
  });

  test('a shuffle longer than a slice ends slices with turns before its chunk', async () => {
    const rows = SLICE_SHUFFLE + 10; // filling in and shuffling its order: 2 x rows entries
    const X = Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const y = X.map(([a]) => (a > 0 ? 1 : 0));
    subscribe(FIT_SLICE_CHANNEL, listener);
    await network(engine).fit(X, y, { epochs: 1, batchSize: 4096 });
    // 2 x rows - 1 entries in slices of SLICE_SHUFFLE: three slices, the last one ends with the chunk
    expect(seen.map((s) => s.end)).toEqual(['turn', 'turn', 'train', 'done']);
  });
});
