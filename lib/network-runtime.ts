// What runs a network's arrays on an engine: the one inference model (predict, evaluate) and one
// trainer per batch size, built on first use over the network's live parameter and optimizer
// buffers, and freed together. Network keeps the state; this keeps what computes on it.
import { type TaskName, taskOf } from './engine/contract.js';
import type { Allocator, Engine, EngineName, InferenceModel, ModelPlan, Trainer } from './engine/engine.js';
import { layerPlans } from './engine/layout.js';
import { selectEngine } from './engine/select.js';
import { FitArrays } from './fit-arrays.js';
import { type Matrix, notFiniteAt } from './inputs.js';
import { type Evaluation, evaluationOf } from './metrics.js';
import type { ModelState } from './model-state.js';

/**
 * The most floats the scratch array of a synchronous call keeps between calls (4 MiB: 1,024 rows
 * of 1,024 inputs); a call that needs more gets an array of its own, dropped after it.
 */
export const SCRATCH_MAX = 1 << 20;

/**
 * Bytes up to which V8 keeps a new typed array's elements inside its own heap object
 * (V8_TYPED_ARRAY_MAX_SIZE_IN_HEAP, 64 in Node 20). Such an array handed to the addon is moved
 * out of the heap on the spot (JSTypedArray::GetBuffer: a malloc, a copy, later a free by the
 * ArrayBuffer sweeper), about 1 us of a one-sample predict's ~6 (perf of `net.predict(row)`).
 * Outputs this small are written into an array off the heap kept by the runtime and returned as
 * a copy (slice: in the heap, no malloc).
 */
export const IN_HEAP_MAX_BYTES = 64;

export class NetworkRuntime {
  /** fit's own arrays; Network.fit brackets each fit with begin() and end(). */
  readonly fitArrays: FitArrays;
  private scratch = new Float32Array(0);
  /** predict's outputs when they fit in IN_HEAP_MAX_BYTES: off the heap (an ArrayBuffer's own store). */
  private readonly smallOut = new Float32Array(new ArrayBuffer(IN_HEAP_MAX_BYTES));
  /**
   * The arrays of one synchronous call (predict, predictClasses, evaluate): the engine's check,
   * and the rows of a number[][] X (or a scaled copy) written into one scratch array reused call
   * after call, so converting rows writes into memory already touched: no allocation, no page
   * faults. Safe because nothing keeps a call's matrix past the call, and a call cannot start
   * while another reads its arguments (BusyState.reading).
   */
  readonly callArrays: Allocator;
  private readonly trainers = new Map<number, Trainer>();
  /** Forward workspaces only, created on the first predict or evaluate. */
  private model: InferenceModel | null = null;

  /** What the network predicts (contract.ts taskOf): decides evaluate's metrics. */
  readonly task: TaskName;

  /**
   * engine: the one the state's arrays were allocated from (Network's constructor), else the
   * spec's.
   */
  constructor(
    private readonly state: ModelState,
    readonly engine: Engine = selectEngine(state.spec.engine),
  ) {
    const { layers, loss } = state.spec;
    const output = layers[layers.length - 1];
    this.task = taskOf(output.activation, output.units, loss);
    this.fitArrays = new FitArrays(engine);
    this.callArrays = {
      allocateFloat32: (n) => this.scratchFloat32(n),
      allocateUint32: (n) => new Uint32Array(n),
      scanFinite: (src, dst) => engine.scanFinite(src, dst),
    };
  }

  get engineName(): EngineName {
    return this.engine.name;
  }

  /** Where fit's own arrays come from: the engine's (Engine.allocateFloat32), recycled from the last fit. */
  get allocator(): Allocator {
    return this.fitArrays;
  }

  /** The trainer for batches of up to `batchSize` rows, over the state's live arrays. */
  trainer(batchSize: number): Trainer {
    const existing = this.trainers.get(batchSize);
    if (existing) return existing;
    const { spec, params, optimizerState } = this.state;
    const trainer = this.engine.createTrainer(
      { ...this.plan(), optimizer: spec.optimizer, batchSize },
      params,
      optimizerState,
    );
    this.trainers.set(batchSize, trainer);
    return trainer;
  }

  /**
   * Outputs of the rows `m`, (rows, outputs) row-major. Rows not checked yet (Matrix.unchecked)
   * are checked by the model as it reads them: the error names the first bad value.
   */
  predict(m: Matrix): Float32Array {
    const n = m.rows * this.outputs;
    if (n > this.smallOut.length) {
      const out = new Float32Array(n); // off the heap already: the engine writes it in place
      this.forward(m, out);
      return out;
    }
    const out = this.smallOut.subarray(0, n);
    this.forward(m, out);
    return out.slice();
  }

  /**
   * Loss (as training defines it) and the task's metrics of the checked rows `m` against targets
   * Y, both weighted by `weights` (checked, one per row) when given.
   */
  evaluate(m: Matrix, Y: Float32Array, weights: Float32Array | null = null): Evaluation {
    const out = new Float32Array(m.rows * this.outputs);
    const loss = this.evaluateInto(m, Y, weights, out);
    return evaluationOf(this.task, loss, out, Y, m.rows, this.outputs, weights);
  }

  /** The loss of the checked rows `m` against Y (weighted when given), their outputs into `out`. */
  evaluateInto(m: Matrix, Y: Float32Array, weights: Float32Array | null, out: Float32Array): number {
    return this.inference().evaluate(m.data, Y, m.rows, out, weights);
  }

  /** Frees the trainers (after the optimizer changed: they hold its plan and state); inference stays. */
  dropTrainers(): void {
    for (const trainer of this.trainers.values()) trainer.dispose();
    this.trainers.clear();
  }

  dispose(): void {
    this.fitArrays.drop();
    for (const trainer of this.trainers.values()) trainer.dispose();
    this.trainers.clear();
    this.model?.dispose();
    this.model = null;
  }

  /** m's outputs into out; checked on the way when m is not yet (NetworkRuntime.predict). */
  private forward(m: Matrix, out: Float32Array): void {
    const model = this.inference();
    if (m.unchecked === undefined) {
      model.predict(m.data, m.rows, out);
      return;
    }
    const bad = model.predictChecked(m.data, m.rows, out);
    if (bad >= 0) throw notFiniteAt(m.unchecked, m.data, m.cols, bad);
  }

  /** n floats of the scratch array (grown to at most SCRATCH_MAX), or a new array beyond that. */
  private scratchFloat32(n: number): Float32Array {
    if (n > SCRATCH_MAX) return new Float32Array(n);
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    // not zeroed: every caller writes all n values before reading any
    return this.scratch.subarray(0, n);
  }

  private get outputs(): number {
    const { layers } = this.state.spec;
    return layers[layers.length - 1].units;
  }

  private inference(): InferenceModel {
    this.model ??= this.engine.createModel(this.plan(), this.state.params);
    return this.model;
  }

  private plan(): ModelPlan {
    const { spec } = this.state;
    return {
      layers: layerPlans(spec.layers),
      loss: spec.loss,
      threads: spec.threads ?? 0,
      huberDelta: spec.huberDelta,
    };
  }
}
