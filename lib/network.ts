// Network: a multilayer perceptron, as users hold it. Owns the options, the one flat parameter
// buffer and the optimizer state, and whether it is busy; checks every argument before any state
// changes. The fit loop lives in train.ts, data checks in fit-data.ts, weights as arrays in
// weights.ts, serialization in serialize.ts and io/.
import { assertIdle, assertReadable, type Busy } from './busy.js';
import type { EngineName, InferenceModel, LossName, ModelPlan, Trainer } from './engine/engine.js';
import { layerPlans, type ParamLayout, paramLayout, stateSize } from './engine/layout.js';
import { selectEngine } from './engine/select.js';
import { type DataShape, features, trainingData } from './fit-data.js';
import { initializeLayers } from './initializers.js';
import { type Features, type Matrix, type Targets, toTargets } from './inputs.js';
import { loadModel, saveModel } from './io/model-file.js';
import { type ModelState, runOptions } from './model-state.js';
import { accuracy, classOf, type Evaluation, toRows } from './outputs.js';
import { Random } from './random.js';
import { checkScaling, type InputScaling } from './scaling.js';
import { modelStateFromJSON, modelStateToJSON, type NetworkJSON } from './serialize.js';
import { type NetworkOptions, type ResolvedOptimizer, type ResolvedSpec, resolveSpec } from './spec.js';
import { type FitLoop, fitLoop, type History, runFit, runFitSync } from './train.js';
import { type FitOptions, resolveFitOptions } from './train-options.js';
import { invalidArgument } from './validate.js';
import { allocate, checkClassNames, checkParameters, type LayerWeights, layerWeights } from './weights.js';

export type { Evaluation } from './outputs.js';
export type { LayerWeights } from './weights.js';

export class Network {
  /** The seed that drew the initial weights and drives every shuffle. */
  readonly seed: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly loss: LossName;
  private readonly spec: ResolvedSpec;
  private readonly layout: ParamLayout;
  private readonly params: Float32Array;
  private readonly state: Float32Array;
  private readonly engineImpl;
  private readonly shuffleRandom: Random;
  private readonly trainers = new Map<number, Trainer>();
  /** predict / evaluate run here: forward workspaces only, created on the first call. */
  private model: InferenceModel | null = null;
  private step = 0;
  private scaling: InputScaling | null = null;
  private names: string[] | null = null;
  private busy: Busy = null;

  constructor(options: NetworkOptions) {
    // A restored model (load, fromJSON) arrives checked, with its weights: adopted, not drawn.
    const restored = options instanceof Restored ? options.state : null;
    const spec = restored ? restored.spec : resolveSpec(options);
    this.spec = spec;
    this.engineImpl = selectEngine(spec.engine);
    this.seed = spec.seed;
    this.inputs = spec.inputs;
    this.outputs = spec.layers[spec.layers.length - 1].units;
    this.loss = spec.loss;
    this.layout = paramLayout(spec.layers);
    this.params = restored ? restored.params : allocate(this.layout.size, 'parameters');
    this.state = restored
      ? restored.optimizerState
      : allocate(stateSize(spec.optimizer.kind, this.layout.size), 'optimizer state');
    if (!restored) initializeLayers(this.params, this.layout, spec.layers, new Random(spec.seed));
    // A separate stream for shuffles, so the weights do not depend on how often fit shuffled.
    this.shuffleRandom = new Random((spec.seed ^ 0x5bd1e995) >>> 0);
  }

  /** Which engine runs this network: 'native' (C++ SIMD core) or 'ts' (pure TypeScript). */
  get engine(): EngineName {
    return this.engineImpl.name;
  }

  get optimizer(): ResolvedOptimizer {
    const { kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay } = this.spec.optimizer;
    return { kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay };
  }

  get layers(): { inputs: number; units: number; activation: string; useBias: boolean }[] {
    return layerPlans(this.spec.layers);
  }

  get parameterCount(): number {
    return this.layout.size;
  }

  /** Optimizer steps taken so far. */
  get steps(): number {
    return this.step;
  }

  /** True while fit() is running. */
  get training(): boolean {
    return this.busy === 'fit' || this.busy === 'chunk';
  }

  /**
   * Per-feature standardization, x' = (x - mean) / std, applied to every input of fit, predict
   * and evaluate (and saved with the model), so callers pass raw features. null: none.
   */
  get inputScaling(): InputScaling | null {
    return this.scaling && { mean: [...this.scaling.mean], std: [...this.scaling.std] };
  }

