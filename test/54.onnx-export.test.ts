// ONNX export (net.export(path, { format: 'onnx' })) on every engine: bad options and paths first
// (exact messages, nothing written), then each exported model run in onnxruntime-node against
// net.predict on random inputs, max abs difference <= 1e-5: every activation of the contract as
// hidden and as output activation, each output kind (softmax, sigmoid binary and multilabel,
// linear regression with target scaling), input scaling, a bias-free layer, dropout, a table
// schema with missing values, batches of 1 and 37; then the file itself (opset, dynamic batch,
// metadata) and determinism (same model, same bytes).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type ActivationName, type LossName } from '../lib/engine/contract.js';
import { Network, type NetworkOptions, type TableSchema } from '../lib/index.js';
import { EXPORT_FORMAT_NAMES } from '../lib/io/export.js';
import { decodeOnnx } from '../lib/io/onnx/encode.js';
import { onnxModel } from '../lib/io/onnx/model.js';
import { initialModelState } from '../lib/model-state.js';
import { Random } from '../lib/random.js';
import { encodedNames } from '../lib/schema.js';
import { resolveSpec } from '../lib/spec.js';
import { engineNames } from './helpers/engine-names.js';

const QUOTED_FORMATS = EXPORT_FORMAT_NAMES.map((name) => `'${name}'`).join(', ');

const TOLERANCE = 1e-5;
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const nextPath = () => join(dir, `model-${fileCount++}.onnx`);
const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Runs the ONNX file on `rows` rows of X (row-major) in onnxruntime-node's CPU provider. */
async function runOnnx(path: string, X: Float32Array, rows: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', X, [rows, X.length / rows]) });
    expect(result.output.dims[0]).toBe(rows);
    return result.output.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Raw features around `mean` with spread `std`: scaling has something to undo. */
function randomRows(random: Random, rows: number, mean: number[], std: number[]): Float32Array {
  const X = new Float32Array(rows * mean.length);
  for (let i = 0; i < X.length; i++) {
    const c = i % mean.length;
    X[i] = mean[c] + std[c] * (6 * random.uniform() - 3);
  }
  return X;
}

/** Weights drawn in [-1.5, 1.5): larger than an initializer's, so activations saturate too. */
function randomizeWeights(net: Network, random: Random): void {
  net.setParameters(Float32Array.from({ length: net.parameterCount }, () => 3 * random.uniform() - 1.5));
}

const INPUTS = 4;
const MEAN = [10, -3, 0.5, 100];
const STD = [2, 0.5, 0.1, 25];

/** The output kinds: the output layer, the loss, and target scaling for regression. */
const OUTPUT_KINDS: {
  kind: string;
  units: number;
  activation: ActivationName;
  loss: LossName;
  targetScaling?: { mean: number[]; std: number[] };
}[] = [
  { kind: 'softmax classification', units: 3, activation: 'softmax', loss: 'cross-entropy' },
  { kind: 'sigmoid binary', units: 1, activation: 'sigmoid', loss: 'bce' },
  { kind: 'sigmoid multilabel', units: 3, activation: 'sigmoid', loss: 'bce' },
  {
    kind: 'linear regression with target scaling',
    units: 2,
    activation: 'linear',
    loss: 'mse',
    targetScaling: { mean: [3, -2], std: [2, 0.5] },
  },
];

describe('net.export: bad options and paths', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1 });

  it('refuses a path that is not a non-empty string', async () => {
    await expect(net.export('', { format: 'onnx' })).rejects.toThrow(
      new TypeError("Expected a file path for path but received ''"),
    );
    await expect(net.export(7 as never, { format: 'onnx' })).rejects.toThrow(
      new TypeError('Expected a file path for path but received 7'),
    );
  });

  it('refuses missing options, an unknown format and an unknown key, writing nothing', async () => {
    const path = nextPath();
    await expect(net.export(path, undefined as never)).rejects.toThrow(
      new TypeError('Expected an object for options but received undefined'),
    );
    await expect(net.export(path, {} as never)).rejects.toThrow(
      new TypeError(`Expected one of ${QUOTED_FORMATS} for options.format but received undefined`),
    );
    await expect(net.export(path, { format: 'tflite' } as never)).rejects.toThrow(
      new RangeError(`Expected one of ${QUOTED_FORMATS} for options.format but received 'tflite'`),
    );
    await expect(net.export(path, { format: 'onnx', fromat: 'onnx' } as never)).rejects.toThrow(
      new TypeError("Unknown option 'fromat' for export; did you mean 'format'?"),
    );
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });

  it('names the file and the reason when it cannot be written', async () => {
    const missing = join(dir, 'no-such-folder', 'm.onnx');
    await expect(net.export(missing, { format: 'onnx' })).rejects.toThrow(
      new Error(`Cannot export onnx file ${missing}: no such file or directory`),
    );
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    await expect(net.export(folder, { format: 'onnx' })).rejects.toThrow(
      new Error(`Cannot export onnx file ${folder}: not a regular file (a directory)`),
    );
  });

  it('names an activation it cannot express, and the layer', () => {
    const state = initialModelState(
      resolveSpec({
        inputs: 2,
        layers: [
          { units: 3, activation: 'relu' },
          { units: 1, activation: 'sigmoid' },
        ],
      }),
    );
    // a state from elsewhere (a newer file, a future activation) naming one without a row
    const layers = state.spec.layers.map((l, i) =>
      i === 0 ? { ...l, activation: 'gelu' as ActivationName } : l,
    );
    expect(() => onnxModel({ ...state, spec: { ...state.spec, layers } }, version)).toThrow(
      new TypeError(
        `Cannot export layer 0's activation 'gelu' to ONNX: no ONNX operator here expresses it (exportable: ${ACTIVATIONS.join(', ')})`,
      ),
    );
  });
});

