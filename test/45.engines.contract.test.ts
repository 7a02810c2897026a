// The one contract (lib/engine/contract.ts): its C++ copy is up to date, its codes never change,
// and the spec (resolveSpec), the TS engine (createTrainer) and the native addon (new Trainer)
// reject exactly the same hostile plans with the same error class and accept the same edge values.
// The hostile values are generated from the contract's ranges: each bound and just past it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, test } from 'vitest';
import {
  ACTIVATION_CODES,
  ENGINE_CODES,
  INITIALIZER_CODES,
  LOSS_CODES,
  MAX_PARAMS,
  MAX_UNITS,
  type NumberRange,
  OPTIMIZER_CLIPS,
  OPTIMIZER_CODES,
  OPTIMIZER_NUMBERS,
  RANGES,
  SCHEDULE_CODES,
  TASK_CODES,
} from '../lib/engine/contract.js';
import type { TrainerPlan } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import { addonPath, type NativeAddon, nativeStatus, packageRoot } from '../lib/engine/native.js';
import { tsEngine } from '../lib/engine/ts/index.js';
import { type NetworkOptions, resolveSpec } from '../lib/spec.js';
import { HEADER_PATH, renderContractHeader } from '../scripts/gen-contract.js';

describe('the contract', () => {
  it('native/core/contract.hpp is what `npm run gen:contract` writes from contract.ts', () => {
    expect(readFileSync(HEADER_PATH, 'utf8')).toBe(renderContractHeader());
  });

  it('codes are stable: the engines and the addon switch on them (append, never renumber)', () => {
    expect(ACTIVATION_CODES).toEqual({ sigmoid: 0, relu: 1, tanh: 2, leakyRelu: 3, softmax: 4, linear: 5 });
    expect(LOSS_CODES).toEqual({
      sse: 0,
      'half-sse': 1,
      mse: 2,
      bce: 3,
      'cross-entropy': 4,
      mae: 5,
      huber: 6,
    });
    expect(OPTIMIZER_CODES).toEqual({ sgd: 0, momentum: 1, nesterov: 2, adam: 3, adamw: 4, rmsprop: 5 });
    expect(SCHEDULE_CODES).toEqual({ constant: 0, step: 1, exponential: 2, cosine: 3 });
    expect(Object.values(INITIALIZER_CODES)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Object.values(ENGINE_CODES)).toEqual([0, 1]);
    expect(TASK_CODES).toEqual({ binary: 0, multiclass: 1, multilabel: 2, regression: 3 });
  });
});

// --- hostile plans ------------------------------------------------------------------------------

type Kind = typeof TypeError | typeof RangeError | null;
// biome-ignore lint/suspicious/noExplicitAny: hostile documents are built by writing any value anywhere
type Doc = Record<string, any>;
type Setter = (target: Doc) => void;

/** One value of one field, set in a NetworkOptions (spec) and in a TrainerPlan (plan). */
interface Case {
  what: string;
  /** null: accepted everywhere. */
  expected: Kind;
  /** A word the error message must contain (the field's name). */
  field: string;
  /** null: the spec (or plan) has no such field. */
  spec: Setter | null;
  plan: Setter | null;
}

/** A base network, valid everywhere: 2 inputs, tanh hidden layer of 3, one sigmoid output, bce. */
function baseSpec(): Doc {
  return {
    inputs: 2,
    layers: [
      { units: 3, activation: 'tanh', useBias: true },
      { units: 1, activation: 'sigmoid', useBias: true },
    ],
    loss: 'bce',
    optimizer: {
      name: 'sgd',
      learningRate: 0.1,
      momentum: 0,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
    },
    threads: 1,
    seed: 1,
    engine: 'ts',
  };
}

function basePlan(): Doc {
  return {
    layers: [
      { inputs: 2, units: 3, activation: 'tanh', useBias: true },
      { inputs: 3, units: 1, activation: 'sigmoid', useBias: true },
    ],
    loss: 'bce',
    optimizer: {
      kind: 'sgd',
      learningRate: 0.1,
      momentum: 0,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
      clipNorm: 0,
      clipValue: 0,
    },
    batchSize: 4,
    threads: 1,
  };
}

const bits = new Float64Array(1);
const bitsInt = new BigInt64Array(bits.buffer);
/** The double next to v towards +Infinity (up) or -Infinity (down). */
function nextDouble(v: number, up: boolean): number {
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  bits[0] = v;
  bitsInt[0] += v > 0 === up ? 1n : -1n;
  return bits[0];
}

/** The next float32 above v (v a float32), through its bits. */
function nextFloat32Up(v: number): number {
  if (v === 0) return 2 ** -149;
  const f = new Float32Array([v]);
  const i = new Int32Array(f.buffer);
  i[0] += v > 0 ? 1 : -1;
  return f[0];
}