  set inputScaling(value: InputScaling | null) {
    this.scaling = this.readArguments('set inputScaling', () =>
      value === null ? null : checkScaling(value, this.inputs),
    );
  }

  /** Names of the classes (or of the outputs), kept with the model; null: none. */
  get classNames(): string[] | null {
    return this.names && [...this.names];
  }

  set classNames(value: string[] | null) {
    this.names = checkClassNames(value, this.outputs);
  }

  /** Trains on the calling thread. Same options and result as fit(). */
  fitSync(X: Features, y: Targets, options?: FitOptions): History {
    const loop = this.startFit(X, y, options);
    try {
      return runFitSync(loop);
    } finally {
      this.busy = null;
    }
  }

  /**
   * Trains and resolves with the history. On the native engine each chunk runs off the event
   * loop; on the TS engine the loop yields between chunks. A second fit while one runs, and
   * predict/evaluate during it, are rejected.
   */
  async fit(X: Features, y: Targets, options?: FitOptions): Promise<History> {
    const loop = this.startFit(X, y, options);
    try {
      // while a chunk runs off the event loop the core writes the weights: not even readable
      return await runFit(loop, (running) => {
        this.busy = running ? 'chunk' : 'fit';
      });
    } finally {
      this.busy = null;
    }
  }

  /** Outputs for each sample: number[][] for number[][] input, a (rows, outputs) Float32Array for Float32Array input. */
  predict(X: number[][]): number[][];
  predict(X: Float32Array): Float32Array;
  predict(X: Features): number[][] | Float32Array;
  predict(X: Features): number[][] | Float32Array {
    const m = this.readArguments('predict', () => features(X, 'X', this.shape));
    const out = this.predictMatrix(m);
    return X instanceof Float32Array ? out : toRows(out, m.rows, this.outputs);
  }

  /** Predicted class per sample: argmax of the outputs, or p >= 0.5 for a single output. */
  predictClasses(X: Features): number[] {
    const m = this.readArguments('predict', () => features(X, 'X', this.shape));
    const out = this.predictMatrix(m);
    return Array.from({ length: m.rows }, (_, r) => classOf(out, r, this.outputs));
  }

  /** Loss (as training defines it) and accuracy on (X, y). */
  evaluate(X: Features, y: Targets): Evaluation {
    const [m, Y] = this.readArguments('evaluate', () => {
      const m = features(X, 'X', this.shape);
      return [m, toTargets(y, 'y', m.rows, this.outputs, this.loss)] as const;
    });
    return this.evaluateMatrix(m, Y);
  }

  /** A copy of each layer's weights and biases. */
  getWeights(): LayerWeights[] {
    this.checkReadable('read weights');
    return layerWeights(this.spec.layers, this.layout, this.params);
  }

  /** A copy of all parameters in the flat layout (per layer: W row-major, then b). */
  getParameters(): Float32Array {
    this.checkReadable('read parameters');
    return this.params.slice();
  }

  /** Replaces all parameters; the array is checked before anything changes. */
  setParameters(values: Float32Array): void {
    this.params.set(this.readArguments('setParameters', () => checkParameters(values, this.params.length)));
  }

  /** Frees the engine's workspaces now instead of at garbage collection. The network stays usable. */
  dispose(): void {
    this.checkIdle('dispose');
    for (const trainer of this.trainers.values()) trainer.dispose();
    this.trainers.clear();
    this.model?.dispose();
    this.model = null;
  }

  /** Architecture, optimizer settings and state, and weights as plain JSON (exact float32 values). */
  toJSON(): NetworkJSON {
    this.checkReadable('serialize');
    return modelStateToJSON(this.toModelState());
  }

