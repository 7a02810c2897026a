// PyTorch interop on every engine: net.export(path, { format: 'pytorch' }) and
// Network.importPyTorch. Bad arguments and bad state dicts first (exact messages), then what
// needs no Python (bytes, determinism, the round trip through the file), then, when a python3
// with torch is present: the export loaded by its generated Python gives predict's outputs, a
// network trained in PyTorch imports with PyTorch's outputs, and fastmlp -> PyTorch -> fastmlp.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../lib/index.js';
import { EXPORT_FORMAT_NAMES } from '../lib/io/export.js';
import { Random } from '../lib/random.js';
import { cli } from './helpers/cli.js';
import { engineNames } from './helpers/engine-names.js';
import { noTorchReason, runPython, torchPython } from './helpers/torch.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-pytorch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const fresh = (name: string) => join(dir, `${fileCount++}-${name}`);

/** Architectures that between them use every activation, dropout, a layer without bias and both scalings. */
const ARCHITECTURES: Record<string, Omit<NetworkOptions, 'engine'> & { regression?: boolean }> = {
  'relu, dropout, sigmoid': {
    inputs: 3,
    layers: [
      { units: 8, activation: 'relu', dropout: 0.25 },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 1,
  },
  'tanh, leakyRelu without bias, softmax': {
    inputs: 4,
    layers: [
      { units: 6, activation: 'tanh' },
      { units: 5, activation: 'leakyRelu', useBias: false },
      { units: 3, activation: 'softmax' },
    ],
    seed: 2,
  },
  'linear hidden, linear output (regression)': {
    inputs: 2,
    layers: [
      { units: 7, activation: 'linear' },
      { units: 7, activation: 'relu' },
      { units: 2, activation: 'linear' },
    ],
    seed: 3,
    regression: true,
  },
};

function randomRows(rows: number, cols: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random.normal(0, 2)));
}

function maxAbsDifference(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i].length);
    row.forEach((v, j) => {
      max = Math.max(max, Math.abs(v - b[i][j]));
    });
  });
  return max;
}

