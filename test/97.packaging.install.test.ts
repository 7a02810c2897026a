// fastmlp as its users get it: `npm pack` (the prepack script builds dist/ and the prebuilt addon),
// then the tarball installed into two fresh consumer projects: A with --ignore-scripts and
// --omit=optional (the lightest install), B with scripts and optional packages (the default).
// Checked there: the native engine loads from the prebuild; require() and import both work and
// share one module; TypeScript consumers compile and run as NodeNext ESM, NodeNext CommonJS and
// classic CommonJS; reports fail by name without vega and work with it; A's footprint is at most
// 12 MiB. Slow (one pack, two installs); skipped, saying why, only when the registry is unreachable.
// Side effects in the project: npm pack rewrites dist/, build-prebuild/ and prebuilds/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { checkPortable, systemBaseline } from '../scripts/portable-check.mjs';
// @ts-expect-error: a plain .mjs script without declarations
import { prebuildFile } from '../scripts/prebuild.mjs';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const FOOTPRINT_LIMIT_KIB = 12 * 1024;
const SLOW = 30 * 60_000;

/** The environment for child npm and node: no settings inherited from an npm that runs this test. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') && k !== 'FASTMLP_ENGINE' && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return { ...env, ...extra };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(command, args, cwd, env);
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const ping = await run('npm', ['ping', '--fetch-timeout=15000', '--fetch-retries=0'], ROOT);
const unreachable =
  ping.code === 0 ? null : (ping.stderr.trim().split('\n').at(-1) ?? `npm ping exited ${ping.code}`);

it.skipIf(unreachable === null)(`skipped: the npm registry is unreachable (${unreachable})`, () => {});

describe.skipIf(unreachable !== null)('the packed package, installed', () => {
  let dir: string;
  let tarball: string;
  let packed: string[];
  const a = () => join(dir, 'a');
  const b = () => join(dir, 'b');
  let installB: string;
  const prebuildRel = prebuildFile() as string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-install-'));
    const out = await ok('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
    // the prepack script's output comes first; npm's JSON report is the last array printed
    const report = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1));
    tarball = join(dir, report[0].filename);
    packed = report[0].files.map((f: { path: string }) => f.path);
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
    for (const consumer of [a(), b()]) {
      await mkdir(consumer);
      await writeFile(
        join(consumer, 'package.json'),
        '{ "name": "consumer", "version": "1.0.0", "private": true }\n',
      );
    }
    await ok('npm', [...install, '--ignore-scripts', '--omit=optional', tarball], a());
    installB = await ok('npm', [...install, '--foreground-scripts', tarball], b());
  }, SLOW);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const node = (cwd: string, args: string[], env?: NodeJS.ProcessEnv) =>
    run(process.execPath, args, cwd, env);

  describe('the tarball', () => {
    it('holds the compiled library, the prebuild and the sources to build from, and no tests or maps', () => {
      for (const f of [
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        prebuildRel,
        'CMakeLists.txt',
        'cmake/FastmlpIsa.cmake',
      ]) {
        expect(packed).toContain(f);
      }
      expect(packed).toContain('scripts/build-native.mjs');
      expect(
        packed.filter((f) => f.endsWith('.map') || f.startsWith('test/') || f.startsWith('lib/')),
      ).toEqual([]);
    });

    it('carries a prebuild whose AVX code sits only in the *avx2* kernels', () => {
      const portable = checkPortable(
        join(ROOT, 'build-prebuild'),
        join(ROOT, 'build-prebuild', 'Release', 'fastmlp.node'),
      );
      expect(portable.problems).toEqual([]);
      expect(portable.avxFunctionsInAddon).toBeGreaterThan(0); // the AVX2 kernels are in it
    }, 180_000);

    it('states in README.md the glibc and libstdc++ baseline the prebuild needs', async () => {
      const baseline = systemBaseline(join(a(), 'node_modules', 'fastmlp', prebuildRel));
      const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
      expect(readme).toContain(`glibc ${baseline.glibc}`);
      expect(readme).toContain(`GLIBCXX_${baseline.glibcxx}`);
    });
  });

  describe('A: --ignore-scripts --omit=optional', () => {
    it(`installs fastmlp, csv-parse and node-gyp-build only, in at most ${FOOTPRINT_LIMIT_KIB} KiB`, async () => {
      const names = (await readdir(join(a(), 'node_modules'))).filter((n) => !n.startsWith('.')).sort();
      expect(names).toEqual(['csv-parse', 'fastmlp', 'node-gyp-build']);
      const kib = Number((await ok('du', ['-sk', 'node_modules'], a())).split('\t')[0]);
      console.log(`footprint (du -sk node_modules after --omit=optional): ${kib} KiB`);
      expect(kib).toBeLessThanOrEqual(FOOTPRINT_LIMIT_KIB);
      expect(existsSync(join(a(), 'node_modules', 'fastmlp', 'build'))).toBe(false);
    });

    const TRAIN = `
const info = engineInfo();
const net = new Network({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], seed: 1, engine: 'native' });
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const history = net.fitSync(X, [0, 1, 1, 0], { epochs: 20, batchSize: 4 });
console.log(JSON.stringify({ info, engine: net.engine, epochs: history.loss.length, predictions: net.predict(X).length }));`;

    it('import: the native engine loads from the prebuild and trains', async () => {
      await writeFile(join(a(), 'esm.mjs'), `import { engineInfo, Network } from 'fastmlp';\n${TRAIN}\n`);
      const r = await node(a(), ['esm.mjs']);
      expect(r.stderr).toBe(''); // no fallback warning, no require(esm) warning
      const out = JSON.parse(r.stdout);
      expect(out.info.engine).toBe('native');
      expect(out.info.native).toMatchObject({
        available: true,
        source: 'prebuild',
        path: join(a(), 'node_modules', 'fastmlp', prebuildRel),
        build: 'npm rebuild fastmlp',
      });
      expect(out).toMatchObject({ engine: 'native', epochs: 20, predictions: 4 });
    });

    it('require: the same module as import (one instance), the same prebuild', async () => {
      const script = `const { engineInfo, Network } = require('fastmlp');\n${TRAIN}
import('fastmlp').then((m) => console.log(JSON.stringify({ same: m.Network === Network })));\n`;
      await writeFile(join(a(), 'cjs.cjs'), script);
      const r = await node(a(), ['cjs.cjs']);
      expect(r.stderr).toBe('');
      const [first, second] = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(first.info.native).toMatchObject({ available: true, source: 'prebuild' });
      expect(first).toMatchObject({ engine: 'native', epochs: 20, predictions: 4 });
      expect(second).toEqual({ same: true });
    });

    it('the prebuild dispatches at run time: FASTMLP_FORCE_SCALAR=1 selects the scalar kernels', async () => {
      const probe = `import('fastmlp').then((m) => console.log(m.engineInfo().native.kernel))`;
      const forced = await node(a(), ['-e', probe], cleanEnv({ FASTMLP_FORCE_SCALAR: '1' }));
      expect(forced.stdout.trim()).toBe('scalar');
      const chosen = await node(a(), ['-e', probe]);
      expect(['avx512', 'avx2-fma', 'scalar']).toContain(chosen.stdout.trim());
    });

    // One consumer per module mode; the @ts-expect-error line (type-checked, never run) proves
    // that fastmlp's types were read: were they missing, the directive would be unused, an error.
    const CONSUMER = `import { engineInfo, Network, type EngineInfo } from 'fastmlp';
const info: EngineInfo = engineInfo();
const never = process.argv.length < 0;
// @ts-expect-error: inputs must be a number
if (never) new Network({ inputs: 'two', layers: [{ units: 1 }] });
const net = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], seed: 1 });
net.fitSync([[0, 1]], [1], { epochs: 2 });
console.log(JSON.stringify({ engine: info.engine, source: info.native.source }));
`;
    const MODES = [
      {
        name: 'NodeNext ESM',
        type: 'module',
        module: 'NodeNext',
        resolution: 'NodeNext',
        emits: /from 'fastmlp'/,
      },
      {
        name: 'NodeNext CommonJS',
        type: 'commonjs',
        module: 'NodeNext',
        resolution: 'NodeNext',
        emits: /require\("fastmlp"\)/,
      },
      {
        name: 'classic CommonJS',
        type: 'commonjs',
        module: 'CommonJS',
        resolution: 'Node10',
        emits: /require\("fastmlp"\)/,
      },
    ];
    it.each(MODES)(
      'TypeScript, $name: compiles and runs',
      async ({ name, type, module, resolution, emits }) => {
        const project = join(a(), `ts-${name.replace(/\W+/g, '-').toLowerCase()}`);
        await mkdir(join(project, 'src'), { recursive: true });
        await writeFile(
          join(project, 'package.json'),
          JSON.stringify({ name: 'ts-consumer', private: true, type }),
        );
        const compilerOptions = {
          module,
          moduleResolution: resolution,
          target: 'ES2022',
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
          rootDir: 'src',
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        };
        await writeFile(
          join(project, 'tsconfig.json'),
          JSON.stringify({ compilerOptions, include: ['src'] }),
        );
        await writeFile(join(project, 'src', 'index.ts'), CONSUMER);
        await ok(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
        expect(await readFile(join(project, 'out', 'index.js'), 'utf8')).toMatch(emits);
        const r = await node(project, ['out/index.js']);
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toEqual({ engine: 'native', source: 'prebuild' });
      },
      180_000, // tsc under a loaded machine
    );

    it('a report without vega fails before training, naming the packages to install', async () => {
      const cli = join(a(), 'node_modules', 'fastmlp', 'dist', 'lib', 'cli', 'main.js');
      const r = await node(a(), [
        cli,
        'train',
        '--data',
        'moons',
        '--epochs',
        '2',
        '--out',
        'm.safetensors',
        '--report',
        'r.html',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'fastmlp: writing an HTML report (--report) needs the optional packages vega and vega-lite, which are not installed; install them with: npm install vega vega-lite\n',
      );
      expect(existsSync(join(a(), 'r.html'))).toBe(false);
      expect(existsSync(join(a(), 'm.safetensors'))).toBe(false);
    });
  });

  describe('B: the default install (scripts, optional packages)', () => {
    it('the install script takes the prebuild and builds nothing', async () => {
      expect(installB).toContain(`fastmlp: using the prebuilt native addon ${prebuildRel}; nothing to build`);
      expect(existsSync(join(b(), 'node_modules', 'fastmlp', 'build'))).toBe(false);
      const r = await node(b(), [
        '-e',
        "import('fastmlp').then((m) => console.log(JSON.stringify(m.engineInfo().native)))",
      ]);
      expect(JSON.parse(r.stdout)).toMatchObject({ available: true, source: 'prebuild' });
      const kib = Number((await ok('du', ['-sk', 'node_modules'], b())).split('\t')[0]);
      console.log(`footprint with optional packages (du -sk node_modules): ${kib} KiB`);
    });

    it('writes a report once vega and vega-lite are there', async () => {
      const r = await node(b(), [
        join(b(), 'node_modules', '.bin', 'fastmlp'),
        'train',
        '--data',
        'moons',
        '--epochs',
        '5',
        '--report',
        'r.html',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const html = await readFile(join(b(), 'r.html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2); // loss and accuracy (and the boundary)
    });
  });
});
