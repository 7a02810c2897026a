// Leak check: N cycles of create / fit / predict / save / load / predict on every engine (no
// dispose() calls: finalizers must free everything), then a least-squares slope of RSS, JS heap
// and external memory over samples taken after a warm-up, with a PASS/FAIL verdict against
// stated bounds. Threads and open file descriptors must not grow at all.
//
//   npx tsx scripts/leak-check.ts                  # 100,000 cycles
//   npx tsx scripts/leak-check.ts --cycles 5000 --engines native
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type EngineName, engineInfo, Network } from '../lib/index.js';

// --- bounds -----------------------------------------------------------------------------------
// One leaked trainer (workspaces, a thread pool) or one leaked Float32Array of the 4-16-3 model
// costs >= ~1 KB, so a real per-cycle leak shows as a slope of hundreds of bytes per cycle or
// more. A series passes when its slope is within the bound, or when the growth the slope implies
// over the sampled window is within the allocator's noise floor (short runs cannot resolve small
// slopes; the sensitivity printed says what the run could detect).
const BOUND = { rss: 64, heap: 16, external: 16 }; // bytes per cycle
const NOISE = { rss: 4 * 2 ** 20, heap: 2 ** 20, external: 2 ** 20 }; // bytes over the window

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '100000' },
    engines: { type: 'string', default: engineInfo().native.available ? 'ts,native' : 'ts' },
    samples: { type: 'string', default: '40' },
  },
});
const cycles = Number(values.cycles);
const sampleCount = Number(values.samples);
const engines = values.engines.split(',') as EngineName[];
if (!Number.isInteger(cycles) || cycles < 100) throw new RangeError('--cycles must be an integer >= 100');
for (const e of engines) if (e !== 'ts' && e !== 'native') throw new RangeError(`unknown engine '${e}'`);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-leak-'));
const rows = 64;
const X = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(i * 0.61));
const y = Array.from({ length: rows }, (_, r) => r % 3);

async function cycle(i: number, engine: EngineName): Promise<void> {
  const net = new Network({
    inputs: 4,
    layers: [
      { units: 16, activation: 'relu' },
      { units: 3, activation: 'softmax' },
    ],
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: i,
    engine,
  });
  // alternate the async path (AsyncWorker on native) and the synchronous one
  if (i % 2 === 0) await net.fit(X, y, { epochs: 2, batchSize: 16 });
  else net.fitSync(X, y, { epochs: 2, batchSize: 16 });
  net.predict(X);
  const file = join(dir, `model-${engine}.safetensors`);
  await net.save(file);
  const loaded = await Network.load(file, { engine });
  loaded.predict(X);
  loaded.evaluate(X, y);
}

interface Sample {
  cycle: number;
  rss: number;
  heap: number;
  external: number;
  threads: number;
  fds: number;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** After full GCs and a turn of the loop each: N-API finalizers (trainers) run from setImmediate. */
async function sample(at: number): Promise<Sample> {
  for (let i = 0; i < 3; i++) {
    gc();
    await turn();
  }
  const m = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  return {
    cycle: at,
    rss: m.rss,
    heap: m.heapUsed,
    external: m.external + m.arrayBuffers,
    threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0),
    fds: readdirSync('/proc/self/fd').length,
  };
}

/** Least-squares slope of value against cycle, in units per cycle. */
function slope(points: Sample[], key: 'rss' | 'heap' | 'external'): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.cycle, 0) / n;
  const my = points.reduce((s, p) => s + p[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.cycle - mx) * (p[key] - my);
    den += (p.cycle - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

const warmup = Math.max(50, Math.floor(cycles / 10));
const every = Math.max(1, Math.floor((cycles - warmup) / sampleCount));
console.log(
  `leak check: ${cycles} cycles on ${engines.join(' + ')} (create, fit, predict, save, load, predict, evaluate each); ` +
    `warm-up ${warmup} cycles, then a sample every ${every}`,
);
const started = performance.now();
const samples: Sample[] = [];
try {
  for (let i = 1; i <= cycles; i++) {
    for (const engine of engines) await cycle(i, engine);
    if (i >= warmup && (i - warmup) % every === 0) {
      const s = await sample(i);
      samples.push(s);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `cycle ${String(i).padStart(String(cycles).length)}/${cycles}  rss ${mb(s.rss)}  heap ${mb(s.heap)}  ` +
          `external ${mb(s.external)}  threads ${s.threads}  fds ${s.fds}  ${seconds.toFixed(1)} s  ` +
          `(${Math.round(i / seconds)} cycles/s)`,
      );
    } else if (i < warmup && i % Math.max(1, Math.floor(warmup / 5)) === 0) {
      console.log(`cycle ${i}/${cycles} (warm-up, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const seconds = (performance.now() - started) / 1000;
const result = {
  rss: slope(samples, 'rss'),
  heap: slope(samples, 'heap'),
  external: slope(samples, 'external'),
};
const first = samples[0];
const last = samples[samples.length - 1];
const window = last.cycle - first.cycle;
const series: [string, 'rss' | 'heap' | 'external'][] = [
  ['RSS', 'rss'],
  ['JS heap', 'heap'],
  ['external + ArrayBuffers', 'external'],
];
let pass = samples.length >= 3;
console.log(
  `\n${cycles} cycles in ${seconds.toFixed(1)} s (${((seconds / cycles) * 1e3).toFixed(3)} ms per cycle, all engines); ` +
    `${samples.length} samples over cycles ${first.cycle}..${last.cycle}`,
);
for (const [name, key] of series) {
  const value = result[key];
  const ok = value <= BOUND[key] || value * window <= NOISE[key];
  pass &&= ok;
  const detects = Math.max(BOUND[key], NOISE[key] / Math.max(1, window));
  console.log(
    `${name.padEnd(24)} slope ${value.toFixed(2).padStart(9)} B/cycle  ${mb(first[key])} -> ${mb(last[key])}  ` +
      `(bound ${BOUND[key]} B/cycle or ${mb(NOISE[key])} over the window; this run detects >= ${detects.toFixed(0)} B/cycle)  ` +
      `${ok ? 'ok' : 'TOO STEEP'}`,
  );
}
const threadsFlat = last.threads <= first.threads;
const fdsFlat = last.fds <= first.fds;
pass &&= threadsFlat && fdsFlat;
console.log(`threads ${first.threads} -> ${last.threads} ${threadsFlat ? 'ok' : 'GREW'}`);
console.log(`open fds ${first.fds} -> ${last.fds} ${fdsFlat ? 'ok' : 'GREW'}`);
console.log(pass ? 'PASS' : 'FAIL');
process.exitCode = pass ? 0 : 1;
