// What predict allocates, on every engine: the inference model (Engine.createModel) holds forward
// workspaces sized for the rows asked (steps of 8 rows, up to one block), and on the native
// engine the gemm packing buffers sized by the products run (never beyond the inference
// blocking); on a 12.6M-parameter network they stay within 5% of the parameters' bytes for a
// 1-row and a 1,024-row predict; Network.predict's ArrayBuffers growth in a fresh process stays within the same bound
// (today's measure of the whole first predict; the bench reports peak RSS too). Sizes are the
// model's own report and V8's ArrayBuffer count: exact, never timed, so nothing here can flake.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INFERENCE_BLOCK_ROWS,
  INFERENCE_SMALL_PARAMS,
  INFERENCE_WORKSPACE_SHARE,
  type LayerPlan,
  type ModelPlan,
} from '../lib/engine/engine.js';
import { paramLayout } from '../lib/engine/layout.js';
import { nativeStatus } from '../lib/engine/native.js';
import { engines } from './helpers/engines.js';

const BOUND = 0.05;
const CHILD = fileURLToPath(new URL('../bench/children/first-predict-memory.ts', import.meta.url));

/** 1024-3072-3072-10: 12.6M parameters, 50 MB. */
const LARGE: LayerPlan[] = [
  { inputs: 1024, units: 3072, activation: 'relu', useBias: true },
  { inputs: 3072, units: 3072, activation: 'relu', useBias: true },
  { inputs: 3072, units: 10, activation: 'softmax', useBias: true },
];

const plan = (layers: LayerPlan[]): ModelPlan => ({ layers, loss: 'cross-entropy', threads: 1 });
const inputs = (rows: number): Float32Array =>
  Float32Array.from({ length: rows * 1024 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);

/** Bytes one row of workspace takes: two widest hidden layers and the logits (engine.ts). */
const PER_ROW = (2 * 3072 + 10) * 4;

/**
 * Bytes of the native model's gemm packing buffers after a predict of `rows` (at most a block,
 * threads: 1), from native/core/gemm/blocking.hpp: one B block of KC x NC_INFERENCE floats (the
 * hidden layers have n = 3072 > NC_INFERENCE and k >= KC) and one A block of the rows rounded up
 * to MR, KC deep (MR: the kernel table's panel shape, kPanels12x32 for avx512, kPanels6x16 for
 * the others). None on the TS engine, or when every product takes the direct path (the AVX2
 * kernel's skinny rows, m <= 4).
 */
function packingBytes(engineName: string, rows: number): number {
  const [KC, NC_INFERENCE] = [256, 512];
  const MR = nativeStatus().kernel === 'avx512' ? 12 : 6;
  if (engineName !== 'native') return 0;
  if (rows <= 4 && ['avx2-fma', 'avx512'].includes(nativeStatus().kernel ?? '')) return 0;
  return (KC * NC_INFERENCE + Math.ceil(rows / MR) * MR * KC) * 4;
}

describe.each(engines)('the $name engine: inference workspaces', (engine) => {
  const size = paramLayout(LARGE).size;
  const params = Float32Array.from({ length: size }, (_, i) => ((i % 97) - 48) * 1e-4);
  const block = Math.floor(size / INFERENCE_WORKSPACE_SHARE / (2 * 3072 + 10));

  it('has 12.6M parameters and a block below INFERENCE_BLOCK_ROWS', () => {
    expect(size).toBeGreaterThan(12.5e6);
    expect(size).toBeLessThan(12.7e6);
    expect(size).toBeGreaterThanOrEqual(INFERENCE_SMALL_PARAMS); // not small: the share sets its block
    expect(block).toBeLessThan(INFERENCE_BLOCK_ROWS);
  });

  it('a 1-row predict allocates 8 rows of workspace (and packing), within 5% of the parameters', () => {
    const model = engine.createModel(plan(LARGE), params);
    expect(model.workspaceBytes()).toBe(0);
    const out = new Float32Array(10);
    model.predict(inputs(1), 1, out);
    expect(model.workspaceBytes()).toBe(8 * PER_ROW + packingBytes(engine.name, 1));
    expect(model.workspaceBytes()).toBeLessThanOrEqual(BOUND * params.byteLength);
    expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  // 1,024 rows on the native engine; the TS engine (about 1 s per 20 rows of this network) is
  // asked one row more than a block, which is where the workspace stops growing.
  const many = engine.name === 'native' ? 1024 : block + 1;
  it(`a ${many}-row predict stops at one block, within 5% of the parameters`, () => {
    const model = engine.createModel(plan(LARGE), params);
    const out = new Float32Array(many * 10);
    model.predict(inputs(many), many, out);
    const bytes = block * PER_ROW + packingBytes(engine.name, block);
    expect(model.workspaceBytes()).toBe(bytes);
    expect(model.workspaceBytes()).toBeLessThanOrEqual(BOUND * params.byteLength);
    const one = new Float32Array(10);
    model.predict(inputs(many).subarray((many - 1) * 1024), 1, one);
    // (not bit for bit: a block and a single row may take different gemm paths)
    for (let j = 0; j < 10; j++) expect(one[j]).toBeCloseTo(out[(many - 1) * 10 + j], 5);
    expect(model.workspaceBytes()).toBe(bytes); // reused, never shrunk or regrown
    model.dispose();
  });

  it('Network.predict in a fresh process grows ArrayBuffers by at most 5% of the parameters', () => {
    for (const rows of engine.name === 'native' ? [1, 1024] : [1]) {
      const line = execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', CHILD, engine.name, '1', `${rows}`],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      const result = JSON.parse(line.trim()) as { engine: string; abFraction: number };
      expect(result.engine).toBe(engine.name);
      expect(result.abFraction, `${rows} rows`).toBeLessThanOrEqual(BOUND);
    }
  });
});
