// engineInfo(): which engine 'auto' picks in this process and why, and the native addon's state
// (where it was loaded from, its version, CPU kernel and default threads, or why it is missing
// and the command that builds it). The one public window onto engine selection.
import type { EngineName } from './engine.js';
import { type AddonSource, nativeStatus } from './native.js';
import { chooseEngine } from './select.js';

export interface EngineInfo {
  /** The engine `engine: 'auto'` picks in this process. */
  engine: EngineName;
  /** Why it picks that engine: the addon loads, FASTMLP_ENGINE is set, or why native is missing. */
  reason: string;
  /** The value of FASTMLP_ENGINE, which overrides 'auto', or null when it is not set. */
  forced: string | null;
  native: NativeEngineInfo;
}

export interface NativeEngineInfo {
  /** True when the native addon loads in this process. */
  available: boolean;
  /** Where it was loaded from, or what was tried and the real error. */
  status: string;
  /** The command that builds the addon. */
  build: string;
  /** The addon file that loaded, or null. */
  path: string | null;
  /**
   * Where that file came from: 'local build' (the package's build/Release, from
   * `npm run build:native` or an install that built from source) or 'prebuild' (the binary
   * shipped in prebuilds/<platform>-<arch>/), or null.
   */
  source: AddonSource | null;
  /** The fastmlp version the addon was built as, or null. */
  version: string | null;
  /** The gemm micro-kernel the CPU runs ('avx512', 'avx2-fma', 'neon' or 'scalar'), or null. */
  kernel: string | null;
  /** Threads a native trainer uses when `threads` is not given (hardware threads), or null. */
  defaultThreads: number | null;
}

/**
 * Which engine 'auto' picks and why, and the native addon's state. Throws, like `new Network`
 * would, when FASTMLP_ENGINE holds a bad value or asks for a native engine that is missing.
 */
export function engineInfo(): EngineInfo {
  const choice = chooseEngine('auto');
  const status = nativeStatus();
  const forced = process.env.FASTMLP_ENGINE;
  return {
    engine: choice.engine.name,
    reason: choice.reason,
    forced: forced === undefined || forced === '' ? null : forced,
    native: {
      available: status.available,
      status: status.reason,
      build: status.fix,
      path: status.path ?? null,
      source: status.source ?? null,
      version: status.version ?? null,
      kernel: status.kernel ?? null,
      defaultThreads: status.defaultThreads ?? null,
    },
  };
}