/** A safetensors file of the given tensors (any dtype, values as raw bytes) and metadata. */
function safetensors(
  tensors: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[],
  metadata = {},
) {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...tensors.map((t) => t.bytes)]);
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe.each(engineNames)('PyTorch interop on the %s engine', (engine) => {
  const make = (name: keyof typeof ARCHITECTURES) => {
    const { regression, ...options } = ARCHITECTURES[name];
    const net = new Network({ ...options, engine });
    net.inputScaling = {
      mean: Array.from({ length: net.inputs }, (_, i) => 0.5 * i - 1),
      std: Array.from({ length: net.inputs }, (_, i) => 1.5 + i),
    };
    if (regression) net.targetScaling = { mean: [10, -3], std: [4, 0.5] };
    return { net, options };
  };
  const small = {
    inputs: 2,
    layers: [
      { units: 3, activation: 'relu' as const },
      { units: 1, activation: 'sigmoid' as const },
    ],
    seed: 5,
    engine,
  };

  describe('bad arguments and bad state dicts', () => {
    it('refuses a bad export call before writing anything', async () => {
      const net = new Network(small);
      await expect(net.export('', { format: 'pytorch' })).rejects.toThrow(
        "Expected a file path for path but received ''",
      );
      await expect(net.export(fresh('m.safetensors'), { format: 'pytorchh' as never })).rejects.toThrow(
        `Expected one of ${EXPORT_FORMAT_NAMES.map((name) => `'${name}'`).join(', ')} for options.format`,
      );
      await expect(
        net.export(fresh('m.safetensors'), { format: 'pytorch', python: true } as never),
      ).rejects.toThrow(/python/);
      await expect(net.export(fresh('m.py'), { format: 'pytorch' })).rejects.toThrow(
        'a path not ending in .py (the Python file is written beside it as .py)',
      );
    });

    it('names a missing file, an extra, missing or misshapen tensor and a bad dtype', async () => {
      const p = fresh('sd.safetensors');
      const check = async (bytes: Uint8Array, message: string) => {
        writeFileSync(p, bytes);
        await expect(Network.importPyTorch(p, small)).rejects.toThrow(
          `Invalid PyTorch state dict ${p}: ${message}`,
        );
      };
      await expect(Network.importPyTorch(join(dir, 'none.safetensors'), small)).rejects.toThrow(
        `Cannot read PyTorch state dict ${join(dir, 'none.safetensors')}: ENOENT`,
      );
      await expect(Network.importPyTorch(p, { ...small, inputs: 0 })).rejects.toThrow('inputs');
      const good = [
        { name: '0.weight', dtype: 'F32', shape: [3, 2], bytes: f32([1, 2, 3, 4, 5, 6]) },
        { name: '0.bias', dtype: 'F32', shape: [3], bytes: f32([0.1, 0.2, 0.3]) },
        { name: '2.weight', dtype: 'F32', shape: [1, 3], bytes: f32([-1, 0.5, 2]) },
        { name: '2.bias', dtype: 'F32', shape: [1], bytes: f32([0.25]) },
      ];
      writeFileSync(p, safetensors(good));
      const net = await Network.importPyTorch(p, small);
      // transposed into ours: W (inputs, units), W[i][j] = torch weight[j][i]
      expect(Array.from(net.getWeights()[0].W)).toEqual([1, 3, 5, 2, 4, 6]);
      expect(Array.from(net.getParameters())).toEqual(
        Array.from(new Float32Array([1, 3, 5, 2, 4, 6, 0.1, 0.2, 0.3, -1, 0.5, 2, 0.25])),
      );
      await check(
        safetensors([...good, { name: '1.weight', dtype: 'F32', shape: [1], bytes: f32([0]) }]),
        "unexpected tensor '1.weight'; the architecture's Sequential holds 0.weight [3, 2], 0.bias [3], 2.weight [1, 3], 2.bias [1]",
      );
      await check(safetensors(good.slice(0, 3)), "missing tensor 2.bias [1] (layers[1]'s biases)");
      await check(
        safetensors([{ ...good[0], shape: [2, 3] }, ...good.slice(1)]),
        "tensor '0.weight' has shape [2, 3]; expected 0.weight [3, 2] (layers[0]'s weights)",
      );
      await check(
        safetensors([{ ...good[0], dtype: 'I32' }, ...good.slice(1)]),
        "tensor '0.weight' has dtype 'I32'; fastmlp reads F32, F64, F16, BF16 only",
      );
      await check(
        safetensors([{ ...good[0], bytes: f32([1, 2, Number.NaN, 4, 5, 6]) }, ...good.slice(1)]),
        "tensor '0.weight' holds NaN at index 2 (as float32); expected finite numbers",
      );
      await check(
        safetensors(good, {
          modules: JSON.stringify(['Linear(in_features=2, out_features=3, bias=True)', 'Tanh()']),
        }),
        "the file's Sequential differs from the architecture at module 1: the file has 'Tanh()', the options make 'ReLU()'",
      );
      await check(
        safetensors(good, { targetScaling: JSON.stringify({ mean: [0], std: [1] }) }),
        "metadata 'targetScaling' is set but the architecture is binary, not regression",
      );
      await check(
        safetensors(good, { inputScaling: JSON.stringify({ mean: [0], std: [1] }) }),
        "metadata 'inputScaling' is not null nor { mean, std } of 2 finite numbers (std > 0)",
      );
    });

    it('converts F64, F16 and BF16 to float32', async () => {
      const p = fresh('dtypes.safetensors');
      const values = [1.5, -0.25, 3, 0.1, -2, 0.5];
      const f64 = new Uint8Array(new Float64Array(values).buffer);
      // 1.5, -0.25, 3, 0.099975586 (f16's nearest to 0.1), -2, 0.5 as binary16 and bfloat16 bits
      const f16 = new Uint8Array(new Uint16Array([0x3e00, 0xb400, 0x4200, 0x2e66, 0xc000, 0x3800]).buffer);
      const bf16 = new Uint8Array(new Uint16Array([0x3fc0, 0xbe80, 0x4040, 0x3dcd, 0xc000, 0x3f00]).buffer);
      const rest = [
        { name: '0.bias', dtype: 'F32', shape: [3], bytes: f32([0, 0, 0]) },
        { name: '2.weight', dtype: 'F32', shape: [1, 3], bytes: f32([1, 1, 1]) },
        { name: '2.bias', dtype: 'F32', shape: [1], bytes: f32([0]) },
      ];
      const read = async (dtype: string, bytes: Uint8Array) => {
        writeFileSync(p, safetensors([{ name: '0.weight', dtype, shape: [3, 2], bytes }, ...rest]));
        return Array.from((await Network.importPyTorch(p, small)).getWeights()[0].W);
      };
      const transposed = (v: number[]) => [v[0], v[2], v[4], v[1], v[3], v[5]];
      expect(await read('F64', f64)).toEqual(transposed(values.map(Math.fround)));
      expect(await read('F16', f16)).toEqual(transposed([1.5, -0.25, 3, 0.0999755859375, -2, 0.5]));
      expect(await read('BF16', bf16)).toEqual(transposed([1.5, -0.25, 3, 0.10009765625, -2, 0.5]));
      const huge = new Uint8Array(new Float64Array([1e300, 0, 0, 0, 0, 0]).buffer);
      await expect(read('F64', huge)).rejects.toThrow(
        "tensor '0.weight' holds Infinity at index 0 (as float32)",
      );
    });
  });

  describe('the exported files', () => {
    it('are the same bytes for the same model, and differ for another', async () => {
      const bytesOf = async (net: Network) => {
        // the same name in another folder: the Python file names its state dict
        const p = join(mkdtempSync(join(dir, 'det-')), 'model.safetensors');
        await net.export(p, { format: 'pytorch' });
        return [readFileSync(p), readFileSync(p.replace(/\.safetensors$/, '.py'))];
      };
      const a = await bytesOf(make('tanh, leakyRelu without bias, softmax').net);
      const b = await bytesOf(make('tanh, leakyRelu without bias, softmax').net);
      expect(Buffer.compare(a[0], b[0])).toBe(0);
      expect(Buffer.compare(a[1], b[1])).toBe(0);
      const other = make('tanh, leakyRelu without bias, softmax').net;
      other.setWeights(0, { ...other.getWeights()[0], W: other.getWeights()[0].W.map((v) => v + 1) });
      expect(Buffer.compare(a[0], (await bytesOf(other))[0])).not.toBe(0);
    });

    it.each(Object.keys(ARCHITECTURES))('round-trip through importPyTorch exactly: %s', async (name) => {
      const { net, options } = make(name);
      const p = fresh('rt.safetensors');
      await net.export(p, { format: 'pytorch' });
      const back = await Network.importPyTorch(p, { ...options, seed: 99, engine });
      expect(back.getParameters()).toEqual(net.getParameters());
      expect(back.inputScaling).toEqual(net.inputScaling);
      expect(back.targetScaling).toEqual(net.targetScaling);
      const X = randomRows(20, net.inputs, 7);
      expect(back.predict(X)).toEqual(net.predict(X));
    });
  });

  describe.skipIf(!torchPython)(`in PyTorch (${torchPython ?? noTorchReason})`, () => {
    /** Loads the generated module from its file (its name need not be a Python identifier). */
    const importModule = `
import importlib.util, json, sys
import torch
job = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("exported", job["python"])
exported = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exported)
`;

    it('each export gives predict’s outputs within 1e-5', async () => {
      // one Python run for every architecture: starting torch takes seconds
      const jobs = await Promise.all(
        Object.keys(ARCHITECTURES).map(async (name, k) => {
          const { net } = make(name);
          // trained a little so the weights are not just the initial draw
          const X = randomRows(64, net.inputs, 11 + k);
          const y = ARCHITECTURES[name].regression
            ? X.map((row) => [10 + 4 * Math.sin(row[0]), -3 + 0.5 * row[1]])
            : net.outputs === 1
              ? X.map((row) => (row[0] + row[1] > 0 ? 1 : 0))
              : X.map((row) => (row[0] > 1 ? 0 : row[1] > 0 ? 1 : 2));
          net.fitSync(X, y as never, { epochs: 5, batchSize: 16 });
          const p = fresh('model.safetensors');
          await net.export(p, { format: 'pytorch' });
          return { net, python: p.replace(/\.safetensors$/, '.py'), X: randomRows(50, net.inputs, 31 + k) };
        }),
      );
      const results = runPython(
        `
import importlib.util, json, sys
import torch
results = []
for job in json.load(sys.stdin):
    spec = importlib.util.spec_from_file_location("exported", job["python"])
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    model = exported.load()
    with torch.no_grad():
        out = model(torch.tensor(job["X"], dtype=torch.float32))
    modules = [repr(m) for m in model.net]
    results.append({"outputs": out.tolist(), "modules": modules, "metadata": json.loads(model.metadata["modules"]), "training": model.training})
print(json.dumps(results))
`,
        jobs.map(({ python, X }) => ({ python, X })),
      ) as { outputs: number[][]; modules: string[]; metadata: string[]; training: boolean }[];
      jobs.forEach(({ net, X }, k) => {
        const result = results[k];
        expect(result.modules).toEqual(result.metadata); // our module list is PyTorch's own repr
        expect(result.training).toBe(false);
        expect(maxAbsDifference(result.outputs, net.predict(X))).toBeLessThanOrEqual(1e-5);
      });
    });

    it('imports a network trained in PyTorch with PyTorch’s outputs, and round-trips fastmlp -> PyTorch -> fastmlp', async () => {
      const { net, options } = make('tanh, leakyRelu without bias, softmax');
      const p = fresh('initial.safetensors');
      await net.export(p, { format: 'pytorch' });
      const X = randomRows(96, net.inputs, 21);
      const y = X.map((row) => (row[0] > 1 ? 0 : row[1] > 0 ? 1 : 2));
      const test = randomRows(40, net.inputs, 22);
      const copied = fresh('copied.safetensors');
      const trained = fresh('trained.safetensors');
      const result = runPython(
        `${importModule}
torch.manual_seed(0)
model = exported.load()
exported.save(model, job["copied"])  # untouched: the round trip
model.train()
optimizer = torch.optim.Adam(model.net.parameters(), lr=0.05)
X, y = torch.tensor(job["X"]), torch.tensor(job["y"])
for step in range(20):
    optimizer.zero_grad()
    probs = model(X)
    loss = torch.nn.functional.nll_loss(torch.log(probs), y)
    loss.backward()
    optimizer.step()
model.eval()
exported.save(model, job["trained"])
with torch.no_grad():
    out = model(torch.tensor(job["test"]))
print(json.dumps({"outputs": out.tolist(), "loss": loss.item()}))
`,
        { python: p.replace(/\.safetensors$/, '.py'), X, y, test, copied, trained },
      ) as { outputs: number[][] };
      const imported = await Network.importPyTorch(trained, { ...options, engine });
      expect(imported.getParameters()).not.toEqual(net.getParameters()); // PyTorch trained it
      expect(maxAbsDifference(imported.predict(test), result.outputs)).toBeLessThanOrEqual(1e-5);
      expect(imported.inputScaling).toEqual(net.inputScaling); // the metadata came along
      const roundTrip = await Network.importPyTorch(copied, { ...options, engine });
      expect(maxAbsDifference(roundTrip.predict(test), net.predict(test))).toBeLessThanOrEqual(1e-5);
      expect(roundTrip.getParameters()).toEqual(net.getParameters());
    });
  });
});

