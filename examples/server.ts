// A prediction server on node:http. It answers JSON records (objects keyed by feature name, as
// the model's table schema names them) with class labels and probabilities (or values for a
// regression model); rows of numbers work too. With --model it serves a model file (say one
// `fastmlp train --data customers.csv --out churn.safetensors` wrote); without, it trains a
// moons classifier (features x1, x2) and can retrain one in the background (async fit, off the
// event loop on the native engine), swapping it in only once it has finished training and passed
// a held-out check. Requests in flight keep the model they started with; a half-trained model is
// never visible (training happens on a separate Network).
//
//   npx tsx examples/server.ts [--port 8080] [--model model.safetensors] [--retrain-every 60000]
//   curl -s localhost:8080/health
//   curl -s -X POST localhost:8080/predict -d '{"records": [{"x1": 0.5, "x2": -0.2}, {"x1": 1.5, "x2": 0.3}]}'
//   curl -s -X POST localhost:8080/predict -d '{"rows": [[0.5, -0.2], [1.5, 0.3]]}'
//   curl -s -X POST localhost:8080/retrain
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  datasets,
  type EngineName,
  FIT_SLICE_CHANNEL,
  type FitSlice,
  Network,
  type TableSchema,
  trainTestSplit,
} from '../lib/index.js';
import { openCpuWaitClock } from './cpu-wait.js';
import { LoopDelay } from './loop-delay.js';
import { runIfMain } from './run-main.js';

export interface ServerOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * A model file written by Network.save or fastmlp train (served as it is: no retraining);
   * default: train a moons model at start-up.
   */
  modelPath?: string;
  /** Engine of the served and retrained models. Default 'native' (async fit off the event loop). */
  engine?: EngineName | 'auto';
  /** Retrain on a timer every this many ms; 0 = only on POST /retrain. Default 0. Not with modelPath. */
  retrainEvery?: number;
  /** Samples per retrain. Default 4000. */
  trainRows?: number;
  /** Epochs per retrain. Default 60. */
  epochs?: number;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBody?: number;
  log?: (line: string) => void;
}

/**
 * What a retrain did on the event loop, in ms, each step timed around its synchronous part:
 * making the data (the longer of its two steps, generating and splitting), building the network,
 * fit's call up to its first await (checking and copying the data), fit's longest slice after
 * that (fastmlp publishes each on FIT_SLICE_CHANNEL), evaluate; and the longest garbage
 * collection while it ran.
 */
interface RetrainSteps {
  data: number;
  network: number;
  fitStart: number;
  fitSlice: number;
  evaluate: number;
  gc: number;
}

interface Retrain {
  version: number;
  ms: number;
  accuracy: number;
  swapped: boolean;
  error?: string;
  blocked?: RetrainSteps;
  /** Of each step timed on the event loop, the ms the thread waited for a CPU (Linux only). */
  waitedForCpu?: Partial<RetrainSteps>;
}

