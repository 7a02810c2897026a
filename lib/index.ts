// fastmlp's public API, and nothing else: Network, the data helpers, engineInfo() and the
// public types. Engines, plans and trainers stay internal.

export * from './data/index.js';
export type { TaskName } from './engine/contract.js';
export type { ActivationName, EngineName, LossName, OptimizerKind } from './engine/engine.js';
export { type EngineInfo, engineInfo, type NativeEngineInfo } from './engine/info.js';
export type { AddonSource } from './engine/native.js';
export type { InitializerName, InitializerSpec } from './initializers.js';
export type { Features, Targets } from './inputs.js';
export type { ExportFormatName, ExportOptions } from './io/export.js';
export {
  type ClassificationEvaluation,
  type ClassScores,
  type Evaluation,
  type LayerWeights,
  type LayerWeightsInput,
  type MultilabelEvaluation,
  Network,
  type PredictClassesOptions,
  type Records,
  type RegressionEvaluation,
} from './network.js';
export type { InputScaling } from './scaling.js';
export type {
  CosineScheduleOptions,
  ExponentialScheduleOptions,
  PlateauScheduleOptions,
  ScheduleOptions,
  StepScheduleOptions,
} from './schedule.js';
export type {
  CategoricalFeature,
  EncodeOptions,
  FeatureSchema,
  NumericFeature,
  SchemaTask,
  TableSchema,
} from './schema.js';
export type { NetworkJSON, NetworkMetadata } from './serialize.js';
export type { LayerSpec, LossSpec, NetworkOptions, OptimizerSpec, ResolvedOptimizer } from './spec.js';
export type { Batch, BatchSource } from './stream-fit.js';
export { FIT_SLICE_CHANNEL, type FitSlice, type History, type StopReason } from './train.js';
export type { EarlyStoppingOptions, EpochLogs, FitOptions } from './train-options.js';
