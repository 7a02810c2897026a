// `fastmlp export` and what ONNX export needs at run time: the command's bad arguments first
// (one line on stderr, exit code 2, nothing written), then the round trip saved model ->
// `fastmlp export --format onnx` -> onnxruntime-node, equal to net.predict and to net.export's
// bytes; the clear error when the optional package protobufjs is missing; and the build step
// that ships onnx.proto beside the compiled module.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Network } from '../lib/index.js';
import { EXPORT_FORMAT_NAMES } from '../lib/io/export.js';
import { Random } from '../lib/random.js';
import { cli, ROOT } from './helpers/cli.js';
import { engineNames } from './helpers/engine-names.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A saved regression model with input and target scaling. */
async function savedModel(name: string): Promise<{ path: string; net: Network }> {
  const net = new Network({
    inputs: 3,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 2, activation: 'linear' },
    ],
    seed: 4,
  });
  net.inputScaling = { mean: [1, -1, 5], std: [0.5, 2, 3] };
  net.targetScaling = { mean: [10, -4], std: [3, 0.25] };
  const path = join(dir, name);
  await net.save(path);
  return { path, net };
}

describe('fastmlp export: bad arguments', () => {
  it('lists the formats in --help', async () => {
    const { code, stdout } = await cli(['export', '--help']);
    expect(code).toBe(0);
    for (const format of EXPORT_FORMAT_NAMES) expect(stdout).toContain(`${format} `);
    expect(stdout).toContain('Usage: fastmlp export --model <file> --format <onnx');
  });

  it('names what is missing or wrong, writes nothing and exits with 2', async () => {
    const { path } = await savedModel('bad-args.safetensors');
    const out = join(dir, 'never.onnx');
    const cases: [string[], string][] = [
      [['--format', 'onnx', '--out', out], 'fastmlp: export needs --model (see fastmlp export --help)'],
      [['--model', path, '--out', out], 'fastmlp: export needs --format (see fastmlp export --help)'],
      [['--model', path, '--format', 'onnx'], 'fastmlp: export needs --out (see fastmlp export --help)'],
      [
        ['--model', path, '--format', 'onxx', '--out', out],
        `fastmlp: --format expects one of ${EXPORT_FORMAT_NAMES.join(', ')} but received 'onxx' (did you mean onnx?)`,
      ],
      [
        ['--model', join(dir, 'absent.safetensors'), '--format', 'onnx', '--out', out],
        `fastmlp: no such model file: '${join(dir, 'absent.safetensors')}'`,
      ],
      [
        ['--model', path, '--format', 'onnx', '--out', join(dir, 'no-such-folder', 'm.onnx')],
        `fastmlp: cannot write --out ${join(dir, 'no-such-folder', 'm.onnx')}: folder ${join(dir, 'no-such-folder')} does not exist`,
      ],
      [
        ['--model', path, '--format', 'onnx', '--out', path],
        `fastmlp: --out ${path} is the same file as --model ${path}, an input; writing it would destroy it`,
      ],
      [
        ['--model', path, '--format', 'onnx', '--out', out, '--fomat', 'onnx'],
        "fastmlp: unknown option '--fomat' for export; did you mean --format? (see fastmlp export --help)",
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(['export', ...args]);
      expect({ args, code, stderr }).toEqual({ args, code: 2, stderr: `${message}\n` });
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a file that is not a model', async () => {
    const notModel = join(dir, 'not-a-model.safetensors');
    writeFileSync(notModel, 'hello, world');
    const { code, stderr } = await cli([
      'export',
      '-m',
      notModel,
      '--format',
      'onnx',
      '-o',
      join(dir, 'x.onnx'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^fastmlp: cannot load model '${notModel}': Invalid model file`));
  });
});

describe.each(engineNames)('fastmlp export round trip (predictions on the %s engine)', (engine) => {
  it('writes the ONNX model net.export writes; ONNX Runtime predicts as the loaded network', async () => {
    const { path } = await savedModel(`round-trip-${engine}.safetensors`);
    const out = join(dir, `cli-${engine}.onnx`);
    const { code, stdout, stderr } = await cli(['export', '--model', path, '--format', 'onnx', '--out', out]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`${path} exported as onnx to ${out}\n`);
    const net = await Network.load(path, { engine });
    const direct = join(dir, `api-${engine}.onnx`);
    await net.export(direct, { format: 'onnx' });
    expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
    const random = new Random(12);
    const session = await ort.InferenceSession.create(out);
    for (const rows of [1, 37]) {
      const X = Float32Array.from({ length: rows * 3 }, () => 10 * random.uniform() - 5);
      const result = await session.run({ input: new ort.Tensor('float32', X, [rows, 3]) });
      const actual = result.output.data as Float32Array;
      const expected = net.predict(X);
      expect(actual.length).toBe(expected.length);
      const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
      expect(worst).toBeLessThanOrEqual(1e-5);
    }
    await session.release();
  });
});

describe("the README's ONNX example", () => {
  it("runs as written, and ONNX Runtime's output is predict's within 1e-5", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- onnx-example:start -->\n```ts\n([\s\S]*?)```\n<!-- onnx-example:end -->/.exec(readme);
    expect(block).not.toBeNull();
    // inside the package so that onnxruntime-node resolves; 'fastmlp' is the source here
    const work = mkdtempSync(join(ROOT, '.readme-onnx-'));
    try {
      const check = `
const expected = net.predict(rows);
const worst = Math.max(...expected.map((v, i) => Math.abs(v - (output.data as Float32Array)[i])));
if (!(worst <= 1e-5) || output.dims.join() !== '2,3') throw new Error(\`ONNX differs from predict by \${worst}\`);
`;
      const source = block![1].replace("from 'fastmlp'", "from '../lib/index.js'") + check;
      writeFileSync(join(work, 'example.ts'), source);
      const { execFile } = await import('node:child_process');
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'example.ts'],
          { cwd: work },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        );
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Float32Array\(6\) \[/);
      expect(existsSync(join(work, 'iris.onnx'))).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('what ONNX export needs at run time', () => {
  it('names the optional package when protobufjs cannot be loaded', async () => {
    vi.resetModules();
    // a real missing package cannot be staged inside vitest (its mock factory errors are wrapped):
    // the loader answers as lib/optional.ts does when protobufjs is not installed
    vi.doMock('../lib/optional.js', async (original) => {
      const real = await original<typeof import('../lib/optional.js')>();
      const { purpose, packages } = real.OPTIONAL_FEATURES.onnx;
      return {
        ...real,
        loadProtobuf: () => Promise.reject(new real.MissingOptionalPackageError(purpose, packages)),
      };
    });
    try {
      const { Network: FreshNetwork } = await import('../lib/network.js');
      const net = new FreshNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }] });
      const path = join(dir, 'without-protobufjs.onnx');
      await expect(net.export(path, { format: 'onnx' })).rejects.toThrow(
        /^Cannot export onnx file .*without-protobufjs\.onnx: ONNX export needs the optional package protobufjs, which is not installed; install it with: npm install protobufjs$/,
      );
      expect(existsSync(path)).toBe(false);
    } finally {
      vi.doUnmock('../lib/optional.js');
      vi.resetModules();
    }
  });

  it('build:ts copies onnx.proto and its license beside the compiled module', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      files: string[];
    };
    expect(pkg.scripts['build:ts']).toContain('node scripts/copy-assets.mjs');
    expect(pkg.files).toContain('dist/lib');
    // npm pack builds dist/ afresh (scripts/prepack.mjs): it copies the assets too
    expect(readFileSync(join(ROOT, 'scripts', 'prepack.mjs'), 'utf8')).toContain('copy-assets.mjs');
    const out = mkdtempSync(join(dir, 'dist-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'copy-assets.mjs'), out]);
    for (const file of ['onnx.proto', 'LICENSE-onnx.txt']) {
      const source = readFileSync(join(ROOT, 'lib', 'io', 'onnx', file));
      expect(readFileSync(join(out, 'lib', 'io', 'onnx', file)).equals(source)).toBe(true);
    }
    // the file encode.ts loads, beside it (so beside encode.js once compiled)
    expect(readFileSync(join(ROOT, 'lib', 'io', 'onnx', 'encode.ts'), 'utf8')).toContain(
      "new URL('./onnx.proto', import.meta.url)",
    );
  });
});
