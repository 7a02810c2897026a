// The native engine: loads the addon (the C++ SIMD core) and adapts it to the Engine interface of
// engine.ts. The addon is the package's own build (build/Release/fastmlp.node) when there is one,
// else the prebuilt binary for this platform, arch and libc (prebuilds/, found by node-gyp-build).
// Never throws at import: when no addon loads, nativeEngine() is null and nativeStatus() says what
// was tried, the real error and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ChunkSchedule,
  type Engine,
  type InferenceModel,
  type ModelPlan,
  plainArrays,
  type TrainChunk,
  type Trainer,
  type TrainerPlan,
} from './engine.js';

/** What the addon's info() reports. */
export interface NativeInfo {
  kernel: string;
  defaultThreads: number;
  version: string;
}

/** A chunk as the addon's positional arguments (native/addon/trainer_binding.cpp), in order. */
type TrainArgs = [
  X: Float32Array,
  Y: Float32Array,
  rows: number,
  order: Uint32Array | null,
  epochs: number,
  batchSize: number,
  step: number,
  losses: Float64Array,
  metric?: Float64Array | null,
  schedule?: ChunkSchedule | null,
  rng?: Uint32Array | null,
  learningRates?: Float64Array | null,
  weights?: Float32Array | null,
];

/** The addon's trainer. */
export interface NativeTrainer {
  trainEpochs(...args: TrainArgs): number;
  trainEpochsAsync(...args: TrainArgs): Promise<number>;
  predict(X: Float32Array, rows: number, out: Float32Array): void;
  evaluate(
    X: Float32Array,
    Y: Float32Array,
    rows: number,
    out: Float32Array,
    weights?: Float32Array | null,
  ): number;
  /** Bytes of the copies trainEpochsAsync made of arguments not in the addon's own memory. */
  asyncCopyBytes?(): number;
  dispose(): void;
}

/** The addon's inference model (native/addon/model_binding.cpp). */
export interface NativeModel {
  predict(X: Float32Array, rows: number, out: Float32Array): void;
  /** InferenceModel.predictChecked (native/core/model.hpp); fakes may omit it. */
  predictChecked?(X: Float32Array, rows: number, out: Float32Array): number;
  evaluate(
    X: Float32Array,
    Y: Float32Array,
    rows: number,
    out: Float32Array,
    weights?: Float32Array | null,
  ): number;
  workspaceBytes(): number;
  dispose(): void;
}

/** The addon's surface: what require('fastmlp.node') returns. Tests may fake it. */
export interface NativeAddon {
  gemm: Engine['gemm'];
  info(): NativeInfo;
  /** Zeroed arrays in memory trainEpochsAsync uses in place (shared_blocks.hpp); fakes may omit them. */
  allocateFloat32?(n: number): Float32Array;
  allocateUint32?(n: number): Uint32Array;
  /** Engine.scanFinite (native/addon/finite_binding.cpp); fakes may omit it. */
  scanFinite?(src: Float32Array, dst: Float32Array | null): number;
  Model: new (plan: ModelPlan, params: Float32Array) => NativeModel;
  Trainer: new (plan: TrainerPlan, params: Float32Array, state: Float32Array) => NativeTrainer;
}

/** Where a loaded addon came from: the package's own build, or the prebuilt binary it ships. */
export type AddonSource = 'local build' | 'prebuild';

export interface NativeStatus {
  available: boolean;
  /** Where the addon was loaded from, or what was tried and the real error. */
  reason: string;
  /** The command that builds the addon. */
  fix: string;
  /** 'local build' (build/Release) or 'prebuild' (prebuilds/<platform>-<arch>/), when available. */
  source?: AddonSource;
  /** gemm micro-kernel in use ("avx512", "avx2-fma", "neon" or "scalar"), when available. */
  kernel?: string;
  /** Threads a trainer uses by default (hardware threads), when available. */
  defaultThreads?: number;
  /** The addon file and the version it was built as, when available. */
  path?: string;
  version?: string;
}

/** The command that builds the addon from source: the package's script in a clone of fastmlp,
 * `npm rebuild` (its install script builds when no prebuild fits) where it is installed. */
export function buildCommand(root: string | null): string {
  return root?.split(sep).includes('node_modules') ? 'npm rebuild fastmlp' : 'npm run build:native';
}

/**
 * Arrays shorter than this are scanned for non-finite values in JS: a call into the addon (its
 * guards check the arguments' types and buffers) costs about what JS takes for ~1,000 floats,
 * so a one-sample predict of 784 inputs was 1 us slower through the addon (bench/api-speed.ts).
 */
export const NATIVE_SCAN_MIN = 1 << 14;

