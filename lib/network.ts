// Network: a multilayer perceptron, as users hold it. A facade over one ModelState (spec,
// parameters, optimizer state, steps, metadata) and whether it is busy; checks every argument
// before any state changes. What computes on the state lives in network-runtime.ts, the fit loop
// in train.ts, data checks in fit-data.ts, weights as arrays in weights.ts, formats in
// serialize.ts and io/.
import { BusyState } from './busy.js';
import { inRange, PREDICT_DEFAULTS, RANGES, SUM_LOSSES, type TaskName } from './engine/contract.js';
import type { EngineName, LossName } from './engine/engine.js';
import { layerPlans, type ParamLayout } from './engine/layout.js';
import { selectEngine } from './engine/select.js';
import { type DataShape, features, trainingData } from './fit-data.js';
import { type Features, type Matrix, type Targets, toTargets, uncheckedMatrix } from './inputs.js';
import { checkExportOptions, type ExportOptions, exportModel } from './io/export.js';
import { loadModel, saveModel } from './io/model-file.js';
import { readPyTorch } from './io/pytorch/read.js';
import { type Evaluation, evaluationOf } from './metrics.js';
import {
  checkClassNames,
  dropoutStream,
  inEngineMemory,
  initialModelState,
  layoutOf,
  type ModelState,
  runOptions,
  shuffleStream,
} from './model-state.js';
import { NetworkRuntime } from './network-runtime.js';
import { switchOptimizer } from './optimizer-switch.js';
import { predictedClasses, toRows } from './outputs.js';
import type { Random } from './random.js';
import { checkScaling, type InputScaling, scaleTargets, unscaleOutputs } from './scaling.js';
import type { ScheduleState } from './schedule.js';
import { checkSchema, encodeRecords, isRecords, type TableSchema } from './schema.js';
import { modelStateFromJSON, modelStateToJSON, type NetworkJSON } from './serialize.js';
import {
  type NetworkOptions,
  type OptimizerSpec,
  type ResolvedOptimizer,
  type ResolvedSpec,
  resolvedOptimizer,
  resolveOptimizer,
  resolveSpec,
} from './spec.js';
import {
  type BatchSource,
  checkStreamOptions,
  isBatchSource,
  StreamFit,
  streamSchema,
  streamValidation,
} from './stream-fit.js';
import { summaryTable } from './summary.js';
import { type FitLoop, type FitTarget, fitLoop, type History, runFit, runFitSync } from './train.js';
import { type FitOptions, type ResolvedFitOptions, resolveFitOptions } from './train-options.js';
import { expectObject, invalidArgument, outOfRange, rejectUnknownKeys } from './validate.js';
import {
  checkLayerWeights,
  checkParameters,
  type LayerWeights,
  type LayerWeightsInput,
  layerWeights,
} from './weights.js';

export type {
  ClassificationEvaluation,
  ClassScores,
  Evaluation,
  MultilabelEvaluation,
  RegressionEvaluation,
} from './metrics.js';
export type { LayerWeights, LayerWeightsInput } from './weights.js';

/** Samples as records: plain objects keyed by feature name (for a network with a schema). */
export type Records = Record<string, unknown>[];

/** predictClasses' options. */
export interface PredictClassesOptions {
  /** binary and multilabel: an output p >= threshold counts as 1: a number in [0, 1]. Default 0.5. */
  threshold?: number;
}

type RunOptions = Pick<NetworkOptions, 'engine' | 'threads'>;

export class Network {
  /** The seed that drew the initial weights and drives every shuffle. */
  readonly seed: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly loss: LossName;
  /** Everything a save keeps; its arrays are the live ones every engine call works on. */
  private readonly model: ModelState;
  private readonly layout: ParamLayout;
  private readonly runtime: NetworkRuntime;
  /** The shuffle stream, live; model.metadata.shuffleState is where it stood when the state came in. */
  private readonly shuffleRandom: Random;
  /** The dropout stream's 4 words, live (the engines advance them); saved as metadata.dropoutState. */
  private readonly dropoutRng: Uint32Array;
  private readonly busy = new BusyState();

