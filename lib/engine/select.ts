// Chooses the engine: 'native' (the C++ addon, an Error with the reason and the fix when it is
// missing), 'ts' (pure TypeScript), or 'auto' (native when it loads, else ts, warning once per
// process why). 'auto' honours the environment variable FASTMLP_ENGINE (auto | native | ts).
import { ENGINE_CHOICES, type EngineChoice } from './contract.js';
import type { Engine } from './engine.js';
import { nativeEngine, nativeStatus } from './native.js';
import { tsEngine } from './ts/index.js';

export type EngineRequest = EngineChoice;

/** The code of the warning 'auto' emits when it falls back to the TS engine. */
export const NO_NATIVE_WARNING = 'FASTMLP_NO_NATIVE';

let fallbackReason: string | null = null;

function expectRequest(value: unknown, name: string): EngineRequest {
  if (typeof value !== 'string' || !ENGINE_CHOICES.includes(value as EngineRequest)) {
    const received = typeof value === 'string' ? `'${value}'` : String(value);
    const expected = ENGINE_CHOICES.map((c) => `'${c}'`).join(', ');
    const Kind = typeof value === 'string' ? RangeError : TypeError;
    throw new Kind(`Expected one of ${expected} for ${name} but received ${received}`);
  }
  return value as EngineRequest;
}

export interface EngineSelection {
  engine: Engine;
  /** Why this engine, in a phrase. */
  reason: string;
  /** True when 'auto' wanted native but it is not available. */
  fellBack: boolean;
}

/** The engine a request resolves to, and why; the Error for 'native' when it is missing. */
export function chooseEngine(requested: EngineRequest = 'auto'): EngineSelection {
  let mode = expectRequest(requested, 'engine');
  const env = process.env.FASTMLP_ENGINE;
  const forced = mode === 'auto' && env !== undefined && env !== '';
  if (forced) mode = expectRequest(env, 'the environment variable FASTMLP_ENGINE');
  const asked = forced ? `FASTMLP_ENGINE=${mode} is set` : `engine '${mode}' was asked for`;
  if (mode === 'ts') return { engine: tsEngine, reason: asked, fellBack: false };
  const native = nativeEngine();
  if (native) {
    const reason = mode === 'native' ? asked : 'the native addon is built and loads';
    return { engine: native, reason, fellBack: false };
  }
  const status = nativeStatus();
  if (mode === 'native') {
    throw new Error(`The native engine is not available: ${status.reason}. Build it with: ${status.fix}`);
  }
  const reason = `using the pure-TypeScript engine because the native engine is not available: ${status.reason}. Build it with: ${status.fix}`;
  return { engine: tsEngine, reason, fellBack: true };
}

/** The engine for a network; 'auto' falling back to TS says so once per process (a warning). */
export function selectEngine(requested: EngineRequest = 'auto'): Engine {
  const choice = chooseEngine(requested);
  if (choice.fellBack) {
    if (fallbackReason === null) {
      process.emitWarning(`fastmlp is ${choice.reason}`, { code: NO_NATIVE_WARNING });
    }
    fallbackReason = choice.reason;
  }
  return choice.engine;
}

/** Why 'auto' fell back to the TS engine in this process, or null when it never did. */
export function engineFallbackReason(): string | null {
  return fallbackReason;
}