describe('fastmlp export --format pytorch', () => {
  it('writes the bytes net.export writes, and refuses a bad call in one line', async () => {
    const net = new Network({ ...ARCHITECTURES['relu, dropout, sigmoid'], engine: 'ts' });
    const model = fresh('saved.safetensors');
    await net.save(model);
    const [viaCli, viaApi] = [mkdtempSync(join(dir, 'cli-')), mkdtempSync(join(dir, 'api-'))];
    const r = await cli([
      'export',
      '--model',
      model,
      '--format',
      'pytorch',
      '--out',
      join(viaCli, 'm.safetensors'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${model} exported as pytorch to ${join(viaCli, 'm.safetensors')} and ${join(viaCli, 'm.py')}\n`,
    );
    await net.export(join(viaApi, 'm.safetensors'), { format: 'pytorch' });
    for (const name of ['m.safetensors', 'm.py']) {
      expect(Buffer.compare(readFileSync(join(viaCli, name)), readFileSync(join(viaApi, name)))).toBe(0);
    }
    const bad = await cli([
      'export',
      '--model',
      model,
      '--format',
      'torch',
      '--out',
      join(viaCli, 'x.safetensors'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `fastmlp: --format expects one of ${EXPORT_FORMAT_NAMES.join(', ')} but received 'torch' (did you mean pytorch?)\n`,
    );
    const py = await cli(['export', '--model', model, '--format', 'pytorch', '--out', join(viaCli, 'x.py')]);
    expect(py.stderr).toBe(
      `fastmlp: --out ${join(viaCli, 'x.py')}: the Python file is written beside it as .py; give a path not ending in .py\n`,
    );
  });
});
