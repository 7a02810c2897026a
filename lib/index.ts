// fastmlp's public API, and nothing else: Network, the data helpers, engineInfo() and the
// public types. Engines, plans and trainers stay internal.

export * from './data/index.js';
export type { ActivationName, EngineName, LossName, OptimizerKind } from './engine/engine.js';
export { type EngineInfo, engineInfo, type NativeEngineInfo } from './engine/info.js';
export type { InitializerName, InitializerSpec } from './initializers.js';
export type { Features, Targets } from './inputs.js';
export { type Evaluation, type LayerWeights, Network } from './network.js';
export type { InputScaling } from './scaling.js';
export type { NetworkJSON, NetworkMetadata } from './serialize.js';
export type { LayerSpec, LossSpec, NetworkOptions, OptimizerSpec, ResolvedOptimizer } from './spec.js';
export type { History, StopReason } from './train.js';
export type { EarlyStoppingOptions, EpochLogs, FitOptions } from './train-options.js';
