// Load test of examples/server.ts: starts it in a child process on 127.0.0.1 (ephemeral port),
// checks its answers to bad input, drives POST /predict with autocannon for a bounded time while
// retrains run back to back, and reports requests/s, latency p50/p99, errors, model swaps, and
// the server's own event-loop delay p99 during the async fits, which must stay under 10 ms, and
// its max, under 50 ms, with what the server timed of each retrain's synchronous steps (the
// longest of each) and its longest garbage collection. --cpu-prof DIR writes the server's CPU
// profile there (node --cpu-prof) for a closer look.
//
//   npx tsx scripts/load-test.ts [--duration 10] [--connections 10] [--engine native] [--cpu-prof DIR]
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BOUND_MS = 10;
/** Issue 15, item 14: the worst single event-loop delay during a fit (test/87 checks the structure behind it). */
const MAX_BOUND_MS = 50;
/** The quiet phase retrains until its delay histogram holds this many samples (a p99 needs >= 100)... */
const QUIET_SAMPLES = 500;
/** ...or this many retrains. */
const QUIET_RETRAINS = 10;

/** The part of autocannon's API used here (the package ships no types). */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
}) => Promise<CannonResult>;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'native' },
    'train-rows': { type: 'string', default: '4000' },
    epochs: { type: 'string', default: '60' },
    'cpu-prof': { type: 'string' },
  },
});
const duration = Math.min(60, Math.max(1, Number(values.duration)));
const connections = Math.min(100, Math.max(1, Number(values.connections)));

