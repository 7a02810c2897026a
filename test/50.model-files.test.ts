// Model files (save / load as safetensors) on every engine: bad paths and corrupt or hostile files
// first (exact messages; truncations, flipped bytes and random damage either throw an Error naming
// the file or load a working network), then the bit-exact round trip and the file's standard layout.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { corruptions, type Entry, join3, split } from './fixtures/model-file-corruptions.js';
import { engineNames } from './helpers/engine-names.js';

const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [0.5, 0.2],
];
const y = [0, 1, 1, 0, 1];

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

describe.each(engineNames)('model files on the %s engine', (engine) => {
  const make = (extra: Partial<NetworkOptions> = {}): Network => {
    const net = new Network({
      inputs: 2,
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      optimizer: { name: 'adam', learningRate: 0.05 },
      seed: 7,
      engine,
      ...extra,
    });
    net.inputScaling = { mean: [0.4, 0.45], std: [0.45, 0.4] };
    net.fitSync(X, y, { epochs: 3, batchSize: 2 });
    return net;
  };
  const path = (name: string) => join(dir, `${engine}-${fileCount++}-${name}`);
  const load = (p: string) => Network.load(p, { engine });
  const saved = async (net: Network): Promise<Uint8Array> => {
    const p = path('good.safetensors');
    await net.save(p);
    return new Uint8Array(readFileSync(p));
  };
  /** Writes bytes to a fresh file and loads it. */
  const loadBytes = (bytes: Uint8Array): { p: string; loading: Promise<Network> } => {
    const p = path('m.safetensors');
    writeFileSync(p, bytes);
    return { p, loading: load(p) };
  };
  const rejection = async (loading: Promise<unknown>): Promise<Error> => {
    const error = await loading.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  };
  const expectInvalid = async (bytes: Uint8Array, message: string) => {
    const { p, loading } = loadBytes(bytes);
    expect((await rejection(loading)).message).toBe(`Invalid model file ${p}: ${message}`);
  };

  describe('bad paths and unreadable files', () => {
    it.each([
      ['', "Expected a file path for path but received ''"],
      [42, 'Expected a file path for path but received 42'],
      [null, 'Expected a file path for path but received null'],
      ['a\0b', "Expected a file path for path but received 'a\0b'"],
    ])('load(%j) and save(%j) throw a TypeError', async (bad, message) => {
      await expect(Network.load(bad as string)).rejects.toThrow(new TypeError(message));
      await expect(make().save(bad as string)).rejects.toThrow(new TypeError(message));
    });

    it('names a missing file, a directory, and an unwritable destination', async () => {
      const missing = path('missing.safetensors');
      await expect(load(missing)).rejects.toThrow(
        new Error(`Cannot read model file ${missing}: no such file or directory`),
      );
      await expect(load(dir)).rejects.toThrow(new Error(`Cannot read model file ${dir}: not a regular file`));
      const nowhere = join(dir, 'no-such-dir', 'm.safetensors');
      await expect(make().save(nowhere)).rejects.toThrow(
        new Error(`Cannot write model file ${nowhere}: no such file or directory`),
      );
    });

    it('rejects files too small or too large before reading them', async () => {
      await expectInvalid(new Uint8Array(0), 'the file holds 0 bytes, fewer than the 8 of the header length');
      await expectInvalid(new Uint8Array(7), 'the file holds 7 bytes, fewer than the 8 of the header length');
      const big = path('big.safetensors');
      writeFileSync(big, '');
      truncateSync(big, 4 * 2 ** 30 + 1); // sparse: no disk space used
      await expect(load(big)).rejects.toThrow(
        `Invalid model file ${big}: the file holds 4294967297 bytes, more than the 4294967296 a model can need`,
      );
      rmSync(big);
    });
  });

  describe('corrupt and hostile files throw an Error naming the file and the fault', async () => {
    const good = await saved(make());
    const { data } = split(good);
    const cases = corruptions(good);
    it.each(cases)('%s', async (_, bytes, message) => expectInvalid(bytes, message));

    it('rejects corrupt JSON with the parser message', async () => {
      const { p, loading } = loadBytes(join3(null, data, '{"layers.0.weight": {'));
      expect((await rejection(loading)).message).toMatch(
        new RegExp(`^Invalid model file ${p}: header is not valid JSON \\(.+\\)$`),
      );
    });

    it('rejects the file truncated at every length', async () => {
      for (let length = 0; length < good.length; length++) {
        const { p, loading } = loadBytes(good.subarray(0, length));
        expect((await rejection(loading)).message.startsWith(`Invalid model file ${p}: `)).toBe(true);
      }
    });

    it('rejects every bit, and every whole byte, of the header length flipped', async () => {
      const masks = [1, 2, 4, 8, 16, 32, 64, 128, 255];
      for (let k = 0; k < 8 * masks.length; k++) {
        const bytes = good.slice();
        bytes[k % 8] ^= masks[Math.floor(k / 8)];
        const { p, loading } = loadBytes(bytes);
        expect((await rejection(loading)).message.startsWith(`Invalid model file ${p}: `)).toBe(true);
      }
    });

    /** Loads damaged bytes: a clear Error, or a network that predicts (finite when asked); true if it loaded. */
    const survives = async (bytes: Uint8Array, finite: boolean): Promise<boolean> => {
      const { p, loading } = loadBytes(bytes);
      const outcome = await loading.then(
        (net) => net,
        (e: unknown) => e as Error,
      );
      if (outcome instanceof Network) {
        const out = outcome.predict(X);
        expect(out).toHaveLength(X.length);
        if (finite) expect(out.flat().every(Number.isFinite)).toBe(true);
        return true;
      }
      expect(outcome).toBeInstanceOf(Error);
      expect(outcome.message.startsWith(`Invalid model file ${p}: `)).toBe(true);
      return false;
    };

    it('survives random byte damage anywhere in the file', async () => {
      const random = new Random(2024);
      const headerEnd = 8 + split(good).n;
      let loaded = 0;
      for (let trial = 0; trial < 400; trial++) {
        const bytes = good.slice();
        let inHeader = false;
        for (let flips = 1 + random.int(3); flips > 0; flips--) {
          const at = random.int(bytes.length);
          bytes[at] ^= 1 + random.int(255);
          inHeader ||= at < headerEnd;
        }
        // Damaged weights may be any finite float; a damaged header still describes a sane model.
        if (await survives(bytes, inHeader)) loaded++;
      }
      expect(loaded).toBeGreaterThan(0);
    });

    it('survives every digit of the header changed to every other digit', async () => {
      const headerEnd = 8 + split(good).n;
      let loaded = 0;
      for (let at = 8; at < headerEnd; at++) {
        if (good[at] < 0x30 || good[at] > 0x39) continue;
        for (let digit = 0x30; digit <= 0x39; digit++) {
          if (digit === good[at]) continue;
          const bytes = good.slice();
          bytes[at] = digit;
          if (await survives(bytes, true)) loaded++;
        }
      }
      expect(loaded).toBeGreaterThan(0);
    });
  });

  describe('save and load round trip', () => {
    const optimizers: [string, NetworkOptions['optimizer']][] = [
      ['sgd', { name: 'sgd', learningRate: 0.1 }],
      ['momentum', { name: 'sgd', learningRate: 0.1, momentum: 0.8 }],
      ['nesterov', { name: 'nesterov', learningRate: 0.1, weightDecay: 1e-3 }],
      ['adam', { name: 'adam', learningRate: 0.01, beta1: 0.8, epsilon: 1e-7 }],
    ];
    it.each(optimizers)('is bit-exact with %s, and training continues identically', async (_, optimizer) => {
      const net = make({ optimizer });
      net.classNames = ['even', 'odd'];
      const p = path('roundtrip.safetensors');
      await net.save(p);
      const back = await load(p);
      expect(back.engine).toBe(engine);
      expect(back.toJSON()).toEqual(net.toJSON());
      expect(back.steps).toBe(net.steps);
      expect(back.inputScaling).toEqual(net.inputScaling);
      expect(back.classNames).toEqual(['even', 'odd']);
      const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
      expect(bits(back.getParameters())).toEqual(bits(net.getParameters()));
      const rows = new Float32Array(X.flat());
      expect(bits(back.predict(rows))).toEqual(bits(net.predict(rows)));
      for (const n of [net, back]) n.fitSync(X, y, { epochs: 4, batchSize: 2, shuffle: false });
      expect(bits(back.getParameters())).toEqual(bits(net.getParameters()));
      expect(back.toJSON()).toEqual(net.toJSON());
    });

    it('keeps a softmax net without biases, no scaling and 3 class names', async () => {
      const net = new Network({
        inputs: 3,
        layers: [
          { units: 5, activation: 'relu', useBias: false },
          { units: 3, activation: 'softmax' },
        ],
        seed: 11,
        engine,
      });
      net.classNames = ['a', 'b', 'c'];
      const p = path('softmax.safetensors');
      await net.save(p);
      const back = await load(p);
      expect(back.toJSON()).toEqual(net.toJSON());
      expect(back.inputScaling).toBeNull();
      expect(Object.keys(split(new Uint8Array(readFileSync(p))).header).sort()).toEqual([
        '__metadata__',
        'layers.0.weight',
        'layers.1.bias',
        'layers.1.weight',
        'optimizer.m',
        'optimizer.v',
      ]);
    });

    it('writes standard safetensors: aligned, space-padded header, contiguous little-endian F32 data', async () => {
      const net = make();
      const bytes = await saved(net);
      const { n, header, data } = split(bytes);
      expect((8 + n) % 8).toBe(0);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(text.startsWith('{')).toBe(true);
      expect(text.trimEnd().endsWith('}')).toBe(true);
      expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
      const meta = header.__metadata__;
      expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
      expect(meta.format).toBe('fastmlp');
      expect(JSON.parse(meta.architecture)).toEqual({
        inputs: 2,
        layers: [
          { units: 4, activation: 'tanh', useBias: true, dropout: 0 },
          { units: 1, activation: 'sigmoid', useBias: true, dropout: 0 },
        ],
      });
      expect(Number(meta.steps)).toBe(net.steps);
      const P = net.parameterCount;
      const tensors = Object.entries(header).filter(([name]) => name !== '__metadata__') as [string, Entry][];
      expect(tensors.map(([name, t]) => [name, t.dtype, t.shape])).toEqual([
        ['layers.0.weight', 'F32', [2, 4]],
        ['layers.0.bias', 'F32', [4]],
        ['layers.1.weight', 'F32', [4, 1]],
        ['layers.1.bias', 'F32', [1]],
        ['optimizer.m', 'F32', [P]],
        ['optimizer.v', 'F32', [P]],
      ]);
      let at = 0;
      for (const [, t] of tensors) {
        expect(t.data_offsets).toEqual([at, at + 4 * t.shape.reduce((a, b) => a * b, 1)]);
        at = t.data_offsets[1];
      }
      expect(data.length).toBe(at);
      const view = new DataView(data.buffer);
      const read = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => view.getFloat32(from + 4 * i, true));
      const [first] = net.getWeights();
      expect(read(0, 8)).toEqual(Array.from(first.W));
      expect(read(32, 4)).toEqual(Array.from(first.b!));
      expect(read(68, P)).toEqual(net.toJSON().optimizerState.slice(0, P));
    });

    it('overwrites an existing file and leaves no temporary files', async () => {
      const sub = join(dir, `${engine}-overwrite`);
      mkdirSync(sub);
      const p = join(sub, 'm.safetensors');
      writeFileSync(p, 'old contents');
      await make().save(p);
      await make({ seed: 8 }).save(p);
      expect((await load(p)).seed).toBe(8);
      expect(readdirSync(sub)).toEqual(['m.safetensors']);
    });
  });
});
