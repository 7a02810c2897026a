// How the installed package finds its parts, without packing it (test/97 packs and installs):
// optional packages load by name or fail with the command that installs them; the addon is the
// local build, else the prebuild that fits this platform, arch and libc (node-gyp-build's tags);
// package.json's dependencies are exactly what lib/ imports at run time; and the x86-64
// portability check (scripts/portable-check.mjs) recognises AVX instructions.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addonPath, buildCommand, locateAddon, nativeStatus, packageRoot } from '../lib/engine/native.js';
import {
  isMissingPackage,
  loadOptional,
  MISSING_OPTIONAL,
  MissingOptionalPackageError,
  OPTIONAL_FEATURES,
} from '../lib/optional.js';
// @ts-expect-error: a plain .mjs script without declarations
import { checkPortable, isAvxInstruction } from '../scripts/portable-check.mjs';

const ROOT = join(import.meta.dirname, '..');
const status = nativeStatus();
const TUPLE = `${process.platform}-${process.arch}`;
const LIBC = process.platform === 'linux' ? 'glibc' : null; // this machine: not Alpine

describe('optional packages', () => {
  it('a missing package becomes an Error naming it and the install command', async () => {
    const load = () => import('fastmlp-no-such-package' as string);
    const error = await loadOptional('drawing charts', ['fastmlp-no-such-package'], load).catch((e) => e);
    expect(error).toBeInstanceOf(MissingOptionalPackageError);
    expect(error.code).toBe(MISSING_OPTIONAL);
    expect(error.message).toBe(
      'drawing charts needs the optional package fastmlp-no-such-package, which is not installed; install it with: npm install fastmlp-no-such-package',
    );
  });

  it('names every package of the feature when one of them is missing', () => {
    const { purpose, packages } = OPTIONAL_FEATURES.report;
    expect(new MissingOptionalPackageError(purpose, packages).message).toBe(
      'writing an HTML report (--report) needs the optional packages vega and vega-lite, which are not installed; install them with: npm install vega vega-lite',
    );
  });

  it('passes other errors through: a failure inside the package, a missing package it needs', async () => {
    const inner = new TypeError('vega broke');
    await expect(loadOptional('x', ['vega'], () => Promise.reject(inner))).rejects.toBe(inner);
    const theirs = Object.assign(new Error("Cannot find package 'vega-util' imported from /x/vega.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(isMissingPackage(theirs, 'vega')).toBe(false);
    await expect(loadOptional('x', ['vega'], () => Promise.reject(theirs))).rejects.toBe(theirs);
  });

  it('loads a package that is installed', async () => {
    const { purpose, packages } = OPTIONAL_FEATURES.report;
    const [vega] = await loadOptional(purpose, packages, () =>
      Promise.all([import('vega'), import('vega-lite')]),
    );
    expect(typeof vega.View).toBe('function');
  });
});

describe('the CLI without cli-progress', () => {
  it('prints plain lines instead of a bar, after one line naming the package', async () => {
    vi.doMock('../lib/optional.js', async (original) => ({
      ...(await original<typeof import('../lib/optional.js')>()),
      loadProgressBar: () => null,
    }));
    const { Progress } = await import('../lib/cli/progress.js');
    const lines: string[] = [];
    const progress = new Progress({ mode: 'bar', epochs: 2, samples: 10, write: (l) => lines.push(l) });
    progress.epoch(0, { loss: 0.5 });
    progress.epoch(1, { loss: 0.25 });
    progress.stop();
    vi.doUnmock('../lib/optional.js');
    expect(lines[0]).toBe(
      "fastmlp: the CLI's progress bar needs the optional package cli-progress, which is not installed; install it with: npm install cli-progress; printing plain lines",
    );
    expect(lines.slice(1).map((l) => l.replace(/ +[\d,]+ samples\/s$/, ''))).toEqual([
      'epoch 1/2  loss 0.5000',
      'epoch 2/2  loss 0.2500',
    ]);
  });
});

describe('where the addon is found', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-locate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function packageWith(name: string, files: string[]): Promise<string> {
    const root = join(dir, name);
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'package.json'), '{ "name": "fastmlp", "version": "0.0.0" }');
    for (const file of files) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), 'not really an addon');
    }
    return root;
  }

  it('says what it looked for when nothing fits', async () => {
    const root = await packageWith('nothing', ['prebuilds/plan9-sparc/fastmlp.node']);
    expect(() => locateAddon(root)).toThrow(
      `no local build in ${join(root, 'build', 'Release')} and no prebuild in ${join(root, 'prebuilds')} fits platform=${process.platform} arch=${process.arch} runtime=node abi=${process.versions.modules}`,
    );
  });

  it.runIf(LIBC === 'glibc')('skips a prebuild tagged for the other libc', async () => {
    const root = await packageWith('musl-only', [`prebuilds/${TUPLE}/fastmlp.musl.node`]);
    expect(() => locateAddon(root)).toThrow(/no prebuild in .* fits .*libc=glibc/);
  });

  it('takes the prebuild for this platform and arch when there is no local build', async () => {
    const file = `prebuilds/${TUPLE}/${LIBC ? `fastmlp.${LIBC}.node` : 'fastmlp.node'}`;
    const root = await packageWith('prebuild', [file, `prebuilds/${TUPLE}/fastmlp.musl-not-a-tag.txt`]);
    expect(locateAddon(root)).toEqual({ path: join(root, file), source: 'prebuild' });
  });

  it('takes the local build before the prebuild', async () => {
    const root = await packageWith('both', [`prebuilds/${TUPLE}/fastmlp.node`, 'build/Release/fastmlp.node']);
    expect(locateAddon(root)).toEqual({ path: addonPath(root), source: 'local build' });
  });

  it('tells a clone from an installed package in the command that builds the addon', () => {
    expect(buildCommand(ROOT)).toBe('npm run build:native');
    expect(buildCommand(join('/app', 'node_modules', 'fastmlp'))).toBe('npm rebuild fastmlp');
    expect(buildCommand(null)).toBe('npm run build:native');
  });

  it.runIf(status.available)('loads the prebuild and engineInfo() names it (child process)', async () => {
    // a package with lib/ and only a prebuild: a copy of this machine's build in prebuilds/
    const root = join(dir, 'loads');
    await cp(join(ROOT, 'lib'), join(root, 'lib'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    await writeFile(
      join(root, 'package.json'),
      '{ "name": "fastmlp", "version": "0.0.0", "type": "module" }',
    );
    const prebuild = join(root, 'prebuilds', TUPLE, LIBC ? `fastmlp.${LIBC}.node` : 'fastmlp.node');
    await mkdir(join(prebuild, '..'), { recursive: true });
    await copyFile(addonPath(packageRoot()!), prebuild);
    await writeFile(
      join(root, 'probe.ts'),
      "import { engineInfo } from './lib/index.js';\nconsole.log(JSON.stringify(engineInfo()));\n",
    );
    const stdout = await new Promise<string>((resolve, reject) => {
      const env = { ...process.env };
      delete env.FASTMLP_ENGINE;
      execFile(
        process.execPath,
        ['--import', 'tsx', join(root, 'probe.ts')],
        { cwd: ROOT, env },
        (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out)),
      );
    });
    const info = JSON.parse(stdout);
    expect(info.engine).toBe('native');
    expect(info.native).toMatchObject({
      available: true,
      path: prebuild,
      source: 'prebuild',
      kernel: status.kernel,
    });
    expect(info.native.status).toBe(`loaded ${prebuild} (prebuild, fastmlp ${status.version})`);
  });
});