describe.each(engineNames)('ONNX export matches predict on the %s engine', (engine) => {
  /** Exports `net`, runs batches of 1 and 37 in ONNX Runtime and compares with net.predict. */
  async function expectSameOutputs(net: Network, random: Random): Promise<void> {
    const path = nextPath();
    await net.export(path, { format: 'onnx' });
    for (const rows of [1, 37]) {
      const X = randomRows(random, rows, MEAN, STD);
      const expected = net.predict(X);
      const actual = await runOnnx(path, X, rows);
      expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
    }
  }

  const make = (options: Omit<NetworkOptions, 'inputs' | 'engine'>): Network => {
    const net = new Network({ inputs: INPUTS, engine, ...options });
    net.inputScaling = { mean: MEAN, std: STD };
    return net;
  };

  for (const hidden of ACTIVATIONS) {
    for (const out of OUTPUT_KINDS) {
      it(`${hidden} hidden layers, ${out.kind}, with input scaling`, async () => {
        const random = new Random(ACTIVATIONS.indexOf(hidden) * 10 + OUTPUT_KINDS.indexOf(out));
        const net = make({
          layers: [
            { units: 7, activation: hidden },
            { units: 5, activation: hidden, dropout: 0.25 },
            { units: out.units, activation: out.activation },
          ],
          loss: out.loss,
          seed: 3,
        });
        if (out.targetScaling) net.targetScaling = out.targetScaling;
        randomizeWeights(net, random);
        await expectSameOutputs(net, random);
      });
    }
  }

  for (const output of ACTIVATIONS) {
    it(`${output} as the output activation (a bias-free hidden layer)`, async () => {
      const random = new Random(100 + ACTIVATIONS.indexOf(output));
      const net = make({
        layers: [
          { units: 6, activation: 'tanh', useBias: false },
          { units: 3, activation: output },
        ],
        seed: 5,
      });
      randomizeWeights(net, random);
      await expectSameOutputs(net, random);
    });
  }

  it('a trained network without input scaling', async () => {
    const random = new Random(7);
    const net = new Network({
      inputs: 2,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
      engine,
      seed: 11,
    });
    const X = Array.from({ length: 64 }, () => [random.uniform(), random.uniform()]);
    net.fitSync(
      X,
      X.map(([a, b]) => (a > b ? 1 : 0)),
      { epochs: 20 },
    );
    const path = nextPath();
    await net.export(path, { format: 'onnx' });
    const rows = Float32Array.from(X.flat());
    expect(maxAbsDifference(await runOnnx(path, rows, X.length), net.predict(rows))).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });

  it('a table schema: missing numbers take their fill, a missing category its fill one-hot', async () => {
    const schema: TableSchema = {
      features: [
        { name: 'age', kind: 'numeric', fill: 41.5 },
        { name: 'color', kind: 'categorical', categories: ['blue', 'green', 'red'], fill: 'green' },
        { name: 'height', kind: 'numeric', fill: 1.72 },
      ],
      target: 'kind',
      task: 'classification',
      classNames: ['cat', 'dog', 'fox'],
      missingValues: ['', 'NA'],
    };
    const net = new Network({
      inputs: 5,
      layers: [
        { units: 6, activation: 'leakyRelu' },
        { units: 3, activation: 'softmax' },
      ],
      engine,
      seed: 2,
    });
    net.schema = schema;
    net.inputScaling = { mean: [40, 0.3, 0.3, 0.3, 1.7], std: [12, 0.45, 0.45, 0.45, 0.1] };
    const random = new Random(9);
    randomizeWeights(net, random);
    const colors = ['blue', 'green', 'red', null];
    const records = Array.from({ length: 37 }, (_, i) => ({
      age: i % 5 === 0 ? null : 20 + 50 * random.uniform(),
      color: colors[i % 4],
      height: i % 7 === 0 ? null : 1.5 + 0.4 * random.uniform(),
    }));
    // the encoded rows an ONNX caller passes: NaN where a value is missing
    const X = new Float32Array(records.length * 5);
    records.forEach((r, i) => {
      const row = [r.age ?? Number.NaN, 0, 0, 0, r.height ?? Number.NaN];
      const k = r.color === null ? -1 : ['blue', 'green', 'red'].indexOf(r.color);
      for (let c = 0; c < 3; c++) row[1 + c] = k < 0 ? Number.NaN : c === k ? 1 : 0;
      X.set(row, i * 5);
    });
    const path = nextPath();
    await net.export(path, { format: 'onnx' });
    const expected = Float32Array.from(net.predict(records).flat());
    expect(maxAbsDifference(await runOnnx(path, X, records.length), expected)).toBeLessThanOrEqual(TOLERANCE);
    // and the first record alone (batch 1)
    expect(
      maxAbsDifference(await runOnnx(path, X.subarray(0, 5), 1), expected.subarray(0, 3)),
    ).toBeLessThanOrEqual(TOLERANCE);
    const metadata = await metadataOf(path);
    expect(metadata.feature_names).toBe(JSON.stringify(encodedNames(schema)));
    expect(JSON.parse(metadata.feature_names)).toEqual([
      'age',
      'color=blue',
      'color=green',
      'color=red',
      'height',
    ]);
    expect(JSON.parse(metadata.schema)).toEqual(net.schema);
    expect(metadata.class_names).toBe('["cat","dog","fox"]');
    expect(metadata.target).toBe('kind');
    expect(metadata.task).toBe('multiclass');
  });
});

