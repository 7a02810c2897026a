// Model files through the typed model state, on every engine: files written by fastmlp 0.1's
// first writer still load bit-exact (and are written back with the same tensors, byte for byte), other safetensors
// writers' layouts load the same, a large model round-trips bit-exact and trains on identically,
// and save writes the network as it was when called, whatever training starts meanwhile.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Network, type NetworkJSON } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { resolveSpec } from '../lib/spec.js';
import { join3, split } from './fixtures/model-file-corruptions.js';
import { engineNames } from './helpers/engine-names.js';

// resolveSpec, counted (it still runs): a load checks the architecture once, not once per layer of code.
vi.mock('../lib/spec.js', async (original) => {
  const spec = await original<typeof import('../lib/spec.js')>();
  return { ...spec, resolveSpec: vi.fn(spec.resolveSpec) };
});

const dir = await mkdtemp(join(tmpdir(), 'fastmlp-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
/** A safetensors file's data section: after the 8-byte header length and the header. */
const tensorData = (file: Buffer) => file.subarray(8 + Number(file.readBigUInt64LE(0)));
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
/** Whether two networks hold bit-identical parameters and optimizer state (a byte compare: fast on large models). */
const sameState = (a: Network, b: Network): boolean =>
  Buffer.compare(bytes(a.getParameters()), bytes(b.getParameters())) === 0 &&
  Buffer.compare(
    bytes(Float32Array.from(a.toJSON().optimizerState)),
    bytes(Float32Array.from(b.toJSON().optimizerState)),
  ) === 0;
const X = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) / 5]);