// --- package.json against what lib/ imports

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The packages a source file loads at run time (type-only imports erased by tsc left out). */
function runtimeImports(source: string): string[] {
  const names = new Set<string>();
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // comments
  const statics = text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms);
  const dynamics = text.matchAll(/(?:import|require|createRequire\([^)]*\))\('([^']+)'\)/g);
  for (const m of [...statics, ...dynamics]) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return [...names];
}

describe('package.json', () => {
  it('requires exactly what lib/ loads at run time; optional packages load only through lib/optional.ts', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const optionalLoaders = join(ROOT, 'lib', 'optional.ts');
    const used = new Map<string, string[]>();
    for (const file of await sources(join(ROOT, 'lib'))) {
      for (const name of runtimeImports(await readFile(file, 'utf8'))) {
        used.set(name, [...(used.get(name) ?? []), relative(ROOT, file)]);
      }
    }
    const optional: string[] = Object.values(OPTIONAL_FEATURES).flatMap((f) => [...f.packages]);
    for (const name of optional) expect(Object.keys(pkg.optionalDependencies)).toContain(name);
    const required = [...used.keys()].filter((name) => !optional.includes(name)).sort();
    expect(required).toEqual(Object.keys(pkg.dependencies).sort());
    for (const name of optional) {
      expect({ name, files: used.get(name) ?? [] }).toEqual({
        name,
        files: [relative(ROOT, optionalLoaders)],
      });
    }
  });

  it('exports one ES module to import and require, with its types, on Node versions that require() it', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    // require(esm) is on by default from Node 20.19 and 22.12
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
  });
});