async function metadataOf(path: string): Promise<Record<string, string>> {
  const model = (await decodeOnnx(readFileSync(path))) as { metadataProps: { key: string; value: string }[] };
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

describe('the ONNX file', () => {
  const make = () => {
    const net = new Network({
      inputs: 3,
      layers: [
        { units: 4, activation: 'relu' },
        { units: 2, activation: 'softmax' },
      ],
      seed: 21,
    });
    net.inputScaling = { mean: [1, 2, 3], std: [1, 2, 3] };
    net.classNames = ['no', 'yes'];
    return net;
  };

  it('declares opset 17, a dynamic batch dimension and its metadata', async () => {
    const path = nextPath();
    await make().export(path, { format: 'onnx' });
    const model = (await decodeOnnx(readFileSync(path))) as {
      irVersion: number;
      opsetImport: { version: number }[];
      producerName: string;
      producerVersion: string;
      graph: {
        input: { name: string; type: { tensorType: { shape: { dim: Record<string, unknown>[] } } } }[];
        output: { name: string; type: { tensorType: { shape: { dim: Record<string, unknown>[] } } } }[];
        node: { opType: string }[];
      };
    };
    expect(model.opsetImport.map((o) => o.version)).toEqual([17]);
    expect(model.irVersion).toBe(8);
    expect([model.producerName, model.producerVersion]).toEqual(['fastmlp', version]);
    expect(model.graph.input[0].name).toBe('input');
    expect(model.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }]);
    expect(model.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 2 }]);
    expect(model.graph.node.map((n) => n.opType)).toEqual(['Sub', 'Div', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(await metadataOf(path)).toEqual({
      fastmlp_version: version,
      task: 'multiclass',
      class_names: '["no","yes"]',
    });
  });

  it('is deterministic: the same model gives the same bytes, a changed one others', async () => {
    const net = make();
    const [a, b, c, d] = [nextPath(), nextPath(), nextPath(), join(dir, 'copy.safetensors')];
    await net.export(a, { format: 'onnx' });
    await net.export(b, { format: 'onnx' });
    await net.save(d);
    await (await Network.load(d)).export(c, { format: 'onnx' });
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(c).equals(readFileSync(a))).toBe(true);
    const changed = net.getParameters();
    changed[0] += 0.25;
    net.setParameters(changed);
    await net.export(b, { format: 'onnx' });
    expect(readFileSync(b).equals(readFileSync(a))).toBe(false);
  });

  it('holds the network as it was when export was called', async () => {
    const net = make();
    const path = nextPath();
    const before = net.predict([[1, 2, 3]])[0];
    const done = net.export(path, { format: 'onnx' });
    net.setParameters(new Float32Array(net.parameterCount)); // while the export is under way
    await done;
    const out = await runOnnx(path, Float32Array.of(1, 2, 3), 1);
    expect(maxAbsDifference(out, Float32Array.from(before))).toBeLessThanOrEqual(TOLERANCE);
  });
});
