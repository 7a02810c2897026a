// fastmlp's public API, and nothing else.

export * from './data/index.js';
export type {
  ActivationName,
  EngineName,
  LossName,
  OptimizerKind,
  OptimizerPlan,
} from './engine/engine.js';
export { nativeStatus } from './engine/native.js';
export { engineFallbackReason, selectEngine } from './engine/select.js';
export type { InitializerName, InitializerSpec } from './initializers.js';
export type { Features, Targets } from './inputs.js';
export { type Evaluation, type LayerWeights, Network } from './network.js';
export type { InputScaling } from './scaling.js';
export type { NetworkJSON, NetworkMetadata } from './serialize.js';
export type { LayerSpec, NetworkOptions, OptimizerSpec } from './spec.js';
export type { History, StopReason } from './train.js';
export type { EarlyStoppingOptions, EpochLogs, FitOptions } from './train-options.js';