describe('the x86-64 portability check', () => {
  it('tells AVX instructions (VEX mnemonics, ymm/zmm registers) from baseline ones', () => {
    const line = (insn: string) => `   1a2b3:\t${insn}`;
    for (const avx of [
      'vfmadd231ps %ymm1,%ymm2,%ymm0',
      'vzeroupper',
      'vmovss (%rax),%xmm0',
      'vbroadcastss %xmm0,%ymm0',
    ]) {
      expect(isAvxInstruction(line(avx))).toBe(true);
    }
    for (const base of ['movups %xmm0,(%rdi)', 'mulps %xmm1,%xmm0', 'call 1234 <f>', 'ret']) {
      expect(isAvxInstruction(line(base))).toBe(false);
    }
    expect(isAvxInstruction('0000000000001a2b <vfoo>:')).toBe(false);
  });
});

const HAVE_GXX =
  process.platform === 'linux' && process.arch === 'x64' && spawnSync('g++', ['--version']).status === 0;

describe.runIf(HAVE_GXX)('the x86-64 portability check on a small library built here', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-portable-'));
    await writeFile(
      join(dir, 'sum.cpp'),
      'float sum_sq(const float* a, int n) { float s = 0; for (int i = 0; i < n; i++) s += a[i] * a[i]; return s; }\n',
    );
    await writeFile(
      join(dir, 'scale_avx2.cpp'),
      'float sum2(const float* a, int n) { float s = 0; for (int i = 0; i < n; i++) s += 2 * a[i]; return s; }\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function build(baselineFlags: string[]): string {
    const gxx = (args: string[]) => execFileSync('g++', ['-O3', '-fPIC', ...args], { cwd: dir });
    gxx([...baselineFlags, '-c', 'sum.cpp', '-o', 'sum.o']);
    gxx(['-mavx2', '-mfma', '-c', 'scale_avx2.cpp', '-o', 'scale_avx2.o']);
    gxx(['-shared', 'sum.o', 'scale_avx2.o', '-o', 'lib.so']);
    return join(dir, 'lib.so');
  }

  it('passes when only the *avx2* object holds AVX code', () => {
    const result = checkPortable(dir, build([]));
    expect(result).toMatchObject({
      objects: 2,
      avx2Objects: ['scale_avx2.o'],
      avxFunctionsInAddon: 1,
      problems: [],
    });
  });

  it('fails, naming the function, when a baseline file was compiled with AVX2 flags', () => {
    expect(checkPortable(dir, build(['-mavx2', '-mfma'])).problems).toEqual([
      'sum.o: _Z6sum_sqPKfi (a baseline object holds AVX code)',
      'lib.so: _Z6sum_sqPKfi (AVX code outside the *avx2* and *avx512* files)',
    ]);
  });
});
