// Network: a multilayer perceptron. Owns the one flat parameter buffer and the optimizer state,
// hands whole chunks of training to an engine, and checks every argument before any state
// changes. Serialization lives in serialize.ts, the fit loop in train.ts.
import type {
  EngineName,
  InferenceModel,
  LossName,
  ModelPlan,
  OptimizerPlan,
  Trainer,
} from './engine/engine.js';
import { selectEngine } from './engine/select.js';
import { initializeLayers } from './initializers.js';
import { type Features, type Matrix, type Targets, toMatrix, toTargets } from './inputs.js';
import { loadModel, saveModel } from './io/model-file.js';
import { type ParamLayout, paramLayout, stateSize } from './layout.js';
import { accuracy, classOf, toRows } from './outputs.js';
import { Random } from './random.js';
import { applyScaling, checkScaling, type InputScaling } from './scaling.js';
import { type NetworkJSON, networkToJSON, parseNetworkJSON } from './serialize.js';
import { type NetworkOptions, type ResolvedSpec, resolveSpec } from './spec.js';
import {
  FitSession,
  type History,
  splitValidation,
  type TrainingData,
  type TrainingTarget,
} from './train.js';
import { type FitOptions, type ResolvedFitOptions, resolveFitOptions } from './train-options.js';
import { invalidArgument } from './validate.js';

export interface Evaluation {
  loss: number;
  /** Fraction of samples whose predicted class (argmax, or p >= 0.5 for one output) matches. */
  accuracy: number;
}