const serverFile = fileURLToPath(new URL('../examples/server.ts', import.meta.url));

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
      '--import',
      'tsx',
      serverFile,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--engine',
      values.engine,
      '--train-rows',
      values['train-rows'],
      '--epochs',
      values.epochs,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timeout = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const match = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timeout);
        resolve({ child, url: match[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

interface Delay {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}
/** The fields of the server's JSON answers (examples/server.ts) this script reads. */
interface Reply {
  error?: string;
  predictions?: number[];
  engine?: string;
  version?: number;
  training?: boolean;
  eventLoopDelayDuringFit?: Delay | null;
  eventLoopDelayDuringFitOnCpu?: Delay | null;
  eventLoopDelay?: Delay | null;
  eventLoopDelayMonitor?: Delay | null;
  retrains?: {
    version: number;
    ms: number;
    accuracy: number;
    swapped: boolean;
    error?: string;
    blocked?: Record<string, number>;
    waitedForCpu?: Record<string, number>;
  }[];
}

async function call(url: string, method: string, body?: string): Promise<{ status: number; json: Reply }> {
  const res = await fetch(url, { method, body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: (await res.json()) as Reply };
}

interface Step {
  ms: number;
  /** Of those ms, the server's wait for a CPU (Linux), when it knows it for this step. */
  waited?: number;
}

/** Each synchronous step's longest time over `retrains`, as the server timed them, with its CPU wait. */
function longestSteps(
  retrains: { blocked?: Record<string, number>; waitedForCpu?: Record<string, number> }[],
): Record<string, Step> {
  const longest: Record<string, Step> = {};
  for (const r of retrains)
    for (const [step, ms] of Object.entries(r.blocked ?? {}))
      if (ms >= (longest[step]?.ms ?? 0)) longest[step] = { ms, waited: r.waitedForCpu?.[step] };
  return longest;
}

/** "data 1.2 (0.8 waiting for a CPU), network 0.3, ...": a retrain's synchronous steps as the server timed them. */
function formatSteps(steps: Record<string, Step>): string {
  return Object.entries(steps)
    .map(
      ([step, { ms, waited }]) =>
        `${step} ${ms.toFixed(1)}${waited === undefined ? '' : ` (${waited.toFixed(1)} waiting for a CPU)`}`,
    )
    .join(', ');
}

/**
 * The delay during fits less the server's waits for a CPU (Linux schedstat): when the bound fails
 * on a shared machine, what the server's own loop was busy with. Printed only, never checked.
 */
function onCpuLine(reply: Reply): string {
  const c = reply.eventLoopDelayDuringFitOnCpu;
  return c
    ? `  the same less the server's waits for a CPU (other processes ran): p99 ${c.p99} ms, max ${c.max} ms`
    : "  (the server's waits for a CPU are not known on this system)";
}

/** Waits (at most 60 s) until no retrain runs. */
async function waitIdle(url: string): Promise<void> {
  for (let i = 0; i < 600 && (await call(`${url}/health`, 'GET')).json.training; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const { child, url } = await startServer();
let failures = 0;
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

try {
  const health = await call(`${url}/health`, 'GET');
  console.log(`server ${url}: engine ${health.json.engine}, model v${health.json.version}`);
  // bad input: a clear 400 naming what is wrong, and the server keeps serving
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{rows:', /JSON body/],
    ['rows missing', '{"x": 1}', /"rows"/],
    ['short row', '{"rows": [[1]]}', /for rows\[0\]/],
    ['NaN-like value', '{"rows": [[1, "2"]]}', /for rows\[0\]\[1\]/],
    ['empty rows', '{"rows": []}', /at least one sample/],
  ];
  for (const [what, body, message] of bad) {
    const r = await call(`${url}/predict`, 'POST', body);
    check(r.status === 400 && message.test(r.json.error ?? ''), `400 for ${what}: ${r.json.error}`);
  }
  const good = await call(`${url}/predict`, 'POST', '{"rows": [[0.5, -0.2], [1.5, 0.3]]}');
  check(
    good.status === 200 && good.json.predictions?.length === 2,
    `200 for two rows: ${JSON.stringify(good.json)}`,
  );

  // 1. retrains with no request load: the fit's own effect on the server's event loop. One
  // retrain lasts about 100 ms, fewer than 100 samples of a 1 ms timer, where a p99 is simply
  // the max: retrain until the samples make a p99 (at most QUIET_RETRAINS times).
  await call(`${url}/stats/reset`, 'POST');
  let quiet: Reply = {};
  for (let i = 0; i < QUIET_RETRAINS && (quiet.eventLoopDelayDuringFit?.samples ?? 0) < QUIET_SAMPLES; i++) {
    await call(`${url}/retrain`, 'POST');
    await waitIdle(url);
    quiet = (await call(`${url}/stats`, 'GET')).json;
  }
  const q = quiet.eventLoopDelayDuringFit ?? null;
  console.log(
    `quiet retrains: ${(quiet.retrains ?? []).map((r) => r.ms.toFixed(0)).join(', ')} ms; event-loop delay during fits p50 ${q?.p50} ms, p99 ${q?.p99} ms, max ${q?.max} ms (${q?.samples} samples)`,
  );
  console.log(onCpuLine(quiet));
  const quietLongest = longestSteps(quiet.retrains ?? []);
  console.log(`  their longest synchronous steps (ms): ${formatSteps(quietLongest)}`);
  check(
    q !== null && q.p99 < BOUND_MS,
    `event-loop delay p99 during a fit, no load: ${q?.p99} ms < ${BOUND_MS} ms`,
  );
  check(
    q !== null && q.max < MAX_BOUND_MS,
    `event-loop delay max during a fit, no load: ${q?.max} ms < ${MAX_BOUND_MS} ms`,
  );
  await call(`${url}/stats/reset`, 'POST');

  // 2. retrain back to back for the whole load window
  const stopAt = Date.now() + duration * 1000;
  let started = 0;
  const retrainLoop = (async () => {
    while (Date.now() < stopAt) {
      const r = await call(`${url}/retrain`, 'POST');
      if (r.status === 202) started++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const body = JSON.stringify({ rows: Array.from({ length: 8 }, (_, i) => [Math.sin(i), Math.cos(i)]) });
  console.log(
    `autocannon: ${connections} connections for ${duration} s on POST /predict (8 rows) while retraining`,
  );
  const result = await autocannon({
    url: `${url}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
  });
  await retrainLoop;
  await waitIdle(url); // the last retrain's delay samples count too
  const stats = (await call(`${url}/stats`, 'GET')).json;
  const after = (await call(`${url}/health`, 'GET')).json;

  const finished = stats.retrains ?? [];
  const swaps = finished.filter((r) => r.swapped).length;
  console.log('');
  console.log(`requests/s      ${result.requests.average.toFixed(0)} (total ${result.requests.total})`);
  console.log(
    `latency         p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
  );
  console.log(
    `errors          ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
  );
  console.log(
    `retrains        ${started} started, ${finished.length} finished, ${swaps} swapped in; model v${health.json.version} -> v${after.version}`,
  );
  for (const r of finished)
    console.log(
      `  v${r.version}: ${r.ms.toFixed(0)} ms, accuracy ${r.accuracy.toFixed(3)}${r.error ? `, ${r.error}` : ''}`,
    );
  const d = stats.eventLoopDelayDuringFit ?? null;
  const o = stats.eventLoopDelay ?? null;
  const m = stats.eventLoopDelayMonitor ?? null;
  console.log(`event-loop delay during fits (server, intervals of a 1 ms timer while a retrain ran):`);
  console.log(`                p50 ${d?.p50} ms, p99 ${d?.p99} ms, max ${d?.max} ms (${d?.samples} samples)`);
  console.log(onCpuLine(stats));
  console.log(`  whole window: p50 ${o?.p50} ms, p99 ${o?.p99} ms, max ${o?.max} ms`);
  console.log(`  the same, monitorEventLoopDelay: p50 ${m?.p50} ms, p99 ${m?.p99} ms, max ${m?.max} ms`);
  console.log(`longest synchronous step of a retrain (ms): ${formatSteps(longestSteps(finished))}`);
  check(result.errors === 0 && result.timeouts === 0 && result.non2xx === 0, 'no errors under load');
  check(finished.length > 0 && swaps > 0, 'at least one retrain finished and was swapped in');
  check(
    d !== null && d.p99 < BOUND_MS,
    `event-loop delay p99 during fits under load: ${d?.p99} ms < ${BOUND_MS} ms`,
  );
  check(
    d !== null && d.max < MAX_BOUND_MS,
    `event-loop delay max during fits under load: ${d?.max} ms < ${MAX_BOUND_MS} ms`,
  );
} finally {
  child.kill('SIGTERM');
}
console.log(failures === 0 ? 'PASS' : 'FAIL');
process.exitCode = failures === 0 ? 0 : 1;