interface Model {
  net: Network;
  version: number;
  accuracy: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const ROWS_LIMIT = 10_000;

/** The moons model's inputs by name, so it takes records {"x1": ..., "x2": ...} and answers labels. */
const MOONS_SCHEMA: TableSchema = {
  features: [
    { name: 'x1', kind: 'numeric', fill: 0 },
    { name: 'x2', kind: 'numeric', fill: 0 },
  ],
  target: 'moon',
  task: 'classification',
  classNames: ['0', '1'],
  missingValues: [],
  unknownCategory: 'error',
};

/** A 2-input moons classifier; threads: 1 leaves the other cores to the event loop and requests. */
function freshNetwork(engine: EngineName | 'auto', seed: number): Network {
  const net = new Network({
    inputs: 2,
    layers: [
      { units: 32, activation: 'relu' },
      { units: 32, activation: 'relu' },
      { units: 1, activation: 'sigmoid' },
    ],
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed,
    engine,
    threads: 1,
  });
  net.schema = MOONS_SCHEMA;
  return net;
}

/**
 * A model's answer for a batch: labels and each class's probability by name (a classifier with
 * class names), else the outputs (regression values, or probabilities by index).
 */
function answer(net: Network, input: number[][] | Record<string, unknown>[]) {
  const outputs = net.predict(input);
  const names = net.task === 'binary' || net.task === 'multiclass' ? net.classNames : null;
  if (names === null) return { predictions: outputs.map((row) => (row.length === 1 ? row[0] : row)) };
  const probabilities = outputs.map((row) => {
    const p = row.length === 1 ? [1 - row[0], row[0]] : row;
    return Object.fromEntries(names.map((name, k) => [name, p[k]]));
  });
  const labels = net.predictLabels(input);
  // predictions: the positive class's probability (binary) or the rows, as before records
  return { labels, probabilities, predictions: outputs.map((row) => (row.length === 1 ? row[0] : row)) };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const {
    port = 8080,
    host = '127.0.0.1',
    engine = 'native',
    retrainEvery = 0,
    trainRows = 4000,
    epochs = 60,
    maxBody = 2 ** 20,
    log = (line: string) => console.log(line),
  } = options;

  let current: Model;
  const servesFile = options.modelPath !== undefined;
  if (options.modelPath) {
    if (retrainEvery > 0)
      throw new Error('retrainEvery retrains the moons model; a model file is served as it is');
    current = { net: await Network.load(options.modelPath, { engine }), version: 1, accuracy: Number.NaN };
  } else {
    // the first model is made as a retrain makes one (smaller): the code a retrain runs on the
    // event loop is compiled before the server answers, not during its first retrain
    const net = freshNetwork(engine, 1);
    const { X, y } = datasets.moons({ samples: 1000, noise: 0.2, seed: 1, float32: true });
    const split = trainTestSplit(X, y, { testSize: 0.2, seed: 1 });
    await net.fit(split.XTrain, split.yTrain, { epochs: 30, batchSize: 32 });
    current = { net, version: 1, accuracy: net.evaluate(split.XTest, split.yTest).accuracy! };
  }

  // Event-loop delay while a retrain runs (the bound a server cares about), and overall; node's
  // own monitor of the whole run beside it, as a check of the first.
  const delay = new LoopDelay();
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  monitor.enable();
  // the longest garbage collection since the last retrain started
  let gcMax = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMax = Math.max(gcMax, entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // the longest slice of the retrain's fit after its first (one fit runs at a time here)
  let sliceMax = 0;
  let slicesSeen = 0;
  const onSlice = (message: unknown) => {
    if (slicesSeen++ > 0) sliceMax = Math.max(sliceMax, (message as FitSlice).ms);
  };
  subscribe(FIT_SLICE_CHANNEL, onSlice);
  // how long the event-loop thread waited for a CPU in each step (other processes ran)
  const cpuWait = openCpuWaitClock();
  let retraining: Promise<void> | null = null;
  let nextVersion = 2;
  const retrains: Retrain[] = [];

  async function retrain(): Promise<void> {
    const version = nextVersion++;
    const started = performance.now();
    delay.begin();
    gcMax = 0;
    sliceMax = 0;
    slicesSeen = 0;
    let mark = started;
    let markWait = cpuWait?.read() ?? 0;
    let lapWait = 0; // the last lap's wait for a CPU
    const lap = () => {
      const now = performance.now();
      const ms = now - mark;
      mark = now;
      const waited = cpuWait?.read() ?? 0;
      lapWait = waited - markWait;
      markWait = waited;
      return ms;
    };
    // Yields to the event loop; the wait is not a step's own time.
    const turn = async () => {
      await setImmediate();
      mark = performance.now();
      markWait = cpuWait?.read() ?? 0;
    };
    try {
      // Each step its own turn of the event loop: requests waiting behind one are answered
      // before the next (the data steps allocate and can meet a garbage collection).
      // Float32Arrays, not an array per row: nothing for the garbage collector to trace or copy
      const { X, y } = datasets.moons({ samples: trainRows, noise: 0.2, seed: version, float32: true });
      const generate = lap();
      const generateWait = lapWait;
      await turn();
      const split = trainTestSplit(X, y, { testSize: 0.2, seed: version });
      const splitting = lap();
      const data = Math.max(generate, splitting);
      const waitedForCpu: Partial<RetrainSteps> = { data: generate >= splitting ? generateWait : lapWait };
      await turn();
      const net = freshNetwork(engine, version);
      const network = lap();
      waitedForCpu.network = lapWait;
      const fitting = net.fit(split.XTrain, split.yTrain, { epochs, batchSize: 32 });
      const fitStart = lap();
      waitedForCpu.fitStart = lapWait;
      await fitting;
      lap();
      const accuracy = net.evaluate(split.XTest, split.yTest).accuracy!; // a binary classifier
      const blocked = { data, network, fitStart, fitSlice: sliceMax, evaluate: lap(), gc: gcMax };
      waitedForCpu.evaluate = lapWait;
      // Publish only a finished model that is good enough: one assignment, on the one JS thread.
      const swapped = accuracy >= 0.8;
      if (swapped) current = { net, version, accuracy };
      retrains.push({
        version,
        ms: performance.now() - started,
        accuracy,
        swapped,
        blocked,
        ...(cpuWait ? { waitedForCpu } : {}),
      });
      log(
        `retrain v${version}: accuracy ${accuracy.toFixed(3)}${swapped ? ', swapped in' : ', kept the old model'}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      retrains.push({
        version,
        ms: performance.now() - started,
        accuracy: Number.NaN,
        swapped: false,
        error: message,
      });
      log(`retrain v${version} failed, the old model stays: ${message}`);
    } finally {
      delay.end();
    }
  }

  function startRetrain(): boolean {
    if (retraining || servesFile) return false;
    retraining = retrain().finally(() => {
      retraining = null;
    });
    return true;
  }

  const timer = retrainEvery > 0 ? setInterval(startRetrain, retrainEvery) : null;
  timer?.unref();

  const ms = (ns: number) => Math.round((ns / 1e6) * 1000) / 1000;
  const monitorStats = () =>
    monitor.count === 0
      ? null
      : {
          samples: monitor.count,
          p50: ms(monitor.percentile(50)),
          p99: ms(monitor.percentile(99)),
          max: ms(monitor.max),
        };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const model = current; // this request is answered by the model current when it arrived
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      return send(res, 200, {
        status: 'ok',
        engine: model.net.engine,
        version: model.version,
        accuracy: model.accuracy,
        training: retraining !== null,
      });
    }
    if (req.method === 'GET' && url.pathname === '/stats') {
      const { during, overall, duringOnCpu } = delay.stats();
      return send(res, 200, {
        eventLoopDelayDuringFit: during,
        // the same less the server's waits for a CPU (Linux): the part the rest of the machine caused
        eventLoopDelayDuringFitOnCpu: duringOnCpu ?? null,
        eventLoopDelay: overall,
        eventLoopDelayMonitor: monitorStats(),
        retrains,
      });
    }
    if (req.method === 'POST' && url.pathname === '/stats/reset') {
      delay.reset();
      monitor.reset();
      retrains.length = 0;
      return send(res, 200, { reset: true });
    }
    if (req.method === 'POST' && url.pathname === '/retrain') {
      const started = startRetrain();
      const refusal = servesFile
        ? 'this server serves a model file: retrain it with fastmlp train and restart'
        : 'a retrain is already running';
      return send(res, started ? 202 : 409, started ? { retraining: true } : { error: refusal });
    }
    if (req.method === 'POST' && url.pathname === '/predict') {
      const body = await readBody(req, maxBody);
      if (body === null) return send(res, 413, { error: `Expected a body of at most ${maxBody} bytes` });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(res, 400, {
          error: 'Expected a JSON body: {"records": [{...}, ...]} or {"rows": [[x1, x2], ...]}',
        });
      }
      const request = (parsed ?? {}) as { rows?: unknown; records?: unknown };
      const key = Array.isArray(parsed) ? 'rows' : request.records !== undefined ? 'records' : 'rows';
      const input = Array.isArray(parsed) ? parsed : request[key];
      if (!Array.isArray(input) || input.length > ROWS_LIMIT) {
        return send(res, 400, {
          error: `Expected "records": an array of 1..${ROWS_LIMIT} objects keyed by feature name, or "rows": arrays of ${model.net.inputs} numbers`,
        });
      }
      if (key === 'records' && input.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
        return send(res, 400, { error: 'Expected "records": objects keyed by feature name' });
      }
      try {
        return send(res, 200, { version: model.version, ...answer(model.net, input) });
      } catch (error) {
        // fastmlp throws TypeError / RangeError naming the bad element ("... for X[2][1] ..."), and
        // an Error for a missing cell or a category the model refuses: the client's to fix
        const refused =
          error instanceof TypeError ||
          error instanceof RangeError ||
          (error instanceof Error && /^(Unknown category|Missing value)/.test(error.message));
        if (refused) return send(res, 400, { error: error.message.replace(/(for|in) X\b/g, `$1 ${key}`) });
        throw error;
      }
    }
    send(res, 404, { error: 'Not found: GET /health, GET /stats, POST /predict, POST /retrain' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`500: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  return {
    server,
    url,
    async close() {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await retraining;
      delay.stop();
      monitor.disable();
      gcObserver.disconnect();
      unsubscribe(FIT_SLICE_CHANNEL, onSlice);
      cpuWait?.close();
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as text, or null when it exceeds max bytes. */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

runIfMain(import.meta.url, async () => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      model: { type: 'string' },
      engine: { type: 'string', default: 'native' },
      'retrain-every': { type: 'string', default: '0' },
      'train-rows': { type: 'string', default: '4000' },
      epochs: { type: 'string', default: '60' },
    },
  });
  const running = await startServer({
    port: Number(values.port),
    host: values.host,
    modelPath: values.model,
    engine: values.engine as EngineName,
    retrainEvery: Number(values['retrain-every']),
    trainRows: Number(values['train-rows']),
    epochs: Number(values.epochs),
  });
  console.log(`listening ${running.url}`);
  const stop = () => {
    running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