/** Doubles of magnitude this and up round to float32 Infinity; the next double below rounds to its largest. */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * Each bound of the range, just past it, just inside an open bound, non-finite and wrong-typed
 * values; for a float32 range, the values finite as doubles but not as float32.
 */
function rangeValues(range: NumberRange): [string, unknown, Kind][] {
  const step = (v: number, up: boolean) => (range.integer ? v + (up ? 1 : -1) : nextDouble(v, up));
  const out: [string, unknown, Kind][] = [];
  if (Number.isFinite(range.min)) {
    out.push(['the minimum', range.min, range.minExclusive ? RangeError : null]);
    out.push(['just below the minimum', step(range.min, false), RangeError]);
    // a float32 range: the next double above 0 is 0 as float32, still out
    if (range.minExclusive)
      out.push(['just above an open minimum', step(range.min, true), range.float32 ? RangeError : null]);
    if (range.minExclusive && range.float32)
      out.push(['the next float32 above an open minimum', nextFloat32Up(range.min), null]);
  }
  if (range.float32 && !Number.isFinite(range.max)) {
    out.push(['1e300, finite only as a double', 1e300, RangeError]);
    out.push(['the first double that rounds to float32 Infinity', FLOAT32_OVERFLOW, RangeError]);
    out.push([
      'the last double that rounds to the largest float32',
      nextDouble(FLOAT32_OVERFLOW, false),
      null,
    ]);
  }
  if (range.float32 && !Number.isFinite(range.min)) out.push(['-1e300', -1e300, RangeError]);
  if (Number.isFinite(range.max)) {
    out.push(['the maximum', range.max, range.maxExclusive ? RangeError : null]);
    out.push(['just above the maximum', step(range.max, true), RangeError]);
    if (range.maxExclusive) out.push(['just below an open maximum', step(range.max, false), null]);
  }
  if (range.integer) out.push(['a fraction', range.min + 0.5, RangeError]);
  out.push(['NaN', Number.NaN, RangeError]);
  out.push(['Infinity', Number.POSITIVE_INFINITY, RangeError]);
  out.push(['-Infinity', Number.NEGATIVE_INFINITY, RangeError]);
  out.push(['a numeric string', String(range.min + 1), TypeError]);
  out.push(['null', null, TypeError]);
  out.push(['a boolean', true, TypeError]);
  out.push(['an object', {}, TypeError]);
  return out;
}

const cases: Case[] = [];
function add(
  field: string,
  values: [string, unknown, Kind][],
  spec: (v: unknown) => Setter | null,
  plan: (v: unknown) => Setter,
): void {
  for (const [what, v, expected] of values) {
    cases.push({ what: `${field}: ${what} (${String(v)})`, expected, field, spec: spec(v), plan: plan(v) });
  }
}

for (const key of OPTIMIZER_NUMBERS) {
  add(
    key,
    rangeValues(RANGES[key]),
    (v) => (o) => {
      o.optimizer[key] = v;
    },
    (v) => (p) => {
      p.optimizer[key] = v;
    },
  );
}

add(
  'units',
  rangeValues(RANGES.units),
  (v) => (o) => {
    o.layers[0].units = v;
  },
  (v) => (p) => {
    p.layers[0].units = v;
    p.layers[1].inputs = v;
  },
);

add(
  'inputs',
  rangeValues(RANGES.units),
  (v) => (o) => {
    o.inputs = v;
  },
  (v) => (p) => {
    p.layers[0].inputs = v;
  },
);

// clipNorm, clipValue: unset in the spec and 0 in a plan mean off, so 0 is not a case here (the
// minimum is open: 0 is refused in the spec); it is tested on its own below.
for (const key of OPTIMIZER_CLIPS) {
  add(
    key,
    rangeValues(RANGES[key]).filter(([, v]) => v !== 0),
    (v) => (o) => {
      o.optimizer[key] = v;
    },
    (v) => (p) => {
      p.optimizer[key] = v;
    },
  );
}
add(
  'dropout',
  rangeValues(RANGES.dropout),
  (v) => (o) => {
    o.layers[0].dropout = v;
  },
  (v) => (p) => {
    p.layers[0].dropout = v;
  },
);
// huberDelta: optional in a plan, checked whatever the loss when present (the spec's
// `loss: { name: 'huber', delta }` is test 25's).
add(
  'huberDelta',
  rangeValues(RANGES.huberDelta),
  () => null,
  (v) => (p) => {
    p.huberDelta = v;
  },
);

