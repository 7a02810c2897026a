// Chooses the engine: 'native' (the C++ addon, an Error with the reason and the fix when it is
// missing), 'ts' (pure TypeScript), or 'auto' (native when it loads, else ts, remembering why).
// 'auto' honours the environment variable FASTMLP_ENGINE (auto | native | ts).
import { ENGINE_CHOICES, type EngineChoice } from './contract.js';
import type { Engine } from './engine.js';
import { nativeEngine, nativeStatus } from './native.js';
import { tsEngine } from './ts/index.js';

export type EngineRequest = EngineChoice;

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

export function selectEngine(requested: EngineRequest = 'auto'): Engine {
  let mode = expectRequest(requested, 'engine');
  const env = process.env.FASTMLP_ENGINE;
  if (mode === 'auto' && env !== undefined && env !== '') {
    mode = expectRequest(env, 'the environment variable FASTMLP_ENGINE');
  }
  if (mode === 'ts') return tsEngine;
  const native = nativeEngine();
  if (native) return native;
  const status = nativeStatus();
  if (mode === 'native') {
    throw new Error(`The native engine is not available: ${status.reason}. Build it with: ${status.fix}`);
  }
  fallbackReason = `using the pure-TypeScript engine because the native engine is not available: ${status.reason}. Build it with: ${status.fix}`;
  return tsEngine;
}

/** Why 'auto' fell back to the TS engine in this process, or null when it never did. */
export function engineFallbackReason(): string | null {
  return fallbackReason;
}