  constructor(options: NetworkOptions) {
    // A restored model (load, fromJSON) arrives checked, with its weights: adopted, not drawn.
    const restored = options instanceof Restored ? options.state : null;
    const spec = restored?.spec ?? resolveSpec(options);
    const engine = selectEngine(spec.engine);
    // The weights and optimizer state live in the engine's memory, which the native engine's
    // chunks train in place (weights.ts allocate); nothing outside the network holds them.
    this.model = restored ? inEngineMemory(restored, engine) : initialModelState(spec, engine);
    this.seed = spec.seed;
    this.inputs = spec.inputs;
    this.outputs = spec.layers[spec.layers.length - 1].units;
    this.loss = spec.loss;
    this.layout = layoutOf(spec);
    this.runtime = new NetworkRuntime(this.model, engine);
    this.shuffleRandom = shuffleStream(this.model);
    this.dropoutRng = dropoutStream(this.model);
  }

  /**
   * What the network predicts, from its output layer and loss: 'multiclass' (softmax, or several
   * sigmoid outputs without bce: argmax), 'binary' (one sigmoid output), 'multilabel' (several
   * sigmoid outputs with bce: each label at 0.5) or 'regression' (any other output activation).
   * It decides evaluate's metrics, the training metric in the history and predictClasses.
   */
  get task(): TaskName {
    return this.runtime.task;
  }

  /**
   * huber's delta when the loss is huber (given as `loss: { name: 'huber', delta }`, default
   * 1.0), else null. `loss` stays the loss's name, a string, whatever form the options gave.
   */
  get huberDelta(): number | null {
    return this.loss === 'huber' ? this.model.spec.huberDelta : null;
  }

  /** Which engine runs this network: 'native' (C++ SIMD core) or 'ts' (pure TypeScript). */
  get engine(): EngineName {
    return this.runtime.engineName;
  }

  /** The optimizer with every default filled in (clipNorm / clipValue null when off). */
  get optimizer(): ResolvedOptimizer {
    return resolvedOptimizer(this.model.spec.optimizer);
  }

  /**
   * Changes the optimizer between fits: a name ('sgd') or settings ({ name: 'sgd', learningRate }),
   * checked as the constructor's `optimizer` option (the same defaults: unset fields do not come
   * from the old optimizer). Refused while fit runs; a bad value throws and changes nothing.
   * What carries over (see optimizer-switch.ts): adam <-> adamw keep the moments m, v and the step
   * count; momentum <-> nesterov keep the velocity; rmsprop -> rmsprop keeps the square average
   * (and its momentum buffer while momentum stays > 0); the same kind keeps everything. Any other
   * change starts the new optimizer fresh: zero state, `steps` back to 0.
   */
  set optimizer(value: OptimizerSpec | OptimizerSpec['name']) {
    const plan = this.busy.reading('set optimizer', () => resolveOptimizer(value));
    const { state, steps } = switchOptimizer(this.model, plan, this.layout.size, this.runtime.engine);
    this.runtime.dropTrainers(); // they hold the old plan and state array
    this.model.spec = { ...this.model.spec, optimizer: plan };
    this.model.optimizerState = state;
    this.model.steps = steps;
  }

  /** Each layer's shape, activation, bias and dropout (0: none). */
  get layers(): { inputs: number; units: number; activation: string; useBias: boolean; dropout: number }[] {
    return layerPlans(this.model.spec.layers);
  }

  get parameterCount(): number {
    return this.layout.size;
  }

  /** Optimizer steps taken so far. */
  get steps(): number {
    return this.model.steps;
  }

  /** True while fit() is running. */
  get training(): boolean {
    return this.busy.training;
  }

  /**
   * Per-feature standardization, x' = (x - mean) / std, applied to every input of fit, predict
   * and evaluate (and saved with the model), so callers pass raw features. null: none.
   */
  get inputScaling(): InputScaling | null {
    const scaling = this.model.metadata.inputScaling;
    return scaling && { mean: [...scaling.mean], std: [...scaling.std] };
  }

  set inputScaling(value: InputScaling | null) {
    this.model.metadata.inputScaling = this.busy.reading('set inputScaling', () =>
      value === null ? null : checkScaling(value, this.inputs),
    );
  }

