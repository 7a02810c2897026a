// What an optimizer's state becomes when the network switches optimizer between fits
// (`net.optimizer = ...`): the slots whose meaning survives the switch are kept, the rest start
// at zero, and the step count (adam's t) goes with the moments it corrects.
import type { OptimizerKind, OptimizerPlan } from './engine/engine.js';
import { stateSize } from './engine/layout.js';
import type { ModelState } from './model-state.js';
import { allocate, copyInto, type FloatSource } from './weights.js';

/** Kinds whose state slots mean the same thing: adam and adamw (m, v), momentum and nesterov (v). */
const FAMILY: Record<OptimizerKind, string> = {
  sgd: 'sgd',
  momentum: 'velocity',
  nesterov: 'velocity',
  adam: 'adam',
  adamw: 'adam',
  rmsprop: 'rmsprop',
};

/**
 * The optimizer state and step count after switching `model` to `next` (P parameters). Kept:
 * everything within a family (same kind; adam <-> adamw; momentum <-> nesterov, whose PyTorch
 * buffer is the same v = momentum v + g); rmsprop's momentum buffer only while momentum stays > 0
 * (while it is 0 the buffer is not updated, so an old one would be stale). Reset otherwise:
 * zeros, and steps 0 so a fresh adam's bias correction starts at t = 1. Returns new arrays when
 * anything changes, from `from` (the network's engine, as its other state: weights.ts allocate);
 * the old ones stay as they were until the caller adopts these.
 */
export function switchOptimizer(
  model: ModelState,
  next: OptimizerPlan,
  P: number,
  from: FloatSource | null = null,
): { state: Float32Array; steps: number } {
  const previous = model.spec.optimizer;
  if (FAMILY[previous.kind] !== FAMILY[next.kind]) {
    return { state: allocate(stateSize(next.kind, P), 'optimizer state', true, from), steps: 0 };
  }
  if (next.kind === 'rmsprop' && !(previous.momentum > 0 && next.momentum > 0)) {
    const state =
      from === null ? model.optimizerState.slice() : copyInto(model.optimizerState, 'optimizer state', from);
    state.fill(0, P, 2 * P); // the momentum buffer starts again
    return { state, steps: model.steps };
  }
  return { state: model.optimizerState, steps: model.steps };
}