// threads: a plan's 0 stands for the spec's unset (one per hardware thread), so 0 is not a case
// here; it is tested on its own below.
add(
  'threads',
  rangeValues(RANGES.threads).filter(([, v]) => v !== 0),
  (v) => (o) => {
    o.threads = v;
  },
  (v) => (p) => {
    p.threads = v;
  },
);

// Layer counts: each bound and just past it, with one-unit sigmoid layers.
const layerCount = RANGES.layerCount;
for (const [what, count, expected] of [
  ['no layers', layerCount.min - 1, RangeError],
  ['one layer', layerCount.min, null],
  ['the most layers', layerCount.max, null],
  ['one layer too many', layerCount.max + 1, RangeError],
] as const) {
  cases.push({
    what: `layers: ${what} (${count})`,
    expected,
    field: 'layers',
    spec: (o) => {
      o.layers = Array.from({ length: count }, () => ({ units: 1, activation: 'sigmoid', useBias: true }));
    },
    plan: (p) => {
      p.layers = Array.from({ length: count }, (_, i) => ({
        inputs: i === 0 ? 2 : 1,
        units: 1,
        activation: 'sigmoid',
        useBias: true,
      }));
    },
  });
}

// Names: each table, an unknown name (RangeError) and a wrong type (TypeError).
const names: [string, (o: Doc, v: unknown) => void, (p: Doc, v: unknown) => void][] = [
  ['activation', (o, v) => (o.layers[0].activation = v), (p, v) => (p.layers[0].activation = v)],
  ['loss', (o, v) => (o.loss = v), (p, v) => (p.loss = v)],
  ['optimizer', (o, v) => (o.optimizer.name = v), (p, v) => (p.optimizer.kind = v)],
];
for (const [field, spec, plan] of names) {
  for (const [what, v, expected] of [
    ['an unknown name', 'gelu', RangeError],
    ['a name in the wrong case', 'Tanh', RangeError],
    ['the empty string', '', RangeError],
    ['a code instead of a name', 1, TypeError],
    ['null', null, TypeError],
  ] as const) {
    cases.push({
      what: `${field}: ${what}`,
      expected,
      field,
      spec: (o) => spec(o, v),
      plan: (p) => plan(p, v),
    });
  }
}

cases.push(
  {
    what: 'useBias: a number',
    expected: TypeError,
    field: 'useBias',
    spec: (o) => (o.layers[0].useBias = 1),
    plan: (p) => (p.layers[0].useBias = 1),
  },
  {
    what: 'layers: not an array',
    expected: TypeError,
    field: 'layers',
    spec: (o) => (o.layers = 'dense'),
    plan: (p) => (p.layers = 'dense'),
  },
  {
    what: 'a layer: not an object',
    expected: TypeError,
    field: 'layers[1]',
    spec: (o) => (o.layers[1] = 5),
    plan: (p) => (p.layers[1] = 5),
  },
  {
    what: 'optimizer: not an object',
    expected: TypeError,
    field: 'optimizer',
    spec: (o) => (o.optimizer = 5),
    plan: (p) => (p.optimizer = 5),
  },
  {
    what: "loss 'cross-entropy' with a sigmoid output",
    expected: RangeError,
    field: 'cross-entropy',
    spec: (o) => (o.loss = 'cross-entropy'),
    plan: (p) => (p.loss = 'cross-entropy'),
  },
  {
    what: 'dropout on the output layer',
    expected: RangeError,
    field: 'layers[1].dropout',
    spec: (o) => (o.layers[1].dropout = 0.5),
    plan: (p) => (p.layers[1].dropout = 0.5),
  },
  {
    what: 'dropout 0 on the output layer (no dropout)',
    expected: null,
    field: 'dropout',
    spec: (o) => (o.layers[1].dropout = 0),
    plan: (p) => (p.layers[1].dropout = 0),
  },
  {
    what: "loss 'bce' with a linear output",
    expected: RangeError,
    field: 'bce',
    spec: (o) => (o.layers[1].activation = 'linear'),
    plan: (p) => (p.layers[1].activation = 'linear'),
  },
  {
    what: `parameters: one bias past ${MAX_PARAMS}`,
    expected: RangeError,
    field: 'parameters',
    spec: (o) => {
      o.inputs = MAX_UNITS;
      o.layers = [{ units: MAX_PARAMS / MAX_UNITS, activation: 'sigmoid', useBias: true }];
    },
    plan: (p) => {
      p.layers = [{ inputs: MAX_UNITS, units: MAX_PARAMS / MAX_UNITS, activation: 'sigmoid', useBias: true }];
    },
  },
);

