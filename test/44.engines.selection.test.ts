// Engine selection as users see it: engineInfo() says which engine 'auto' picks, why, and the
// native addon's state; 'auto' falling back to TS warns once per process (FASTMLP_NO_NATIVE).
// The fallback runs in a child process on a copy of lib/ whose package has no built addon.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, nativeStatus, packageRoot } from '../lib/engine/native.js';
import { engineInfo } from '../lib/index.js';

const ROOT = join(import.meta.dirname, '..');
const status = nativeStatus();

function withEnv<T>(value: string | undefined, run: () => T): T {
  const saved = process.env.FASTMLP_ENGINE;
  if (value === undefined) delete process.env.FASTMLP_ENGINE;
  else process.env.FASTMLP_ENGINE = value;
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env.FASTMLP_ENGINE;
    else process.env.FASTMLP_ENGINE = saved;
  }
}

describe('engineInfo', () => {
  it('rejects a bad FASTMLP_ENGINE like new Network would', () => {
    expect(() => withEnv('fast', engineInfo)).toThrow(
      new RangeError(
        "Expected one of 'auto', 'native', 'ts' for the environment variable FASTMLP_ENGINE but received 'fast'",
      ),
    );
  });

  it('says FASTMLP_ENGINE=ts overrides auto, and still reports the addon', () => {
    const info = withEnv('ts', engineInfo);
    expect(info.engine).toBe('ts');
    expect(info.reason).toBe('FASTMLP_ENGINE=ts is set');
    expect(info.forced).toBe('ts');
    expect(info.native.available).toBe(status.available);
    expect(info.native.build).toBe('npm run build:native');
  });

  it.runIf(status.available)('names the native engine, its file, version, kernel and threads', () => {
    const info = withEnv(undefined, engineInfo);
    expect(info).toEqual({
      engine: 'native',
      reason: 'the native addon is built and loads',
      forced: null,
      native: {
        available: true,
        status: `loaded ${addonPath(packageRoot()!)} (local build, fastmlp ${info.native.version})`,
        build: 'npm run build:native',
        path: addonPath(packageRoot()!),
        source: 'local build',
        version: status.version,
        kernel: status.kernel,
        defaultThreads: status.defaultThreads,
      },
    });
    expect(info.native.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['avx512', 'avx2-fma', 'neon', 'scalar']).toContain(info.native.kernel);
    expect(info.native.defaultThreads).toBeGreaterThanOrEqual(1);
  });
});

describe('without the native addon', () => {
  let dir: string;
  beforeAll(async () => {
    // a package named fastmlp with lib/ and no build/: the loader finds no addon
    dir = await mkdtemp(join(tmpdir(), 'fastmlp-no-native-'));
    await cp(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await writeFile(join(dir, 'package.json'), '{ "name": "fastmlp", "version": "0.0.0", "type": "module" }');
    await writeFile(join(dir, 'probe.ts'), PROBE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const PROBE = `
import { engineInfo, Network } from './lib/index.js';
const warnings: { code: unknown; name: string; message: string }[] = [];
process.on('warning', (w) => warnings.push({ code: (w as { code?: unknown }).code, name: w.name, message: w.message }));
const options = { inputs: 2, layers: [{ units: 1, activation: 'sigmoid' as const }], seed: 1 };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const explicit = new Network({ ...options, engine: 'ts' }).engine;
await tick();
const afterExplicit = warnings.length;
let native = '';
try {
  new Network({ ...options, engine: 'native' });
} catch (error) {
  native = (error as Error).message;
}
const auto = [new Network(options).engine, new Network({ ...options, engine: 'auto' }).engine];
const info = engineInfo();
await tick();
console.log(JSON.stringify({ explicit, afterExplicit, native, auto, info, warnings }));
`;

  it("'auto' picks TS and warns once per process with code FASTMLP_NO_NATIVE; engineInfo says why", async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '' };
      delete env.FASTMLP_ENGINE;
      execFile(
        process.execPath,
        ['--import', 'tsx', join(dir, 'probe.ts')],
        { cwd: ROOT, env },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    const r = JSON.parse(stdout);
    // node-gyp-build's description of this process (platform, arch, abi, libc...) ends the reason
    const looked = `no local build in ${join(dir, 'build', 'Release')} and no prebuild in ${join(dir, 'prebuilds')} fits platform=${process.platform} arch=${process.arch} runtime=node abi=${process.versions.modules} `;
    const missing = r.info.native.status as string;
    expect(missing.startsWith(looked)).toBe(true);
    expect(missing.endsWith(`node=${process.versions.node} (the native addon was not built)`)).toBe(true);
    expect(r.explicit).toBe('ts');
    expect(r.afterExplicit).toBe(0); // asking for 'ts' is not a fallback
    expect(r.native).toBe(
      `The native engine is not available: ${missing}. Build it with: npm run build:native`,
    );
    expect(r.auto).toEqual(['ts', 'ts']);
    const reason = `using the pure-TypeScript engine because the native engine is not available: ${missing}. Build it with: npm run build:native`;
    expect(r.warnings).toEqual([
      { code: 'FASTMLP_NO_NATIVE', name: 'Warning', message: `fastmlp is ${reason}` },
    ]);
    expect(r.info).toEqual({
      engine: 'ts',
      reason,
      forced: null,
      native: {
        available: false,
        status: missing,
        build: 'npm run build:native',
        path: null,
        source: null,
        version: null,
        kernel: null,
        defaultThreads: null,
      },
    });
  });
});
