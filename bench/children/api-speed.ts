// One process of bench/api-speed.ts: the public API's costs (issue 13) measured on the fastmlp
// checkout at argv[2] (this one, or an older one for before/after), printed as one JSON line.
//   fit:     one fit() call of 1 epoch over one epoch of a 4-epoch fit, the two fits adjacent
//            (784-128-10 batch 64 on 19,200 rows, and 30-64-64-1 batch 32 on 19,200 rows), and a
//            checksum of the weights those seeded fits leave (the same in both checkouts, or
//            a change altered training), and the 4-epoch fits' samples/s (fitPerS); wide: ms of
//            one fit() call of the bench's wide workload (784-1024-1024-10, Adam, batch 256, 2
//            epochs of 1,024 rows: 8 steps in 2 chunks, where copying ~22 MB of params and Adam
//            state in and out of each chunk showed) and its checksum
//   predict: Network.predict of 1 sample (us), of 1,024 rows from a Float32Array and from
//            number[][] (samples/s), and the engine's own model.predict of the same 1,024 rows;
//            for mnist and tabular, number[][] against Float32Array and two floors for number[][]
//            (rowsAgainstArray): rows copied by TypedArray.prototype.set, and rows only read
// All in CPU time with 1 thread, wall time with more.
//   memory:  peak RSS growth over 3 back-to-back 1-epoch fits, over the bytes of X (Linux)
// Usage: node --expose-gc --import tsx bench/children/api-speed.ts <root> <fit|predict|memory> <threads>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Net = {
  fit(X: unknown, y: unknown, o: object): Promise<unknown>;
  predict(X: unknown): unknown;
  getParameters(): Float32Array;
  readonly inputs: number;
};

const [root, what, threadArg] = process.argv.slice(2);
const threads = Number(threadArg);
const from = (path: string) => import(pathToFileURL(join(root, path)).href);
const { Network } = (await from('lib/index.ts')) as { Network: new (o: object) => Net };
const fx = await from('bench/fixtures.ts');
const { Random } = await from('lib/random.ts');
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
/** ms of this process's CPU time: with one thread, what a call costs whatever else the machine runs. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
// the clock: the process's CPU time on one thread (a loaded machine's waits not counted; page
// faults are, as system time), else wall time (more threads would count their spinning)
const clock = threads === 1 ? cpuNow : now;
const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1];

/**
 * ms of one epoch in a 1-epoch fit and in a 4-epoch fit, fits adjacent, `pairs` times; and the
 * 4-epoch fits' samples/s (fit's throughput, start costs spread over 4 epochs).
 */
async function fitRatio(net: Net, X: Float32Array, y: unknown, batchSize: number, pairs: number) {
  await net.fit(X, y, { epochs: 1, batchSize }); // trainer, workspaces, JIT
  const ratios: number[] = [];
  const one: number[] = [];
  const rates: number[] = [];
  const rows = X.length / net.inputs;
  for (let p = 0; p < pairs; p++) {
    let t = clock();
    await net.fit(X, y, { epochs: 1, batchSize });
    const single = clock() - t;
    t = clock();
    await net.fit(X, y, { epochs: 4, batchSize });
    const perEpoch = (clock() - t) / 4;
    one.push(single);
    ratios.push(single / perEpoch);
    rates.push((rows * 1e3) / perEpoch);
  }
  return {
    ratio: median(ratios),
    oneEpochMs: median(one),
    fitPerS: median(rates),
    weights: checksum(net.getParameters()),
  };
}

/**
 * The weights after the fits above, folded to 4 decimal digits (FNV-1a over their bytes, mod
 * 10,000): equal in both columns when the two checkouts train bit for bit alike.
 */
function checksum(a: Float32Array): number {
  let h = 0x811c9dc5;
  for (const byte of new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    h = Math.imul(h ^ byte, 0x01000193);
  return (h >>> 0) % 10000;
}

/**
 * The bench's wide workload (bench/versus/archs.ts): ms of one 2-epoch fit() call, median of
 * `calls` after a warm-up call, and the checksum of the weights they leave.
 */
async function wideCall(calls: number) {
  const { archById, fastmlpOptions, EPOCHS_PER_CALL } = await from('bench/versus/archs.ts');
  const wide = archById('wide');
  const { X, labels } = fx.syntheticMnist(wide.rows);
  const net = new Network(fastmlpOptions(wide, threads));
  const options = { epochs: EPOCHS_PER_CALL, batchSize: wide.batch };
  await net.fit(X, labels, options); // trainer, workspaces, JIT
  const ms: number[] = [];
  for (let c = 0; c < calls; c++) {
    const t = clock();
    await net.fit(X, labels, options);
    ms.push(clock() - t);
  }
  return { callMs: median(ms), weights: checksum(net.getParameters()) };
}

function tabular(rows: number): { X: Float32Array; y: Float32Array } {
  const rng = new Random(3);
  const X = fx.randomArray(rng, rows * 30, -1, 1) as Float32Array;
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = X[r * 30] * 0.5 - X[r * 30 + 1] + 0.1 * X[r * 30 + 2] * X[r * 30 + 3];
  return { X, y };
}

/** The sum of a row's values: four running sums, as a conversion loop would read them. */
function sumRow(row: number[]): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 4 <= row.length; c += 4) {
    s0 += row[c];
    s1 += row[c + 1];
    s2 += row[c + 2];
    s3 += row[c + 3];
  }
  for (; c < row.length; c++) s0 += row[c];
  return s0 + s1 + s2 + s3;
}