  /**
   * Standardization of a regression network's targets, y' = (y - mean) / std per output, kept
   * with the model: fit trains on standardized targets (so targets in the hundreds train with
   * default settings), predict's outputs come back in the targets' units and evaluate's mae, rmse
   * and r2 are in those units (its loss, like fit's history, is on the standardized targets).
   * fromCSV gives one for a regression target (data.targetScaling). null: none.
   */
  get targetScaling(): InputScaling | null {
    const scaling = this.model.metadata.targetScaling;
    return scaling && { mean: [...scaling.mean], std: [...scaling.std] };
  }

  set targetScaling(value: InputScaling | null) {
    this.model.metadata.targetScaling = this.busy.reading('set targetScaling', () => {
      if (value !== null && this.task !== 'regression') {
        throw invalidArgument('targetScaling', `null for a ${this.task} network (regression only)`, value);
      }
      return value === null ? null : checkScaling(value, this.outputs, 'targetScaling');
    });
  }

  /** Names of the classes (or of the outputs), kept with the model; null: none. */
  get classNames(): string[] | null {
    const names = this.model.metadata.classNames;
    return names && [...names];
  }

  set classNames(value: string[] | null) {
    this.model.metadata.classNames = value === null ? null : checkClassNames(value, this.model.spec);
  }

  /**
   * The table the network was trained from (datasets.fromCSV's `schema`): each feature column's
   * name and kind, the target, the task and the class names. Kept with the model (toJSON, save);
   * with it, predict, predictClasses, predictLabels and evaluate also take records, plain objects
   * keyed by feature name, which are one-hot encoded and filled inside the model. Setting it also
   * sets classNames from it when they are unset. null: none (rows of numbers only).
   */
  get schema(): TableSchema | null {
    const schema = this.model.metadata.schema;
    return schema && (JSON.parse(JSON.stringify(schema)) as TableSchema);
  }

  set schema(value: TableSchema | null) {
    const checked = this.busy.reading('set schema', () =>
      value === null ? null : checkSchema(value, this.inputs),
    );
    this.adoptSchema(checked);
  }

  /** A checked schema becomes the network's, and its class names too when it has none. */
  private adoptSchema(checked: TableSchema | null): void {
    const { metadata, spec } = this.model;
    const names = checked?.classNames;
    const count = spec.layers[spec.layers.length - 1].units;
    if (
      names &&
      metadata.classNames === null &&
      (names.length === count || (count === 1 && names.length === 2))
    ) {
      metadata.classNames = checkClassNames(names, spec);
    }
    metadata.schema = checked;
  }

  /**
   * Trains on the calling thread. Same options and result as fit(); a stream must be a
   * synchronous iterable of batches (or a function returning one): an async one needs fit().
   */
  fitSync(X: Features, y: Targets, options?: FitOptions): History;
  fitSync(source: BatchSource, options?: FitOptions): History;
  fitSync(X: Features | BatchSource, y?: Targets | FitOptions, options?: FitOptions): History {
    // busy before any argument is read: a getter in them must not start a second fit
    this.busy.enter('fit', 'fit');
    this.runtime.fitArrays.begin();
    try {
      if (!isBatchSource(X, y, options)) return runFitSync(this.buildFit(X, y as Targets, options));
      const fit = this.buildStreamFit(X, y as FitOptions | undefined, true);
      try {
        return this.afterStreamFit(X, runFitSync(fit.loop()));
      } finally {
        void fit.close();
      }
    } finally {
      this.runtime.fitArrays.end();
      this.busy.leave();
    }
  }

