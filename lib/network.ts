// Network: a multilayer perceptron, as users hold it. A facade over one ModelState (spec,
// parameters, optimizer state, steps, metadata) and whether it is busy; checks every argument
// before any state changes. What computes on the state lives in network-runtime.ts, the fit loop
// in train.ts, data checks in fit-data.ts, weights as arrays in weights.ts, formats in
// serialize.ts and io/.
import { BusyState } from './busy.js';
import type { EngineName, LossName } from './engine/engine.js';
import { layerPlans, type ParamLayout } from './engine/layout.js';
import { type DataShape, features, trainingData } from './fit-data.js';
import { type Features, type Matrix, type Targets, toTargets } from './inputs.js';
import { loadModel, saveModel } from './io/model-file.js';
import {
  checkClassNames,
  initialModelState,
  layoutOf,
  type ModelState,
  runOptions,
  shuffleStream,
} from './model-state.js';
import { NetworkRuntime } from './network-runtime.js';
import { classOf, type Evaluation, toRows } from './outputs.js';
import type { Random } from './random.js';
import { checkScaling, type InputScaling } from './scaling.js';
import { modelStateFromJSON, modelStateToJSON, type NetworkJSON } from './serialize.js';
import { type NetworkOptions, type ResolvedOptimizer, type ResolvedSpec, resolveSpec } from './spec.js';
import { type FitLoop, fitLoop, type History, runFit, runFitSync } from './train.js';
import { type FitOptions, resolveFitOptions } from './train-options.js';
import { invalidArgument } from './validate.js';
import { checkParameters, type LayerWeights, layerWeights } from './weights.js';

export type { Evaluation } from './outputs.js';
export type { LayerWeights } from './weights.js';

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
  private readonly busy = new BusyState();

  constructor(options: NetworkOptions) {
    // A restored model (load, fromJSON) arrives checked, with its weights: adopted, not drawn.
    this.model = options instanceof Restored ? options.state : initialModelState(resolveSpec(options));
    const { spec } = this.model;
    this.seed = spec.seed;
    this.inputs = spec.inputs;
    this.outputs = spec.layers[spec.layers.length - 1].units;
    this.loss = spec.loss;
    this.layout = layoutOf(spec);
    this.runtime = new NetworkRuntime(this.model);
    this.shuffleRandom = shuffleStream(this.model);
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

  get optimizer(): ResolvedOptimizer {
    const { kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay } = this.model.spec.optimizer;
    return { kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay };
  }

  get layers(): { inputs: number; units: number; activation: string; useBias: boolean }[] {
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

  /** Names of the classes (or of the outputs), kept with the model; null: none. */
  get classNames(): string[] | null {
    const names = this.model.metadata.classNames;
    return names && [...names];
  }

  set classNames(value: string[] | null) {
    this.model.metadata.classNames = value === null ? null : checkClassNames(value, this.model.spec);
  }

  /** Trains on the calling thread. Same options and result as fit(). */
  fitSync(X: Features, y: Targets, options?: FitOptions): History {
    // busy before any argument is read: a getter in them must not start a second fit
    this.busy.enter('fit', 'fit');
    try {
      return runFitSync(this.buildFit(X, y, options));
    } finally {
      this.busy.leave();
    }
  }

  /**
   * Trains and resolves with the history. On the native engine each chunk runs off the event
   * loop; on the TS engine the loop yields between chunks. A second fit while one runs, and
   * predict/evaluate during it, are rejected.
   */
  async fit(X: Features, y: Targets, options?: FitOptions): Promise<History> {
    this.busy.enter('fit', 'fit'); // as in fitSync; a throw here rejects the promise
    try {
      // while a chunk runs off the event loop the core writes the weights: not even readable
      return await runFit(this.buildFit(X, y, options), (running) => {
        this.busy.state = running ? 'chunk' : 'fit';
      });
    } finally {
      this.busy.leave();
    }
  }

  /** Outputs for each sample: number[][] for number[][] input, a (rows, outputs) Float32Array for Float32Array input. */
  predict(X: number[][]): number[][];
  predict(X: Float32Array): Float32Array;
  predict(X: Features): number[][] | Float32Array;
  predict(X: Features): number[][] | Float32Array {
    const m = this.busy.reading('predict', () => features(X, 'X', this.shape));
    const out = this.runtime.predict(m);
    return X instanceof Float32Array ? out : toRows(out, m.rows, this.outputs);
  }

  /** Predicted class per sample: argmax of the outputs, or p >= 0.5 for a single output. */
  predictClasses(X: Features): number[] {
    const m = this.busy.reading('predict', () => features(X, 'X', this.shape));
    const out = this.runtime.predict(m);
    return Array.from({ length: m.rows }, (_, r) => classOf(out, r, this.outputs));
  }

  /** Loss (as training defines it) and accuracy on (X, y). */
  evaluate(X: Features, y: Targets): Evaluation {
    const [m, Y] = this.busy.reading('evaluate', () => {
      const m = features(X, 'X', this.shape);
      return [m, toTargets(y, 'y', m.rows, this.outputs, this.loss)] as const;
    });
    return this.runtime.evaluate(m, Y);
  }

  /** A copy of each layer's weights and biases. */
  getWeights(): LayerWeights[] {
    this.busy.assertReadable('read weights');
    return layerWeights(this.model.spec.layers, this.layout, this.model.params);
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
    return { ...this.model, metadata: { ...metadata, shuffleState: this.shuffleRandom.getState() } };
  }

  /** A network that adopts a checked state's arrays (no copy, no initialization). */
  private static fromModelState(state: ModelState, run: Pick<ResolvedSpec, 'engine' | 'threads'>): Network {
    return new Network(new Restored({ ...state, spec: { ...state.spec, ...run } }) as never);
  }

  /** Checks fit's arguments and builds its loop (the network is already busy). */
  private buildFit(X: Features, y: Targets, options: FitOptions | undefined): FitLoop {
    const opts = resolveFitOptions(options);
    const data = trainingData(X, y, opts, this.shape);
    const { model, runtime } = this;
    const target = {
      params: model.params,
      state: model.optimizerState,
      steps: model.steps,
      classification: this.loss === 'bce' || this.loss === 'cross-entropy',
      trainer: (batchSize: number) => runtime.trainer(batchSize),
      evaluate: (m: Matrix, Y: Float32Array, weights: Float32Array | null) => runtime.evaluate(m, Y, weights),
      advance: (steps: number) => {
        model.steps = steps;
      },
    };
    return fitLoop(target, data, opts, this.shuffleRandom);
  }

  /** What fit-data's checks need: sizes, loss, and inputScaling to apply (on a copy). */
  private get shape(): DataShape {
    const { inputScaling: scaling } = this.model.metadata;
    const { layers } = this.model.spec;
    const outputActivation = layers[layers.length - 1].activation;
    return { inputs: this.inputs, outputs: this.outputs, loss: this.loss, scaling, outputActivation };
  }
}

/** A checked ModelState on its way into the constructor (a type no caller outside can make). */
class Restored {
  constructor(readonly state: ModelState) {}
}
