// One measured run for scripts/stream-memory.ts and test/67 (each in its own process, under the
// heap cap the parent gives): 'stream' trains one epoch from datasets.streamCSV and samples RSS as
// the rows go by; 'parse' counts csv-parse's records on the same file (its own rate, the bound);
// 'array' is the control: fromCSV (the whole file in memory) then fit. Prints one JSON line.
// Also exports writeTable, the synthetic CSV both use.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { parse } from 'csv-parse';
import { datasets, Network } from '../lib/index.js';

const CITIES = ['Lyon', 'Paris', 'Nice', 'Lille', 'Brest'];

/** Writes a CSV of about `bytes` bytes (id, six numbers, a city, a missing cell now and then, a 3-class label); returns its rows. */
export function writeTable(path: string, bytes: number): number {
  const fd = openSync(path, 'w');
  let written = 0;
  let rows = 0;
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  try {
    const head = 'id,a,b,c,d,e,f,city,label\n';
    writeSync(fd, head);
    written += head.length;
    while (written < bytes) {
      let chunk = '';
      for (let k = 0; k < 4096; k++, rows++) {
        const v = [next() * 2 - 1, next() * 2 - 1, next(), next(), next() * 4, next() - 0.5];
        const city = Math.floor(next() * CITIES.length);
        const label = v[0] + v[1] > 0.3 ? 'high' : v[2] + (city === 1 ? 0.5 : 0) > 0.7 ? 'mid' : 'low';
        const cells = v.map((x, j) => (j === 5 && rows % 17 === 0 ? '' : x.toFixed(4)));
        chunk += `${rows},${cells.join(',')},${CITIES[city]},${label}\n`;
      }
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}

/** RSS samples while a run goes: at each of `marks` (fractions of the rows) and the running maximum. */
class RssProbe {
  readonly atMark: number[] = [];
  max = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly marks: number[],
    private readonly total: number,
  ) {
    this.timer = setInterval(() => this.sample(), 50);
  }
  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.max) this.max = rss;
    return rss;
  }
  /** Called as rows go by. */
  rows(seen: number): void {
    while (this.atMark.length < this.marks.length && seen >= this.marks[this.atMark.length] * this.total) {
      this.atMark.push(this.sample());
    }
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

const MARKS = [0.1, 0.25, 0.5, 0.75, 1];

async function run(
  mode: string,
  path: string,
  engine: 'native' | 'ts',
  schemaRows: number | 'all',
): Promise<void> {
  if (mode === 'parse') {
    const t0 = performance.now();
    let rows = 0;
    const parser = createReadStream(path, { highWaterMark: 1 << 16 }).pipe(
      parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }),
    );
    for await (const _ of parser) rows++;
    const seconds = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ mode, rows: rows - 1, seconds, maxRss: process.memoryUsage.rss() }));
    return;
  }
  const t0 = performance.now();
  if (mode === 'array') {
    const data = datasets.fromCSV(path, { ignore: ['id'] });
    const net = new Network({
      inputs: data.inputs,
      layers: [
        { units: 16, activation: 'relu' },
        { units: 3, activation: 'softmax' },
      ],
      engine,
    });
    await net.fit(data.X, data.y, { epochs: 1, batchSize: 64 });
    console.log(JSON.stringify({ mode, rows: data.y.length, maxRss: process.memoryUsage.rss() }));
    return;
  }
  const data = await datasets.streamCSV(path, {
    ignore: ['id'],
    schemaRows,
    batchSize: 4096,
    shuffleBuffer: 10000,
  });
  const firstPass = (performance.now() - t0) / 1000;
  const total = Number(process.env.STREAM_ROWS ?? data.schemaRowsRead);
  const probe = new RssProbe(MARKS, total);
  const net = new Network({
    inputs: data.inputs,
    layers: [
      { units: 16, activation: 'relu' },
      { units: data.outputs, activation: 'softmax' },
    ],
    optimizer: { name: 'adam', learningRate: 0.01 },
    engine,
  });
  net.schema = data.schema; // fit(data) would set it; the counting wrapper below has none
  let seen = 0;
  const counted = async function* () {
    for await (const batch of data) {
      seen += batch.y.length;
      probe.rows(seen);
      yield batch;
    }
  };
  const t1 = performance.now();
  const history = await net.fit(counted, { epochs: 1, batchSize: 64 });
  const seconds = (performance.now() - t1) / 1000;
  probe.stop();
  console.log(
    JSON.stringify({
      mode,
      rows: seen,
      firstPass,
      seconds,
      marks: MARKS,
      rssAtMarks: probe.atMark,
      maxRss: probe.max,
      loss: history.loss[0],
      accuracy: history.accuracy[0],
      predicted: net.predictLabels([{ a: 0.5, b: 0.5, c: 0.2, d: 0.3, e: 1, f: 0, city: 'Paris' }])[0],
    }),
  );
}

if (process.argv[2] === 'run') {
  const [, , , mode, path, engine, schemaRows] = process.argv;
  await run(
    mode,
    path,
    engine as 'native' | 'ts',
    schemaRows === 'all' || schemaRows === undefined ? 'all' : Number(schemaRows),
  );
}