  /**
   * Trains and resolves with the history. On the native engine each chunk runs off the event
   * loop; on the TS engine the loop yields between chunks. A second fit while one runs, and
   * predict/evaluate during it, are rejected.
   *
   * fit(source, options) trains on a stream instead of arrays: an iterable or async iterable of
   * `{ X, y }` batches (a database cursor, a generator, datasets.streamCSV), or a function
   * returning a fresh one, read again from the start each epoch. Each batch is checked (an error
   * names it: batch[3].X[0]) and scaled like fit's arrays, and rows train in the source's order in
   * batches of batchSize: rows left at the end of a source batch join the next one, so the
   * batches are those of the array fit with shuffle off, whatever sizes the source yields. The
   * epoch's loss and metrics cover every row. Options as for arrays, except what needs the whole
   * data at once: shuffle (shuffle in the source), validationSplit (give validationData),
   * sampleWeight, classWeight, batchSize 'full' and the cosine schedule are refused. A bad batch,
   * or a source that throws, rejects with the network as it was before the fit; an abort ends a
   * long epoch after the current batch. A source with a `schema` (streamCSV's) sets the network's
   * schema when it has none, once the fit completes.
   */
  async fit(X: Features, y: Targets, options?: FitOptions): Promise<History>;
  async fit(source: BatchSource, options?: FitOptions): Promise<History>;
  async fit(X: Features | BatchSource, y?: Targets | FitOptions, options?: FitOptions): Promise<History> {
    this.busy.enter('fit', 'fit'); // as in fitSync; a throw here rejects the promise
    this.runtime.fitArrays.begin();
    // while a chunk runs off the event loop the core writes the weights: not even readable
    const offThread = (running: boolean) => {
      this.busy.state = running ? 'chunk' : 'fit';
    };
    try {
      if (!isBatchSource(X, y, options))
        return await runFit(this.buildFit(X, y as Targets, options), offThread);
      const fit = this.buildStreamFit(X, y as FitOptions | undefined, false);
      try {
        return this.afterStreamFit(X, await runFit(fit.loop(), offThread));
      } finally {
        await fit.close();
      }
    } finally {
      this.runtime.fitArrays.end();
      this.busy.leave();
    }
  }

  /** Outputs for each sample: number[][] for number[][] input, a (rows, outputs) Float32Array for Float32Array input. */
  predict(X: number[][] | Records): number[][];
  predict(X: Float32Array): Float32Array;
  predict(X: Features | Records): number[][] | Float32Array;
  predict(X: Features | Records): number[][] | Float32Array {
    const m = this.busy.reading('predict', () => this.predictRows(X));
    const out = this.runtime.predict(m);
    const { targetScaling } = this.model.metadata;
    if (targetScaling) unscaleOutputs(out, targetScaling);
    return X instanceof Float32Array ? out : toRows(out, m.rows, this.outputs);
  }

  /**
   * Predicted classes, by task: binary 0/1 per sample (p >= threshold); multiclass the class
   * index (first argmax); multilabel a 0/1 row per sample (each label p >= threshold). A
   * regression network has no classes: it throws (use predict).
   */
  predictClasses(X: Features | Records, options?: PredictClassesOptions): number[] | number[][] {
    const task = this.task;
    if (task === 'regression') {
      throw new TypeError(
        `Cannot predict classes with a regression network (output activation '${this.layers[this.layers.length - 1].activation}', loss '${this.loss}'); use predict() for its outputs`,
      );
    }
    const [m, threshold] = this.busy.reading('predict', () => {
      const threshold = predictThreshold(options, task);
      return [this.predictRows(X), threshold] as const;
    });
    const out = this.runtime.predict(m);
    return predictedClasses(task, out, m.rows, this.outputs, threshold);
  }

  /**
   * The predicted class names, one per sample (binary and multiclass networks with classNames,
   * set directly or through schema): predictClasses' indexes mapped through classNames.
   */
  predictLabels(X: Features | Records, options?: PredictClassesOptions): string[] {
    const names = this.model.metadata.classNames;
    if (this.task !== 'binary' && this.task !== 'multiclass') {
      throw new TypeError(`Cannot predict labels with a ${this.task} network; use predict() for its outputs`);
    }
    if (names === null) {
      throw new TypeError('Cannot predict labels without classNames: set net.classNames or net.schema first');
    }
    return (this.predictClasses(X, options) as number[]).map((k) => names[k]);
  }