export interface LayerWeights {
  /** (inputs, units): W[i][j] connects input i to unit j. */
  W: number[][];
  b: number[] | null;
}

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
  /** null: idle; 'fit': fit runs, between chunks; 'chunk': an async chunk is running in the engine. */
  private busy: 'fit' | 'chunk' | null = null;

  constructor(options: NetworkOptions) {
    const spec = resolveSpec(options);
    const engine = selectEngine(spec.engine);
    this.spec = spec;
    this.seed = spec.seed;
    this.inputs = spec.inputs;
    this.outputs = spec.layers[spec.layers.length - 1].units;
    this.loss = spec.loss;
    this.layout = paramLayout(spec.layers);
    this.params = allocate(this.layout.size, 'parameters');
    this.state = allocate(stateSize(spec.optimizer.kind, this.layout.size), 'optimizer state');
    this.engineImpl = engine;
    initializeLayers(this.params, this.layout, spec.layers, new Random(spec.seed));
    // A separate stream for shuffles, so the weights do not depend on how often fit shuffled.
    this.shuffleRandom = new Random((spec.seed ^ 0x5bd1e995) >>> 0);
  }

  /** Which engine runs this network: 'native' (C++ SIMD core) or 'ts' (pure TypeScript). */
  get engine(): EngineName {
    return this.engineImpl.name;
  }

  get optimizer(): OptimizerPlan {
    return { ...this.spec.optimizer };
  }

  get layers(): { inputs: number; units: number; activation: string; useBias: boolean }[] {
    return this.spec.layers.map(({ inputs, units, activation, useBias }) => ({
      inputs,
      units,
      activation,
      useBias,
    }));
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
    return this.busy !== null;
  }

  /**
   * Per-feature standardization, x' = (x - mean) / std, applied to every input of fit, predict
   * and evaluate (and saved with the model), so callers pass raw features. null: none.
   */
  get inputScaling(): InputScaling | null {
    return this.scaling && { mean: [...this.scaling.mean], std: [...this.scaling.std] };
  }

  set inputScaling(value: InputScaling | null) {
    this.checkIdle('set inputScaling');
    this.scaling = value === null ? null : checkScaling(value, this.inputs);
  }

  /** Names of the classes (or of the outputs), kept with the model; null: none. */
  get classNames(): string[] | null {
    return this.names && [...this.names];
  }

  set classNames(value: string[] | null) {
    const count = this.outputs === 1 ? 2 : this.outputs;
    if (
      value !== null &&
      (!Array.isArray(value) || value.length !== count || !value.every((v) => typeof v === 'string'))
    ) {
      throw invalidArgument('classNames', `an array of ${count} strings or null`, value);
    }
    this.names = value && [...value];
  }

  /** Trains on the calling thread. Same options and result as fit(). */
  fitSync(X: Features, y: Targets, options?: FitOptions): History {
    const session = this.startFit(X, y, options);
    try {
      while (!session.finished) {
        const chunk = session.nextChunk();
        const booked = session.afterChunk(chunk, session.runChunkSync(chunk));
        if (booked) {
          const answer = session.callEpochEnd(booked.epoch, booked.logs);
          if (answer instanceof Promise) {
            throw new TypeError(
              'Expected a synchronous onEpochEnd for fitSync but it returned a Promise; use fit()',
            );
          }
          session.afterCallback(booked.epoch, booked.logs, answer);
        }
      }
      return session.finish();
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
    const session = this.startFit(X, y, options);
    try {
      while (!session.finished) {
        const chunk = session.nextChunk();
        let step: number;
        if (this.engineImpl.name === 'native') {
          this.busy = 'chunk'; // the core writes the weights on another thread until this settles
          step = await session.runChunkAsync(chunk).finally(() => {
            this.busy = 'fit';
          });
        } else {
          step = session.runChunkSync(chunk);
        }
        const booked = session.afterChunk(chunk, step);
        if (booked) {
          const answer = session.callEpochEnd(booked.epoch, booked.logs);
          session.afterCallback(booked.epoch, booked.logs, answer instanceof Promise ? await answer : answer);
        }
        if (this.engineImpl.name === 'ts') await new Promise((resolve) => setImmediate(resolve));
      }
      return session.finish();
    } finally {
      this.busy = null;
    }
  }

  /** Outputs for each sample: number[][] for number[][] input, a (rows, outputs) Float32Array for Float32Array input. */
  predict(X: number[][]): number[][];
  predict(X: Float32Array): Float32Array;
  predict(X: Features): number[][] | Float32Array;
  predict(X: Features): number[][] | Float32Array {
    this.checkIdle('predict');
    const m = this.features(X, 'X');
    const out = this.predictMatrix(m);
    return X instanceof Float32Array ? out : toRows(out, m.rows, this.outputs);
  }

  /** Predicted class per sample: argmax of the outputs, or p >= 0.5 for a single output. */
  predictClasses(X: Features): number[] {
    this.checkIdle('predict');
    const m = this.features(X, 'X');
    const out = this.predictMatrix(m);
    return Array.from({ length: m.rows }, (_, r) => classOf(out, r, this.outputs));
  }

  /** Loss (as training defines it) and accuracy on (X, y). */
  evaluate(X: Features, y: Targets): Evaluation {
    this.checkIdle('evaluate');
    const m = this.features(X, 'X');
    return this.evaluateMatrix(m, toTargets(y, 'y', m.rows, this.outputs, this.loss));
  }

  /** A copy of each layer's weights and biases. */
  getWeights(): LayerWeights[] {
    this.checkReadable('read weights');
    return this.spec.layers.map((layer, i) => {
      const at = this.layout.layers[i];
      const W = Array.from({ length: layer.inputs }, (_, r) =>
        Array.from(this.params.subarray(at.w + r * layer.units, at.w + (r + 1) * layer.units)),
      );
      const b = at.b >= 0 ? Array.from(this.params.subarray(at.b, at.b + layer.units)) : null;
      return { W, b };
    });
  }

  /** A copy of all parameters in the flat layout (per layer: W row-major, then b). */
  getParameters(): Float32Array {
    this.checkReadable('read parameters');
    return this.params.slice();
  }

  /** Replaces all parameters; the array is checked before anything changes. */
  setParameters(values: Float32Array): void {
    this.checkIdle('setParameters');
    if (!(values instanceof Float32Array) || values.length !== this.params.length) {
      throw new TypeError(
        `Expected a Float32Array of ${this.params.length} values for values but received ${values?.constructor?.name}`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new RangeError(`Expected finite numbers for values[${i}]`);
    }
    this.params.set(values);
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
    return networkToJSON(this.spec, this.params, this.state, this.step, {
      inputScaling: this.inputScaling,
      classNames: this.classNames,
      shuffleState: this.shuffleRandom.getState(),
    });
  }

  /** Writes the model file (safetensors: weights, with architecture and metadata in its header). */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    this.checkReadable('save');
    await saveModel(path, this.toJSON());
  }

  /** Reads a model file written by save(), checking everything before trusting it. */
  static async load(
    path: string,
    options: Pick<NetworkOptions, 'engine' | 'threads'> = {},
  ): Promise<Network> {
    if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', 'a file path', path);
    return Network.fromJSON(await loadModel(path), options);
  }

  /** Rebuilds a network from toJSON()'s output (or its JSON text), checking every field first. */
  static fromJSON(json: unknown, options: Pick<NetworkOptions, 'engine' | 'threads'> = {}): Network {
    const parsed = parseNetworkJSON(json, options);
    const net = new Network(parsed.options);
    net.params.set(parsed.params);
    if (parsed.state) net.state.set(parsed.state);
    net.step = parsed.steps;
    if (parsed.metadata.inputScaling) net.inputScaling = parsed.metadata.inputScaling;
    if (parsed.metadata.classNames) net.classNames = parsed.metadata.classNames;
    const shuffle = parsed.metadata.shuffleState;
    if (shuffle !== undefined) {
      if (!Array.isArray(shuffle))
        throw invalidArgument('json.metadata.shuffleState', 'four integers', shuffle);
      net.shuffleRandom.setState(shuffle);
    }
    return net;
  }

  private startFit(X: Features, y: Targets, options: FitOptions | undefined): FitSession {
    this.checkIdle('fit');
    const opts = resolveFitOptions(options);
    const data = this.prepareData(X, y, opts);
    const self = this;
    const target: TrainingTarget = {
      params: this.params,
      state: this.state,
      get step() {
        return self.step;
      },
      set step(value: number) {
        self.step = value;
      },
      classification: this.loss === 'bce' || this.loss === 'cross-entropy',
      trainer: (batchSize) => this.trainer(batchSize),
      evaluate: (m, Y) => this.evaluateMatrix(m, Y),
    };
    const session = new FitSession(target, data, opts, this.shuffleRandom);
    this.busy = 'fit';
    return session;
  }

  private prepareData(X: Features, y: Targets, opts: ResolvedFitOptions): TrainingData {
    // fit owns copies of its data: a caller's Float32Array may be written to, or its buffer
    // transferred, while an async fit still reads it off the event loop.
    const all = this.features(X, 'X', true);
    const Y = toTargets(y, 'y', all.rows, this.outputs, this.loss);
    if (opts.validationData) {
      const vx = this.features(opts.validationData[0], 'validationData[0]', true);
      const vy = toTargets(opts.validationData[1], 'validationData[1]', vx.rows, this.outputs, this.loss);
      return { X: all, Y, validation: { X: vx, Y: vy } };
    }
    if (opts.validationSplit > 0) return splitValidation(all, Y, opts.validationSplit);
    return { X: all, Y, validation: null };
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

  /** The one inference model of this network (any number of rows, no trainer involved). */
  private inference(): InferenceModel {
    this.model ??= this.engineImpl.createModel(this.modelPlan(), this.params);
    return this.model;
  }

  private modelPlan(): ModelPlan {
    return {
      layers: this.spec.layers.map(({ inputs, units, activation, useBias }) => ({
        inputs,
        units,
        activation,
        useBias,
      })),
      loss: this.loss,
      threads: this.spec.threads ?? 0,
    };
  }

  /** Checked row-major inputs, standardized by inputScaling (on a copy) when it is set. */
  private features(X: Features, name: string, ownCopy = false): Matrix {
    const m = toMatrix(X, name, this.inputs);
    const scaling = this.scaling;
    const data = m.data === X && (scaling || ownCopy) ? new Float32Array(m.data) : m.data;
    if (scaling) applyScaling(data, scaling);
    return { ...m, data };
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

  private checkIdle(what: string): void {
    if (this.busy !== null) {
      throw new Error(
        `Cannot ${what} while this network is training (fit() has not settled yet); await it first, or use a copy made with Network.fromJSON(net.toJSON())`,
      );
    }
  }

  /** Reading weights is safe between chunks (in onEpochEnd), not while the core writes them. */
  private checkReadable(what: string): void {
    if (this.busy === 'chunk') {
      throw new Error(
        `Cannot ${what} while this network is training (a chunk is running off the event loop); read it in onEpochEnd or after fit() settles`,
      );
    }
  }
}

function allocate(size: number, what: string): Float32Array {
  try {
    return new Float32Array(size);
  } catch (cause) {
    throw new RangeError(`Could not allocate ${size} floats for the network's ${what}`, { cause });
  }
}
