// The map of engines the benchmark drives, and how a child process loads one. fastmlp's native
// engine (1 and 2 threads) and TS engine, TensorFlow.js on its cpu and wasm backends, and numpy's
// OpenBLAS as a gemm reference (a Python child, bench/workloads/openblas_gemm.py).
import type { Engine } from '../lib/engine/engine.js';
import type { EngineId, Subject } from './types.js';

export interface EngineDef {
  id: EngineId;
  kind: 'fastmlp' | 'tfjs' | 'python';
  /** Threads asked of the engine (the TrainerPlan's / Network's `threads`, OPENBLAS_NUM_THREADS). */
  threads: number;
  /** Run the child pinned to one core (taskset -c 0): Engine.gemm has no thread count of its own. */
  pinOneCore: boolean;
  note: string;
}

export const ENGINES: Record<EngineId, EngineDef> = {
  'native-1t': {
    id: 'native-1t',
    kind: 'fastmlp',
    threads: 1,
    pinOneCore: true,
    note: "fastmlp C++ core, threads: 1, process pinned to core 0 (Engine.gemm uses the addon's default pool)",
  },
  'native-2t': {
    id: 'native-2t',
    kind: 'fastmlp',
    threads: 2,
    pinOneCore: false,
    note: 'fastmlp C++ core, threads: 2',
  },
  ts: { id: 'ts', kind: 'fastmlp', threads: 1, pinOneCore: false, note: 'fastmlp pure-TypeScript engine' },
  'tfjs-cpu': {
    id: 'tfjs-cpu',
    kind: 'tfjs',
    threads: 1,
    pinOneCore: false,
    note: '@tensorflow/tfjs, cpu backend',
  },
  'tfjs-wasm': {
    id: 'tfjs-wasm',
    kind: 'tfjs',
    threads: 1,
    pinOneCore: false,
    note: '@tensorflow/tfjs-backend-wasm (its .wasm read from node_modules)',
  },
  'openblas-1t': {
    id: 'openblas-1t',
    kind: 'python',
    threads: 1,
    pinOneCore: false,
    note: 'numpy matmul on OpenBLAS, OPENBLAS_NUM_THREADS=1 (gemm reference)',
  },
  'openblas-2t': {
    id: 'openblas-2t',
    kind: 'python',
    threads: 2,
    pinOneCore: false,
    note: 'numpy matmul on OpenBLAS, OPENBLAS_NUM_THREADS=2 (gemm reference)',
  },
};

export const ENGINE_ORDER = Object.keys(ENGINES) as EngineId[];

/** lib/engine/native.ts as this bench uses it; typed loosely so it builds against any stage of it. */
interface NativeModule {
  nativeEngine?: () => Engine | null;
  nativeStatus?: () => { available?: boolean; reason?: string; fix?: string; kernel?: string };
}

export interface NativeInfo {
  available: boolean;
  reason: string;
  kernel: string | null;
}

export async function nativeInfo(): Promise<NativeInfo & { engine: Engine | null }> {
  let mod: NativeModule;
  try {
    mod = (await import('../lib/engine/native.js')) as unknown as NativeModule;
  } catch (error) {
    return {
      available: false,
      reason: `lib/engine/native.ts failed to load: ${message(error)}`,
      kernel: null,
      engine: null,
    };
  }
  const status = mod.nativeStatus?.() ?? {};
  const fix = status.fix ? ` (build: ${status.fix})` : '';
  if (typeof mod.nativeEngine !== 'function') {
    return {
      available: false,
      reason: `lib/engine/native.ts exports no nativeEngine() yet; nativeStatus: ${status.reason ?? 'n/a'}${fix}`,
      kernel: status.kernel ?? null,
      engine: null,
    };
  }
  const engine = mod.nativeEngine();
  if (!engine) {
    return {
      available: false,
      reason: `${status.reason ?? 'addon not available'}${fix}`,
      kernel: null,
      engine: null,
    };
  }
  return { available: true, reason: 'loaded', kernel: status.kernel ?? null, engine };
}

/** Loads one engine in this (child) process, or says why it cannot. */
export async function loadSubject(id: EngineId): Promise<Subject | { skip: string }> {
  const def = ENGINES[id];
  if (def.kind === 'fastmlp') {
    if (id === 'ts') {
      const { tsEngine } = await import('../lib/engine/ts/index.js');
      return { kind: 'fastmlp', id, engine: tsEngine, choice: 'ts', threads: 1 };
    }
    const native = await nativeInfo();
    if (!native.engine) return { skip: `native addon: ${native.reason}` };
    return { kind: 'fastmlp', id, engine: native.engine, choice: 'native', threads: def.threads };
  }
  if (def.kind === 'tfjs') {
    const backend = id === 'tfjs-wasm' ? 'wasm' : 'cpu';
    try {
      const tf = await import('@tensorflow/tfjs');
      if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
      const ok = await tf.setBackend(backend);
      await tf.ready();
      if (!ok || tf.getBackend() !== backend)
        return { skip: `failed: tf.setBackend('${backend}') returned ${ok}` };
      tf.enableProdMode();
      return { kind: 'tfjs', id, tf, backend };
    } catch (error) {
      const text = message(error);
      return {
        skip: /Cannot find (module|package)/.test(text) ? `not installed: ${text}` : `failed: ${text}`,
      };
    }
  }
  return { skip: 'runs as a Python child, not in node' };
}

export function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