  /**
   * The loss (as training defines it) and the task's metrics on (X, y); y may also be class
   * names (strings) when the network has classNames.: binary and multiclass
   * accuracy, macro precision/recall/f1, confusionMatrix and perClass; multilabel accuracy (labels
   * right), exactMatch, macro precision/recall/f1 and perLabel; regression mae, rmse and r2.
   */
  evaluate(X: Features | Records, y: Targets | string[]): Evaluation {
    const [m, Y] = this.busy.reading('evaluate', () => {
      const m = features(this.encoded(X, 'X'), 'X', this.shape, null, this.runtime.callArrays);
      return [m, toTargets(this.labelIndexes(y), 'y', m.rows, this.outputs, this.loss)] as const;
    });
    const { targetScaling } = this.model.metadata;
    if (targetScaling === null) return this.runtime.evaluate(m, Y);
    // the loss as training sees it (standardized targets), the metrics in the targets' units
    const out = new Float32Array(m.rows * this.outputs);
    const loss = this.runtime.evaluateInto(m, scaleTargets(Y, targetScaling), null, out);
    unscaleOutputs(out, targetScaling);
    return evaluationOf(this.task, loss, out, Y, m.rows, this.outputs);
  }

  /**
   * The network as a table: one row per layer (units, activation, dropout, parameters, output
   * shape), then the total parameters, optimizer, loss and task.
   */
  summary(): string {
    const { spec } = this.model;
    return summaryTable({
      inputs: this.inputs,
      layers: layerPlans(spec.layers),
      layout: this.layout,
      optimizer: this.optimizer,
      loss: this.loss,
      task: this.task,
    });
  }

  /** A copy of each layer's weights and biases: W (inputs, units) row-major and b, as Float32Arrays. */
  getWeights(): LayerWeights[] {
    this.busy.assertReadable('read weights');
    return layerWeights(this.model.spec.layers, this.layout, this.model.params);
  }

  /**
   * Replaces layer `layer`'s (0-based) weights and biases: W as a Float32Array or number[] of
   * inputs*units values (row-major) or inputs rows of units numbers, b as units numbers (null for a
   * layer without bias). Everything is checked (finite float32 values, lengths) before anything
   * changes; refused while fit runs.
   */
  setWeights(layer: number, weights: LayerWeightsInput): void {
    const { params, spec } = this.model;
    const checked = this.busy.reading('setWeights', () =>
      checkLayerWeights(layer, weights, layerPlans(spec.layers), this.layout),
    );
    params.set(checked.W, checked.w);
    if (checked.bias) params.set(checked.bias, checked.b);
  }

  /** A copy of all parameters in the flat layout (per layer: W row-major, then b). */
  getParameters(): Float32Array {
    this.busy.assertReadable('read parameters');
    return this.model.params.slice();
  }

  /** Replaces all parameters; the array is checked before anything changes. */
  setParameters(values: Float32Array): void {
    const { params } = this.model;
    params.set(this.busy.reading('setParameters', () => checkParameters(values, params.length)));
  }

  /** Frees the engine's workspaces now instead of at garbage collection. The network stays usable. */
  dispose(): void {
    this.busy.assertIdle('dispose');
    this.runtime.dispose();
  }

  /** Architecture, optimizer settings and state, and weights as plain JSON (exact float32 values). */
  toJSON(): NetworkJSON {
    this.busy.assertReadable('serialize');
    return modelStateToJSON(this.toModelState());
  }