// The plan's own fields (the spec has no batchSize: fit's options carry it).
add(
  'batchSize',
  // the largest batch would need workspaces of 2^31 rows: its acceptance is not tested here
  rangeValues(RANGES.batchSize).filter(([what]) => what !== 'the maximum'),
  () => null,
  (v) => (p) => {
    p.batchSize = v;
  },
);
cases.push({
  what: 'inputs of a layer that differ from the units before',
  expected: RangeError,
  field: 'plan.layers[1].inputs',
  spec: null,
  plan: (p) => (p.layers[1].inputs = 4),
});

// --- the three judges ---------------------------------------------------------------------------

const status = nativeStatus();
const addon = status.available
  ? (createRequire(import.meta.url)(addonPath(packageRoot() ?? '.')) as NativeAddon)
  : null;

test.runIf(!status.available && process.env.CI === 'true')('CI=true requires the native addon', () => {
  expect.fail(`native addon missing under CI=true: ${status.reason}. Fix: ${status.fix}`);
});

/** What a call threw (null when it returned). */
function outcome(run: () => void): Error | null {
  try {
    run();
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Params and state sized for a plan when it is valid; empty ones when not (never read then). */
function buffers(plan: Doc): [Float32Array, Float32Array] {
  try {
    const size = paramLayout(plan.layers).size;
    if (!(size <= 8 * MAX_UNITS)) return [new Float32Array(0), new Float32Array(0)];
    return [new Float32Array(size), new Float32Array(stateSize(plan.optimizer.kind, size))];
  } catch {
    return [new Float32Array(0), new Float32Array(0)];
  }
}

const judges: [string, (c: Case) => (() => void) | null][] = [
  [
    'resolveSpec',
    (c) => {
      if (c.spec === null) return null;
      const o = baseSpec();
      c.spec(o);
      return () => resolveSpec(o as NetworkOptions);
    },
  ],
  [
    'the TS engine',
    (c) => {
      if (c.plan === null) return null;
      const p = basePlan();
      c.plan(p);
      const [params, state] = buffers(p);
      return () => tsEngine.createTrainer(p as TrainerPlan, params, state).dispose();
    },
  ],
];
if (addon) {
  judges.push([
    'the native addon',
    (c) => {
      if (c.plan === null) return null;
      const p = basePlan();
      c.plan(p);
      const [params, state] = buffers(p);
      return () => new addon.Trainer(p as TrainerPlan, params, state).dispose();
    },
  ]);
}

describe.each(judges)('%s judges every hostile plan as the contract says', (_judge, make) => {
  it.each(cases.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const run = make(c);
    if (run === null) return; // this judge has no such field
    const error = outcome(run);
    if (c.expected === null) {
      expect(error).toBeNull();
      return;
    }
    expect(error, 'must be rejected').not.toBeNull();
    expect(error?.constructor, error?.message).toBe(c.expected);
    expect(error?.message).toContain(c.field);
    expect(error?.message).toMatch(/^Expected /);
  });
});

describe('a plan encodes "one thread per hardware thread" as threads 0; a Network as no threads', () => {
  const zero = basePlan();
  zero.threads = 0;
  it('both engines accept plan.threads 0', () => {
    expect(outcome(() => tsEngine.createTrainer(zero as TrainerPlan, ...buffers(zero)).dispose())).toBeNull();
    if (addon)
      expect(outcome(() => new addon.Trainer(zero as TrainerPlan, ...buffers(zero)).dispose())).toBeNull();
  });
  it('the spec rejects threads 0 and takes undefined for it', () => {
    const o = baseSpec();
    o.threads = 0;
    expect(() => resolveSpec(o as NetworkOptions)).toThrow(
      new RangeError(`Expected an integer in 1..${RANGES.threads.max} for threads but received 0`),
    );
    delete o.threads;
    expect(resolveSpec(o as NetworkOptions).threads).toBeNull();
  });
});

describe('a plan encodes "no clipping" as clipNorm / clipValue 0; the options leave them unset', () => {
  for (const key of OPTIMIZER_CLIPS) {
    it(`both engines accept plan.optimizer.${key} 0; the spec rejects 0 and resolves unset to 0`, () => {
      const zero = basePlan();
      zero.optimizer[key] = 0;
      expect(
        outcome(() => tsEngine.createTrainer(zero as TrainerPlan, ...buffers(zero)).dispose()),
      ).toBeNull();
      if (addon)
        expect(outcome(() => new addon.Trainer(zero as TrainerPlan, ...buffers(zero)).dispose())).toBeNull();
      const o = baseSpec();
      o.optimizer[key] = 0;
      expect(() => resolveSpec(o as NetworkOptions)).toThrow(
        new RangeError(`Expected ${RANGES[key].expected} for optimizer.${key} but received 0`),
      );
      delete o.optimizer[key];
      expect(resolveSpec(o as NetworkOptions).optimizer[key]).toBe(0);
    });
  }
});