describe.each(engineNames)('model state on the %s engine', (engine) => {
  const path = (name: string) => join(dir, `${engine}-${fileCount++}-${name}`);

  describe('files of the first format version', () => {
    it.each([
      ['v1-adam', 3],
      ['v1-nesterov', 2],
    ])(
      '%s loads bit-exact, trains on like its JSON, and saves back the same tensors and metadata but the fields added since',
      async (name, classes) => {
        const old = readFileSync(fixture(`${name}.safetensors`));
        // fields written since version 1's first files, read with their defaults from a file without them
        const added = { huberDelta: 1 };
        const json = {
          ...JSON.parse(readFileSync(fixture(`${name}.json`), 'utf8')),
          ...added,
        } as NetworkJSON;
        const net = await Network.load(fixture(`${name}.safetensors`).pathname, { engine });
        // what version 1 lacks reads as its default: rmsprop's rho and no clipping, no dropout, the
        // dropout stream from the seed, no schedule, no table schema
        const optimizerAdded = { rho: 0.99, clipNorm: null, clipValue: null };
        const dropoutState = new Random((json.seed ^ 0x2545f491) >>> 0).getState();
        expect(net.toJSON()).toEqual({
          ...json,
          optimizer: { ...json.optimizer, ...optimizerAdded },
          layers: json.layers.map((layer) => ({ ...layer, dropout: 0 })),
          metadata: {
            ...json.metadata,
            dropoutState,
            scheduleState: null,
            targetScaling: null,
            schema: null,
          },
        });
        const again = path(`${name}.safetensors`);
        await net.save(again);
        // saved again, it keeps the file's tensors byte for byte and gains the new fields
        const reloaded = await Network.load(again, { engine });
        expect(reloaded.toJSON()).toEqual(net.toJSON());
        expect(Buffer.compare(tensorData(readFileSync(again)), tensorData(old))).toBe(0);
        const twin = Network.fromJSON(json, { engine });
        const y = X.map((_, i) => i % classes);
        for (const n of [net, twin]) n.fitSync(X, y, { epochs: 3, batchSize: 4 });
        expect(sameState(net, twin)).toBe(true);
        expect(net.steps).toBe(json.steps + 9);
      },
    );

    it('loads a file without a shuffle state (it shuffles from the seed)', async () => {
      const { header, data } = split(readFileSync(fixture('v1-adam.safetensors')));
      delete header.__metadata__.shuffleState;
      const p = path('no-shuffle.safetensors');
      writeFileSync(p, join3(header, data));
      const net = await Network.load(p, { engine });
      const json = JSON.parse(readFileSync(fixture('v1-adam.json'), 'utf8')) as NetworkJSON;
      const fresh = Network.fromJSON({ ...json, metadata: { ...json.metadata, shuffleState: undefined } });
      expect(net.toJSON()).toEqual(fresh.toJSON());
      expect(net.toJSON().metadata.shuffleState).not.toEqual(json.metadata.shuffleState);
    });
  });

  it('loads tensors in any order and an unpadded header the same as our layout', async () => {
    const good = readFileSync(fixture('v1-adam.safetensors'));
    const { header, data } = split(good);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    // the same tensors written back to front, as another writer might
    const reversed: Record<string, unknown> = { __metadata__: header.__metadata__ };
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const name of [...names].reverse()) {
      const [begin, end] = header[name].data_offsets;
      reversed[name] = { ...header[name], data_offsets: [at, at + end - begin] };
      parts.push(data.subarray(begin, end));
      at += end - begin;
    }
    const want = (await Network.load(fixture('v1-adam.safetensors').pathname, { engine })).toJSON();
    for (const bytes of [join3(reversed, Buffer.concat(parts)), join3(header, data)]) {
      const p = path('other-writer.safetensors');
      writeFileSync(p, bytes);
      expect((await Network.load(p, { engine })).toJSON()).toEqual(want);
    }
  });

  it('resolves the spec once per load and per fromJSON', async () => {
    const json = JSON.parse(readFileSync(fixture('v1-adam.json'), 'utf8'));
    vi.mocked(resolveSpec).mockClear();
    await Network.load(fixture('v1-adam.safetensors').pathname, { engine });
    expect(resolveSpec).toHaveBeenCalledTimes(1);
    Network.fromJSON(json, { engine });
    expect(resolveSpec).toHaveBeenCalledTimes(2);
  });

  it('rejects bad load and fromJSON options before reading anything', async () => {
    const p = fixture('v1-adam.safetensors').pathname;
    await expect(Network.load(p, { engine: 'gpu' as never })).rejects.toThrow(
      new RangeError("Expected one of 'auto', 'native', 'ts' for engine but received 'gpu'"),
    );
    await expect(Network.load(p, { seed: 3 } as never)).rejects.toThrow(
      new TypeError("Unknown option 'seed' for options"),
    );
    const json = JSON.parse(readFileSync(fixture('v1-adam.json'), 'utf8'));
    expect(() => Network.fromJSON(json, { threads: 0 })).toThrow(RangeError);
  });

  it('round-trips a large adam model bit-exact, and training continues identically', async () => {
    const net = new Network({
      inputs: 256,
      layers: [{ units: 1024 }, { units: 512 }, { units: 10, activation: 'softmax' }],
      optimizer: 'adam',
      seed: 5,
      engine,
    });
    const rows = 16;
    const data = new Float32Array(rows * 256).map((_, i) => ((i * 7919) % 1000) / 500 - 1);
    const labels = Array.from({ length: rows }, (_, r) => r % 10);
    net.fitSync(data, labels, { epochs: 1, batchSize: 8 });
    net.classNames = Array.from({ length: 10 }, (_, i) => `digit ${i}`);
    const p = path('large.safetensors');
    await net.save(p);
    const back = await Network.load(p, { engine });
    expect(back.parameterCount).toBe(793_098);
    expect(sameState(back, net)).toBe(true);
    expect(back.steps).toBe(2);
    expect(back.classNames).toEqual(net.classNames);
    for (const n of [net, back]) n.fitSync(data, labels, { epochs: 2, batchSize: 8 });
    expect(sameState(back, net)).toBe(true);
  });

  it('saves the network as it was when save was called, though training starts before the write ends', async () => {
    const net = Network.fromJSON(JSON.parse(readFileSync(fixture('v1-adam.json'), 'utf8')), { engine });
    const before = net.toJSON();
    const y = X.map((_, i) => i % 3);
    const p = path('snapshot.safetensors');
    const q = path('snapshot-sync.safetensors');
    const saving = net.save(p);
    const fitting = net.fit(X, y, { epochs: 4, batchSize: 2 }); // async: runs while the file is written
    const savingAgain = net.save(q).catch((e: Error) => e); // mid-fit: rejected on native mid-chunk, else a snapshot
    await Promise.all([saving, fitting]);
    net.fitSync(X, y, { epochs: 1, batchSize: 2 });
    expect(net.steps).toBe(before.steps + 30);
    expect((await Network.load(p, { engine })).toJSON()).toEqual(before);
    const second = await savingAgain;
    if (second instanceof Error)
      expect(second.message).toMatch(/^Cannot save while this network is training/);
    else expect((await Network.load(q, { engine })).steps).toBeLessThan(net.steps);
  });
});

// Saving and loading hold about one copy of the file: no detour through number[] (which took
// several times the file's size). Measured in fresh child processes through the kernel's
// peak-RSS mark, against a bound a file size above what it needs; Linux only (/proc/self/clear_refs).
describe.runIf(process.platform === 'linux')('memory during save and load', () => {
  it('peak RSS grows by at most 2x the file size (a 50 MB Adam model)', { timeout: 180_000 }, async () => {
    const { measureModelIO } = await import('../bench/model-io.js');
    const r = await measureModelIO([1024, 2048, 1024, 10], 'ts', 1);
    expect(r.sameBytes).toBe(true);
    expect(r.fileBytes).toBeGreaterThan(50e6);
    for (const op of ['save', 'load'] as const) {
      const growth = r.samples[op][0].peakGrowth;
      expect(growth, `${op} grew ${growth} bytes for a ${r.fileBytes}-byte file`).toBeLessThan(
        3 * r.fileBytes,
      );
    }
  });
});
