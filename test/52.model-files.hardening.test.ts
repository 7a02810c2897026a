// Model files under hostile conditions: what save replaces (symlinks, FIFOs, directories, modes,
// stale temporaries), loads racing an atomic replace, hostile headers, values that are finite as
// doubles but not as float32, holes in arrays, and corrupt state that must name the file.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Network } from '../lib/index.js';
import { writeHostileHeader } from './fixtures/hostile-header.js';
import { join3, split } from './fixtures/model-file-corruptions.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const fresh = (name: string) => join(dir, `${count++}-${name}`);

const make = (units = 4) => {
  const net = new Network({
    inputs: 2,
    layers: [
      { units, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    optimizer: { name: 'adam', learningRate: 0.05 },
    seed: 7,
  });
  net.fitSync(
    [
      [0, 0],
      [1, 1],
    ],
    [0, 1],
    { epochs: 2 },
  );
  return net;
};
const bytesOf = async (net: Network) => {
  const p = fresh('bytes.safetensors');
  await net.save(p);
  return new Uint8Array(readFileSync(p));
};
/** A copy of `values` with a hole at `at` (a sparse array: forEach and every skip it). */
const holed = <T>(values: T[], at: number): T[] => {
  const out = [...values];
  delete out[at];
  return out;
};
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

describe('save replaces only a regular file, and keeps what the path is', () => {
  it('follows a symlink: the target is replaced, the link kept', async () => {
    const target = fresh('target.safetensors');
    const link = fresh('link.safetensors');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    await make().save(link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await Network.load(target)).getParameters()).toEqual(make().getParameters());
  });

  it('follows a dangling symlink to create its target', async () => {
    const target = fresh('new-target.safetensors');
    const link = fresh('dangling.safetensors');
    symlinkSync(target, link);
    await make().save(link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(target).isFile()).toBe(true);
  });

  it('refuses a FIFO and a directory before writing anything', async () => {
    const fifo = fresh('fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    const before = readdirSync(dir).length;
    await expect(make().save(fifo)).rejects.toThrow(
      new Error(`Cannot write model file ${fifo}: not a regular file (a FIFO)`),
    );
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const sub = fresh('a-directory');
    execFileSync('mkdir', [sub]);
    await expect(make().save(sub)).rejects.toThrow(
      new Error(`Cannot write model file ${sub}: not a regular file (a directory)`),
    );
    expect(readdirSync(dir).length).toBe(before + 1);
    // load opens without blocking on a FIFO that has no writer
    await expect(Network.load(fifo)).rejects.toThrow(
      new Error(`Cannot read model file ${fifo}: not a regular file`),
    );
  });

  it("keeps an existing file's mode", async () => {
    const p = fresh('private.safetensors');
    writeFileSync(p, 'old');
    chmodSync(p, 0o600);
    await make().save(p);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    chmodSync(p, 0o640);
    await make().save(p);
    expect(statSync(p).mode & 0o777).toBe(0o640);
  });

  it('cleans up a temporary of ours left by a killed process, and nothing else', async () => {
    const sub = mkdtempSync(join(dir, 'stale-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = join(sub, `.m.safetensors.fastmlp-${dead}-0.tmp`);
    const foreign = join(sub, '.m.safetensors.other.tmp');
    writeFileSync(stale, 'half');
    writeFileSync(foreign, 'not ours');
    await make().save(join(sub, 'm.safetensors'));
    expect(readdirSync(sub).sort()).toEqual(['.m.safetensors.other.tmp', 'm.safetensors']);
  });
});

describe('hot reload', () => {
  it('never fails while another process atomically replaces the file with a different size', async () => {
    const p = fresh('hot.safetensors');
    const small = fresh('small.safetensors');
    const large = fresh('large.safetensors');
    writeFileSync(small, await bytesOf(make(2)));
    writeFileSync(large, await bytesOf(make(64)));
    writeFileSync(p, readFileSync(small));
    // The server template's reload pattern, in another process: write a new file, rename it over.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [small, large, path] = process.argv.slice(1);
         const files = [fs.readFileSync(small), fs.readFileSync(large)];
         process.stdout.write('ready\\n');
         for (let i = 0; ; i++) {
           fs.writeFileSync(path + '.next', files[i % 2]);
           fs.renameSync(path + '.next', path);
         }`,
        small,
        large,
        p,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(writer.stdout, 'data');
    try {
      const failures: string[] = [];
      for (let round = 0; round < 25; round++) {
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => Network.load(p)));
        for (const r of results) if (r.status === 'rejected') failures.push(String(r.reason));
      }
      expect(failures).toEqual([]);
    } finally {
      writer.kill();
      await once(writer, 'exit');
    }
  });
});

describe('hostile headers are refused before they are parsed', () => {
  it('refuses a header of more entries than any architecture needs, naming the count', async () => {
    const p = fresh('hostile.safetensors');
    writeHostileHeader(p, 50_000);
    const error = await rejection(Network.load(p));
    expect(error.message).toMatch(
      new RegExp(
        `^Invalid model file ${p}: header holds more than \\d+ JSON values; no network needs that many$`,
      ),
    );
  });

  it('refuses a metadata value of more values than any architecture needs', async () => {
    const good = await bytesOf(make());
    const { header, data } = split(good);
    header.__metadata__.classNames = JSON.stringify(Array.from({ length: 200_000 }, () => 'a'));
    const p = fresh('hostile-meta.safetensors');
    writeFileSync(p, join3(header, data));
    const error = await rejection(Network.load(p));
    expect(error.message).toMatch(/metadata 'classNames' holds more than \d+ JSON values/);
  });
});

describe('float32 range and holes', () => {
  const net = () => new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1 });

  it.each([
    [{ mean: holed([0, 0], 1), std: [1, 1] }, 'inputScaling.mean[1]'],
    [{ mean: [0, 0], std: holed([1, 1], 1) }, 'inputScaling.std[1]'],
    [{ mean: [1e300, 0], std: [1, 1] }, 'inputScaling.mean[0]'],
    [{ mean: [0, -1e39], std: [1, 1] }, 'inputScaling.mean[1]'],
    [{ mean: [0, 0], std: [1e-300, 1] }, 'inputScaling.std[0]'],
    [{ mean: [0, 0], std: [1, 1e39] }, 'inputScaling.std[1]'],
  ])('inputScaling %j is refused naming %s', (scaling, name) => {
    const n = net();
    expect(() => {
      n.inputScaling = scaling as never;
    }).toThrow(new RegExp(`for ${name.replace(/[[\]]/g, '\\$&')} but`));
    expect(n.inputScaling).toBeNull();
  });

  it('refuses a class name hole by name', () => {
    const n = net();
    expect(() => {
      n.classNames = holed(['a', 'b'], 1);
    }).toThrow(TypeError);
    expect(n.classNames).toBeNull();
  });

  it('fromJSON refuses params, optimizer state and scaling finite as doubles only, and holes', () => {
    const json = make().toJSON();
    const params = [...json.params];
    params[3] = 1e300;
    expect(() => Network.fromJSON({ ...json, params })).toThrow(
      new RangeError('Expected a finite float32 number for json.params[3] but received 1e+300'),
    );
    const optimizerState = [...json.optimizerState];
    optimizerState[0] = -4e38;
    expect(() => Network.fromJSON({ ...json, optimizerState })).toThrow(/json\.optimizerState\[0\]/);
    const scaled = {
      ...json,
      metadata: { ...json.metadata, inputScaling: { mean: [0, 0], std: [1e-46, 1] } },
    };
    expect(() => Network.fromJSON(scaled)).toThrow(/inputScaling\.std\[0\]/);
    const sparse = { ...json, metadata: { ...json.metadata, shuffleState: holed([1, 2, 3, 4], 1) } };
    expect(() => Network.fromJSON(sparse as never)).toThrow(RangeError);
  });

  it('a model file with mean 1e300 or std 1e-300 is refused naming the file', async () => {
    const { header, data } = split(await bytesOf(make()));
    header.__metadata__.inputScaling = JSON.stringify({ mean: [1e300, 0], std: [1e-300, 1] });
    const p = fresh('overflow.safetensors');
    writeFileSync(p, join3(header, data));
    expect((await rejection(Network.load(p))).message).toMatch(
      new RegExp(`^Invalid model file ${p}: metadata 'inputScaling' is not null nor`),
    );
  });
});

describe('an allocation that fails under a memory cap gives the documented message', () => {
  // Fault injection: Buffer.allocUnsafeSlow fails as it does when the process hits its cap.
  const failAllocations = () =>
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation(() => {
      throw new RangeError('Array buffer allocation failed');
    });
  afterEach(() => vi.restoreAllMocks());

  it('load names the file and the buffer', async () => {
    const net = make();
    const p = fresh('cap.safetensors');
    await net.save(p);
    failAllocations();
    const floats = 3 * net.parameterCount;
    expect((await rejection(Network.load(p))).message).toBe(
      `Cannot read model file ${p}: Could not allocate ${floats} floats for the network's parameters and optimizer state`,
    );
  });

  it('save names the file and the buffer, and writes nothing', async () => {
    const net = make();
    const p = fresh('cap-save.safetensors');
    failAllocations();
    expect((await rejection(net.save(p))).message).toMatch(
      new RegExp(`^Cannot write model file ${p}: Could not allocate \\d+ bytes for the file's contents$`),
    );
    vi.restoreAllMocks();
    expect(() => statSync(p)).toThrow();
  });
});

describe('corrupt state names the file', () => {
  it('an all-zero shuffleState', async () => {
    const { header, data } = split(await bytesOf(make()));
    header.__metadata__.shuffleState = '[0,0,0,0]';
    const p = fresh('zero-shuffle.safetensors');
    writeFileSync(p, join3(header, data));
    expect((await rejection(Network.load(p))).message).toBe(
      `Invalid model file ${p}: metadata 'shuffleState' is not null nor four 32-bit unsigned integers, not all zero`,
    );
  });

  it('an all-zero shuffleState in JSON names the field', () => {
    const json = make().toJSON();
    expect(() =>
      Network.fromJSON({ ...json, metadata: { ...json.metadata, shuffleState: [0, 0, 0, 0] } }),
    ).toThrow(
      new RangeError(
        'Expected four 32-bit unsigned integers, not all zero for metadata.shuffleState but received an array of length 4',
      ),
    );
  });

  it("a negative adam 'v' in a file and in JSON", async () => {
    const net = make();
    const { header, data } = split(await bytesOf(net));
    const P = net.parameterCount;
    const floats = new Float32Array(data.buffer.slice(0));
    floats[2 * P + 1] = -0.5; // params, m, v: v[1]
    const p = fresh('negative-v.safetensors');
    writeFileSync(p, join3(header, new Uint8Array(floats.buffer)));
    expect((await rejection(Network.load(p))).message).toBe(
      `Invalid model file ${p}: tensor 'optimizer.v' holds -0.5 at index 1; expected a non-negative number`,
    );
    const json = net.toJSON();
    const optimizerState = [...json.optimizerState];
    optimizerState[P + 1] = -0.5;
    expect(() => Network.fromJSON({ ...json, optimizerState })).toThrow(
      new RangeError(
        `Expected a non-negative number (adam's v) for json.optimizerState[${P + 1}] but received -0.5`,
      ),
    );
  });
});