  /**
   * Writes the model file (safetensors: weights, with architecture and metadata in its header),
   * durably. The file holds the network as it was when save was called: training that starts
   * while the file is being written does not reach it.
   */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    this.busy.assertReadable('save');
    await saveModel(path, this.toModelState()); // copies the arrays before its first await
  }

  /**
   * Writes the network for another runtime: `{ format: 'onnx' }` an ONNX model (opset 17) that
   * computes what predict computes (input schema fill values and scaling, every layer, target
   * scaling) with a dynamic batch dimension and the class and feature names in its metadata;
   * `{ format: 'pytorch' }` a safetensors state dict of the matching torch.nn.Sequential
   * (`0.weight` [out, in], `0.bias`, activations and dropout as modules of their own) and a
   * Python file beside it (`path` with the extension .py) that builds the Sequential and loads it.
   * Options are checked before anything is written; like save, the file holds the network as it
   * was when export was called, written through a temporary file.
   */
  async export(path: string, options: ExportOptions): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    const checked = checkExportOptions(options);
    this.busy.assertReadable('export');
    await exportModel(path, this.snapshot(), checked);
  }

  /**
   * A network of the given architecture (options as the constructor's) holding the weights of a
   * PyTorch state dict: a safetensors file of the matching torch.nn.Sequential (see export; F32,
   * or F64, F16, BF16 converted to float32). Every tensor's name and shape is checked against the
   * architecture; an extra, missing or misshapen one is an error naming it and the expected
   * shape. inputScaling, targetScaling and classNames come from the file's metadata when it has
   * them (an export's does).
   */
  static async importPyTorch(path: string, options: NetworkOptions): Promise<Network> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    const spec = resolveSpec(options);
    const { params, metadata } = await readPyTorch(path, spec);
    const net = new Network(options);
    net.model.params.set(params);
    Object.assign(net.model.metadata, metadata);
    return net;
  }

  /** Reads a model file written by save(), checking everything before trusting it. */
  static async load(path: string, options: RunOptions = {}): Promise<Network> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    const run = runOptions(options);
    return Network.fromModelState(await loadModel(path), run);
  }

  /** Rebuilds a network from toJSON()'s output (or its JSON text), checking every field first. */
  static fromJSON(json: unknown, options: RunOptions = {}): Network {
    const run = runOptions(options);
    return Network.fromModelState(modelStateFromJSON(json), run);
  }

  /** The network's state: the live arrays (views, not copies), the shuffle stream where it stands. */
  private toModelState(): ModelState {
    const { metadata } = this.model;
    return {
      ...this.model,
      metadata: {
        ...metadata,
        shuffleState: this.shuffleRandom.getState(),
        dropoutState: Array.from(this.dropoutRng),
      },
    };
  }

  /** A copy of the network's state that nothing else changes: export writes it after awaits. */
  private snapshot(): ModelState {
    const state = this.toModelState();
    return {
      ...state,
      params: state.params.slice(),
      optimizerState: state.optimizerState.slice(),
      metadata: structuredClone(state.metadata),
    };
  }

  /** A network that adopts a checked state's arrays (no copy, no initialization). */
  private static fromModelState(state: ModelState, run: Pick<ResolvedSpec, 'engine' | 'threads'>): Network {
    return new Network(new Restored({ ...state, spec: { ...state.spec, ...run } }) as never);
  }

  /** Checks fit's arguments and builds its loop (the network is already busy). */
  private buildFit(X: Features, targets: Targets, options: FitOptions | undefined): FitLoop {
    const opts = this.resolveFit(options);
    const { targetScaling } = this.model.metadata;
    const y = targetScaling ? scaleTargets(targets, targetScaling) : targets;
    const data = trainingData(X, y, opts, this.shape, this.runtime.allocator);
    return fitLoop(this.fitTarget(), data, opts, this.shuffleRandom);
  }

  /** Checks a stream fit's options and source (not its batches: they arrive while it trains). */
  private buildStreamFit(source: BatchSource, options: FitOptions | undefined, sync: boolean): StreamFit {
    const opts = this.resolveFit(options);
    checkStreamOptions(options, opts);
    streamSchema(source, this.inputs); // a source's schema that cannot fit this network: refused now
    const validation = streamValidation(opts, this.shape);
    const { targetScaling } = this.model.metadata;
    return new StreamFit(this.fitTarget(), source, opts, validation, this.shape, targetScaling, sync);
  }

  /** After a stream fit completes: the source's schema becomes the network's when it has none. */
  private afterStreamFit(source: BatchSource, history: History): History {
    const schema = streamSchema(source, this.inputs);
    if (schema && this.model.metadata.schema === null) this.adoptSchema(schema);
    return history;
  }

  /** fit's options with validationData's targets standardized by targetScaling, as training's are. */
  private resolveFit(options: FitOptions | undefined): ResolvedFitOptions {
    const opts = resolveFitOptions(options);
    const { targetScaling } = this.model.metadata;
    if (targetScaling && opts.validationData) {
      const [vX, vy] = opts.validationData;
      opts.validationData = [vX, scaleTargets(vy, targetScaling)];
    }
    return opts;
  }

  /** What the fit loop works on: the network's live buffers, trainers and evaluation. */
  private fitTarget(): FitTarget {
    const { model, runtime } = this;
    return {
      params: model.params,
      state: model.optimizerState,
      steps: model.steps,
      task: this.task,
      classification: this.loss === 'bce' || this.loss === 'cross-entropy',
      trainer: (batchSize: number) => runtime.trainer(batchSize),
      allocator: runtime.allocator,
      copyBuffer: (n: number) => runtime.fitArrays.allocateCopy(n),
      evaluate: (m: Matrix, Y: Float32Array, weights: Float32Array | null) => runtime.evaluate(m, Y, weights),
      evaluateInto: (m: Matrix, Y: Float32Array, weights: Float32Array | null, out: Float32Array) =>
        runtime.evaluateInto(m, Y, weights, out),
      sumLoss: SUM_LOSSES.includes(this.loss),
      advance: (steps: number) => {
        model.steps = steps;
      },
      learningRate: model.spec.optimizer.learningRate,
      rng: model.spec.layers.some((layer) => layer.dropout > 0) ? this.dropoutRng : null,
      scheduleState: model.metadata.scheduleState,
      setScheduleState: (state: ScheduleState | null) => {
        model.metadata.scheduleState = state;
      },
      targetScaling: model.metadata.targetScaling, // history's mae and val_mae in the targets' units
    };
  }

  /**
   * predict's rows: a Float32Array the network does not scale goes on as it is, its values
   * checked by the inference model as its first layer reads each block (NetworkRuntime.predict:
   * no pass over all of X before the model runs); anything else as features() makes it.
   */
  private predictRows(X: Features | Records): Matrix {
    const encoded = this.encoded(X, 'X');
    if (encoded instanceof Float32Array && this.shape.scaling === null) {
      return uncheckedMatrix(encoded, 'X', this.inputs);
    }
    return features(encoded, 'X', this.shape, null, this.runtime.callArrays);
  }

  /** Rows of numbers as they are; records encoded through the schema (an error without one). */
  private encoded(X: Features | Records, name: string): Features {
    if (!isRecords(X)) return X;
    const schema = this.model.metadata.schema;
    if (schema === null) {
      throw invalidArgument(
        `${name}[0]`,
        `an array of ${this.inputs} numbers (a record, an object keyed by feature name, needs a schema: set net.schema = data.schema)`,
        X[0],
      );
    }
    return encodeRecords(schema, X, name, { unknownCategory: schema.unknownCategory }).X;
  }

  /**
   * Class names as indexes into classNames; anything else (and everything when the network has
   * no classNames) as it is, for toTargets to check and name.
   */
  private labelIndexes(y: Targets | string[]): Targets {
    const names = this.model.metadata.classNames;
    if (names === null || !Array.isArray(y) || !y.some((v) => typeof v === 'string')) return y as Targets;
    const index = new Map(names.map((n, k) => [n, k]));
    return y.map((v, i) => {
      if (typeof v !== 'string') return v;
      const k = index.get(v);
      if (k === undefined) throw outOfRange(`y[${i}]`, `one of the classes (${names.join(', ')})`, v);
      return k;
    }) as Targets;
  }

  /** What fit-data's checks need: sizes, loss, and inputScaling to apply (on a copy). */
  private get shape(): DataShape {
    const { inputScaling: scaling } = this.model.metadata;
    const { layers } = this.model.spec;
    const outputActivation = layers[layers.length - 1].activation;
    return { inputs: this.inputs, outputs: this.outputs, loss: this.loss, scaling, outputActivation };
  }
}

/** predictClasses' threshold: options.threshold (binary and multilabel only), else the default (0.5). */
function predictThreshold(options: unknown, task: TaskName): number {
  if (options === undefined) return PREDICT_DEFAULTS.threshold;
  const o = expectObject(options, 'options');
  rejectUnknownKeys(o, ['threshold'], 'predictClasses');
  if (o.threshold === undefined) return PREDICT_DEFAULTS.threshold;
  if (task === 'multiclass') {
    throw new TypeError(
      'Expected no threshold for predictClasses of a multiclass network (its class is the argmax) but received one',
    );
  }
  const range = RANGES.threshold;
  if (typeof o.threshold !== 'number') throw invalidArgument('threshold', range.expected, o.threshold);
  if (!inRange(range, o.threshold)) throw outOfRange('threshold', range.expected, o.threshold);
  return o.threshold;
}

/** A checked ModelState on its way into the constructor (a type no caller outside can make). */
class Restored {
  constructor(readonly state: ModelState) {}
}