/** Seconds per call on clock: `calls` calls after 3 warm ones, median of `samples`. */
function perCall(fn: () => unknown, calls: number, samples: number): number {
  for (let i = 0; i < 3; i++) fn();
  const s: number[] = [];
  for (let k = 0; k < samples; k++) {
    const t = clock();
    for (let i = 0; i < calls; i++) fn();
    s.push((clock() - t) / calls / 1e3);
  }
  return median(s);
}

const statusBytes = (key: string): number => {
  const match = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
};

/**
 * predict of X's rows from number[][] against the same rows as a Float32Array (rates in samples/s
 * and Float32Array-over-rows ratios, taken round by round), beside two floors for the rows: copied
 * by V8's TypedArray.prototype.set (unchecked) then predicted, and only read once (summed) before
 * the Float32Array's predict, the least any conversion written in JS costs.
 */
function rowsAgainstArray(net: Net, X: Float32Array, cols: number) {
  const n = X.length / cols;
  const rows = Array.from({ length: n }, (_, k) => Array.from(X.subarray(k * cols, (k + 1) * cols)));
  // the check before timing: rows and the Float32Array give the same outputs, bit for bit
  const fromRows = (net.predict(rows) as number[][]).flat();
  const fromArray = Array.from(net.predict(X) as Float32Array);
  const rowsMatch =
    fromRows.length === fromArray.length && fromRows.every((v, i) => Object.is(v, fromArray[i]));
  const copied = new Float32Array(X.length);
  const viaSet = () => {
    for (let k = 0; k < n; k++) copied.set(rows[k], k * cols);
    return net.predict(copied);
  };
  const readOnly = () => {
    let s = 0;
    for (let k = 0; k < n; k++) s += sumRow(rows[k]);
    if (Number.isNaN(s)) throw new Error('NaN in the rows');
    return net.predict(X);
  };
  const calls = Math.max(10, Math.round(8e6 / X.length));
  const r: Record<string, number[]> = { f32: [], rows: [], set: [], read: [] };
  for (let k = 0; k < 9; k++) {
    r.f32.push(n / perCall(() => net.predict(X), 2 * calls, 1));
    r.rows.push(n / perCall(() => net.predict(rows), calls, 1));
    r.set.push(n / perCall(viaSet, calls, 1));
    r.read.push(n / perCall(readOnly, calls, 1));
  }
  const over = (other: number[]) => median(r.f32.map((v, i) => v / other[i]));
  return {
    rowsMatch,
    rowsPerS: median(r.rows),
    f32OverRows: over(r.rows),
    f32OverSetRows: over(r.set),
    f32OverReadRows: over(r.read),
  };
}

/**
 * This bench's tabular network: 30-64-64-1 regression (mse, Adam), whose seeded fit gives the
 * tabular checksum (not the versus bench's bce classifier of the same sizes).
 */
function tabularNet(): Net {
  return new Network({
    inputs: 30,
    layers: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: 1 }],
    loss: 'mse',
    optimizer: { name: 'adam', learningRate: 0.001 },
    seed: 1,
    engine: 'native',
    threads,
  });
}

let result: object;
if (what === 'memory') {
  // peak RSS growth over 3 back-to-back 1-epoch fits of one network, over the bytes of X (Linux:
  // the kernel's peak mark reset after the first fit, so workspaces and the trainer are in)
  const mnist = fx.syntheticMnist(19200);
  const net = new Network(fx.mlpOptions('native', threads));
  const options = { epochs: 1, batchSize: 64 };
  await net.fit(mnist.X, mnist.labels, options);
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = statusBytes('VmRSS');
  for (let i = 0; i < 3; i++) await net.fit(mnist.X, mnist.labels, options);
  result = { peakOverX: (statusBytes('VmHWM') - before) / mnist.X.byteLength };
} else if (what === 'fit') {
  const mnist = fx.syntheticMnist(19200);
  const big = await fitRatio(new Network(fx.mlpOptions('native', threads)), mnist.X, mnist.labels, 64, 3);
  const tab = tabular(19200);
  const little = await fitRatio(tabularNet(), tab.X, tab.y, 32, 3);
  result = { mnist: big, tabular: little, wide: await wideCall(7) };
} else {
  const { X } = fx.syntheticMnist(1024);
  const net = new Network(fx.mlpOptions('native', threads));
  const one = X.subarray(0, 784);
  const { nativeEngine } = await from('lib/engine/native.ts');
  const plan = fx.mlpPlan(1, threads);
  const model = nativeEngine().createModel(
    { layers: plan.layers, loss: plan.loss, threads },
    net.getParameters(),
  );
  const out = new Float32Array(1024 * 10);
  const r: Record<string, number[]> = { one: [], engine: [], f32: [] };
  // interleaved rounds, so a noisy moment hits every case alike
  for (let k = 0; k < 9; k++) {
    r.one.push(perCall(() => net.predict(one), 2000, 1) * 1e6);
    r.f32.push(1024 / perCall(() => net.predict(X), 20, 1));
    r.engine.push(1024 / perCall(() => model.predict(X, 1024, out), 20, 1));
  }
  result = {
    oneUs: median(r.one),
    f32PerS: median(r.f32),
    enginePerS: median(r.engine),
    engineOverNetwork: median(r.engine.map((v, i) => v / r.f32[i])),
    mnist: rowsAgainstArray(net, X, 784),
    tabular: rowsAgainstArray(tabularNet(), tabular(1024).X, 30),
  };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