/** Wraps an addon (real or fake) as an Engine. */
export function adaptAddon(addon: NativeAddon): Engine {
  return {
    name: 'native',
    gemm(transA, transB, m, n, k, alpha, A, B, beta, C) {
      addon.gemm(transA, transB, m, n, k, alpha, A, B, beta, C);
    },
    createModel(plan, params): InferenceModel {
      const m = new addon.Model(plan, params);
      return {
        predict: (X, rows, out) => m.predict(X, rows, out),
        predictChecked(X, rows, out) {
          if (m.predictChecked !== undefined) return m.predictChecked(X, rows, out);
          m.predict(X, rows, out); // an addon without it: its arguments checked first, as predict's
          return plainArrays.scanFinite(X.subarray(0, rows * plan.layers[0].inputs), null);
        },
        evaluate: (X, Y, rows, out, weights) => evaluateWith(m, X, Y, rows, out, weights),
        workspaceBytes: () => m.workspaceBytes(),
        dispose: () => m.dispose(),
      };
    },
    createTrainer(plan, params, state): Trainer {
      const t = new addon.Trainer(plan, params, state);
      return {
        runsOffThread: true, // trainEpochsAsync runs on a libuv worker (AsyncWorker)
        trainEpochs: (c) => t.trainEpochs(...positional(c)),
        trainEpochsAsync(c) {
          try {
            return t.trainEpochsAsync(...positional(c));
          } catch (error) {
            return Promise.reject(error); // argument errors settle the promise like training errors
          }
        },
        predict: (X, rows, out) => t.predict(X, rows, out),
        evaluate: (X, Y, rows, out, weights) => evaluateWith(t, X, Y, rows, out, weights),
        dispose: () => t.dispose(),
      };
    },
    allocateFloat32: (n) => (addon.allocateFloat32 ?? plainArrays.allocateFloat32)(n),
    allocateUint32: (n) => (addon.allocateUint32 ?? plainArrays.allocateUint32)(n),
    scanFinite(src, dst) {
      // a short array is checked sooner in JS than the addon's argument guards run
      if (addon.scanFinite === undefined || src.length < NATIVE_SCAN_MIN)
        return plainArrays.scanFinite(src, dst);
      return addon.scanFinite(src, dst);
    },
  };
}

/** The directory whose package.json is named "fastmlp", walking up from this file. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'fastmlp') return dir;
      } catch {
        // an unreadable package.json is not ours: keep walking up
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The local build's addon file (npm run build:native), whether or not it exists. */
export function addonPath(root: string): string {
  return join(root, 'build', 'Release', 'fastmlp.node');
}

/** node-gyp-build's resolver (a CommonJS package without type declarations). */
interface NodeGypBuild {
  resolve(dir: string): string;
}

/**
 * The addon this process should load, in node-gyp-build's order: a local build (build/Release,
 * then build/Debug), else the prebuild in prebuilds/<platform>-<arch>/ whose tags (napi, libc)
 * fit this process. Throws, saying what it looked for, when neither exists.
 */
export function locateAddon(root: string): { path: string; source: AddonSource } {
  let path: string;
  try {
    path = (createRequire(import.meta.url)('node-gyp-build') as NodeGypBuild).resolve(root);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const target = /found for (.*)/.exec(message)?.[1]?.trim();
    if (target === undefined) throw error;
    throw new Error(
      `no local build in ${join(root, 'build', 'Release')} and no prebuild in ${join(root, 'prebuilds')} fits ${target}`,
    );
  }
  // prebuilds/<platform>-<arch>/<file>.node (also under FASTMLP_PREBUILD, node-gyp-build's override)
  return { path, source: basename(dirname(dirname(path))) === 'prebuilds' ? 'prebuild' : 'local build' };
}

interface Loaded {
  engine: Engine | null;
  status: NativeStatus;
}

let loaded: Loaded | null = null;

function load(): Loaded {
  const root = packageRoot();
  const fix = buildCommand(root);
  if (root === null) {
    const where = fileURLToPath(import.meta.url);
    return unavailable(`no package.json named "fastmlp" above ${where}`, fix);
  }
  let located: { path: string; source: AddonSource };
  try {
    located = locateAddon(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return unavailable(`${reason} (the native addon was not built)`, fix);
  }
  const { path, source } = located;
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const info = addon.info();
    return {
      engine: adaptAddon(addon),
      status: {
        available: true,
        reason: `loaded ${path} (${source}, fastmlp ${info.version})`,
        fix,
        source,
        kernel: info.kernel,
        defaultThreads: info.defaultThreads,
        path,
        version: info.version,
      },
    };
  } catch (error) {
    return unavailable(
      `loading ${path} (${source}) failed: ${error instanceof Error ? error.message : String(error)}`,
      fix,
    );
  }
}

function unavailable(reason: string, fix: string): Loaded {
  return { engine: null, status: { available: false, reason, fix } };
}

/** The native engine, or null when the addon is not built or does not load. Loads once per process. */
export function nativeEngine(): Engine | null {
  loaded ??= load();
  return loaded.engine;
}

/** Whether the native engine is available, why (or why not), and the command that builds it. */
export function nativeStatus(): NativeStatus {
  loaded ??= load();
  return { ...loaded.status };
}

/** A chunk as the addon's positional arguments (native/addon/trainer_binding.cpp). */
function positional(c: TrainChunk): TrainArgs {
  return [
    c.X,
    c.Y,
    c.rows,
    c.order,
    c.epochs,
    c.batchSize,
    c.step,
    c.losses,
    c.metric ?? null,
    c.schedule ?? null,
    c.rng ?? null,
    c.learningRates ?? null,
    c.weights ?? null,
  ];
}

/** evaluate with weights only when given (4 arguments otherwise, as before weights existed). */
function evaluateWith(
  target: Pick<NativeModel, 'evaluate'>,
  X: Float32Array,
  Y: Float32Array,
  rows: number,
  out: Float32Array,
  weights: Float32Array | null | undefined,
): number {
  return weights === undefined || weights === null
    ? target.evaluate(X, Y, rows, out)
    : target.evaluate(X, Y, rows, out, weights);
}
