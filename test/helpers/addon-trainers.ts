// The addon trainers the native engine creates while a test runs, kept so the test can read what
// their trainEpochsAsync calls copied (asyncCopyBytes: native/addon/async_copies.hpp). Used by
// test/88 (a fit copies no X, Y, order or weights) and test/58 (nor params or optimizer state).
import { createRequire } from 'node:module';
import type { Engine } from '../../lib/engine/engine.js';
import {
  adaptAddon,
  addonPath,
  type NativeAddon,
  type NativeTrainer,
  nativeEngine,
  packageRoot,
} from '../../lib/engine/native.js';

/** The addon itself (call only when the native engine is available). */
export function loadAddon(): Required<NativeAddon> {
  return createRequire(import.meta.url)(addonPath(packageRoot() ?? '.')) as Required<NativeAddon>;
}

/**
 * The addon trainers the native engine creates during `run` (its createTrainer wrapped to keep
 * them): their asyncCopyBytes() afterwards is the most any of their calls copied (the copies
 * only grow).
 */
export async function watchTrainers(run: () => Promise<unknown>): Promise<NativeTrainer[]> {
  const addon = loadAddon();
  const engine = nativeEngine() as Engine;
  const original = engine.createTrainer;
  const made: NativeTrainer[] = [];
  engine.createTrainer = (plan, params, state) => {
    const raw = new addon.Trainer(plan, params, state);
    made.push(raw);
    const keep = function Trainer() {
      return raw;
    } as unknown as NativeAddon['Trainer'];
    return adaptAddon({ ...addon, Trainer: keep }).createTrainer(plan, params, state);
  };
  try {
    await run();
  } finally {
    engine.createTrainer = original;
  }
  return made;
}