  /**
   * Writes the model file (safetensors: weights, with architecture and metadata in its header),
   * durably. The file holds the network as it was when save was called: training that starts
   * while the file is being written does not reach it.
   */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    this.checkReadable('save');
    await saveModel(path, this.toModelState()); // copies the arrays before its first await
  }

  /** Reads a model file written by save(), checking everything before trusting it. */
  static async load(
    path: string,
    options: Pick<NetworkOptions, 'engine' | 'threads'> = {},
  ): Promise<Network> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    const run = runOptions(options);
    return Network.fromModelState(await loadModel(path), run);
  }

  /** Rebuilds a network from toJSON()'s output (or its JSON text), checking every field first. */
  static fromJSON(json: unknown, options: Pick<NetworkOptions, 'engine' | 'threads'> = {}): Network {
    const run = runOptions(options);
    return Network.fromModelState(modelStateFromJSON(json), run);
  }

  /** The network's state; params and optimizerState are the live arrays (views, not copies). */
  private toModelState(): ModelState {
    return {
      spec: this.spec,
      params: this.params,
      optimizerState: this.state,
      steps: this.step,
      metadata: {
        inputScaling: this.inputScaling,
        classNames: this.classNames,
        shuffleState: this.shuffleRandom.getState(),
      },
    };
  }

  /** A network that adopts a checked state's arrays (no copy, no initialization). */
  private static fromModelState(state: ModelState, run: Pick<ResolvedSpec, 'engine' | 'threads'>): Network {
    const net = new Network(new Restored({ ...state, spec: { ...state.spec, ...run } }) as never);
    net.step = state.steps;
    net.scaling = state.metadata.inputScaling;
    net.names = state.metadata.classNames;
    if (state.metadata.shuffleState) net.shuffleRandom.setState(state.metadata.shuffleState);
    return net;
  }

  /** Checks fit's arguments and builds its loop; the network is busy from here until fit settles. */
  private startFit(X: Features, y: Targets, options: FitOptions | undefined): FitLoop {
    this.checkIdle('fit');
    // busy before any argument is read: a getter in them must not start a second fit
    this.busy = 'fit';
    try {
      return this.buildFit(X, y, options);
    } catch (error) {
      this.busy = null;
      throw error;
    }
  }

  private buildFit(X: Features, y: Targets, options: FitOptions | undefined): FitLoop {
    const opts = resolveFitOptions(options);
    const data = trainingData(X, y, opts, this.shape);
    const target = {
      params: this.params,
      state: this.state,
      steps: this.step,
      classification: this.loss === 'bce' || this.loss === 'cross-entropy',
      trainer: (batchSize: number) => this.trainer(batchSize),
      evaluate: (m: Matrix, Y: Float32Array) => this.evaluateMatrix(m, Y),
      advance: (steps: number) => {
        this.step = steps;
      },
    };
    return fitLoop(target, data, opts, this.shuffleRandom);
  }

  private trainer(batchSize: number): Trainer {
    const existing = this.trainers.get(batchSize);
    if (existing) return existing;
    const trainer = this.engineImpl.createTrainer(
      { ...this.modelPlan(), optimizer: this.spec.optimizer, batchSize },
      this.params,
      this.state,
    );
    this.trainers.set(batchSize, trainer);
    return trainer;
  }

  /** What fit-data's checks need: sizes, loss, and inputScaling to apply (on a copy). */
  private get shape(): DataShape {
    return { inputs: this.inputs, outputs: this.outputs, loss: this.loss, scaling: this.scaling };
  }

  /** The one inference model of this network (any number of rows, no trainer involved). */
  private inference(): InferenceModel {
    this.model ??= this.engineImpl.createModel(this.modelPlan(), this.params);
    return this.model;
  }

  private modelPlan(): ModelPlan {
    return { layers: layerPlans(this.spec.layers), loss: this.loss, threads: this.spec.threads ?? 0 };
  }

  private predictMatrix(m: Matrix): Float32Array {
    const out = new Float32Array(m.rows * this.outputs);
    this.inference().predict(m.data, m.rows, out);
    return out;
  }

  private evaluateMatrix(m: Matrix, Y: Float32Array): Evaluation {
    const out = new Float32Array(m.rows * this.outputs);
    const loss = this.inference().evaluate(m.data, Y, m.rows, out);
    return { loss, accuracy: accuracy(out, Y, m.rows, this.outputs) };
  }

  /**
   * Runs `read` (which reads and checks a call's arguments) with the network marked busy, so a
   * getter or Proxy in the arguments cannot start fit or change the network while they are read.
   */
  private readArguments<T>(what: string, read: () => T): T {
    this.checkIdle(what);
    this.busy = 'arguments';
    try {
      return read();
    } finally {
      this.busy = null;
    }
  }

  private checkIdle(what: string): void {
    assertIdle(this.busy, what);
  }

  private checkReadable(what: string): void {
    assertReadable(this.busy, what);
  }
}

/** A checked ModelState on its way into the constructor (a type no caller outside can make). */
class Restored {
  constructor(readonly state: ModelState) {}
}
