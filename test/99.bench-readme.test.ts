// The README's benchmark results are generated, not typed: `npm run bench:readme -- results.json`
// (scripts/bench-readme.ts, bench/readme.ts) rewrites only the text between the bench markers
// from one run's --json file. On a small fixed run (test/fixtures/bench-run.json) this checks
// that the text outside the markers is untouched and the markers kept, that a second run changes
// nothing, that the run, machine, kernels, capacity and caveat come from the file, that every
// ratio in the tables is the ratio of the medians of the file's trials (changing a trial changes
// it), that bad input is refused with a clear error and nothing written, and that README.md's
// own block is exactly what its committed run file renders. No timing thresholds: no bench runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import {
  BEGIN_MARKER,
  END_MARKER,
  GENERATED_NOTE,
  RESULTS_FILE,
  renderReadmeResults,
  replaceResults,
} from '../bench/readme.js';
import { type BenchRun, readBenchRun } from '../bench/results.js';
import { archById, trainFlopsPerSample } from '../bench/versus/archs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/bench-run.json');
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-bench-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (): BenchRun => JSON.parse(readFileSync(FIXTURE, 'utf8')) as BenchRun;
const BEFORE = '# A README\n\nText before the results.\n\n';
const AFTER = '\n\n## Next section\n\nText after the results.\n';
const template = `${BEFORE}${BEGIN_MARKER}\nstale results typed by hand\n${END_MARKER}${AFTER}`;

/** The median as the bench defines it (the middle value, or the mean of the two middle ones). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function trials(run: BenchRun, kind: string, threads: number, contender: string, metric: string): number[] {
  const block = run.versus?.blocks.find((b) => b.kind === kind && b.threads === threads);
  const cell = block?.cells.find((c) => c.contender === contender);
  const values = cell?.trials[metric];
  if (!values) throw new Error(`fixture lacks ${kind} ${threads}t ${contender} ${metric}`);
  return values;
}

/** The cells of the markdown table row under `heading` whose first cell starts with `first`. */
function row(lines: string[], heading: string, first: string, nth = 0): string[] {
  const at = lines.indexOf(heading);
  expect(at, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const next = lines.findIndex((l, i) => i > at && l.startsWith('#'));
  const rows = lines
    .slice(at, next === -1 ? undefined : next)
    .filter((l) => l.startsWith(`| ${first}`))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  expect(rows.length, `rows starting ${first} under ${heading}`).toBeGreaterThan(nth);
  return rows[nth];
}

const x = (v: number) => `${v.toFixed(2)}x`;

describe('the README results generator (bench/readme.ts) on a fixed run', () => {
  const run = readBenchRun(FIXTURE);
  const body = renderReadmeResults(run);

  test('rewrites only the text between the markers, keeps them, and is idempotent', () => {
    const once = replaceResults(template, body);
    expect(once.startsWith(`${BEFORE}${BEGIN_MARKER}\n${GENERATED_NOTE}\n`)).toBe(true);
    expect(once.endsWith(`\n${END_MARKER}${AFTER}`)).toBe(true);
    expect(once).not.toContain('stale results typed by hand');
    expect(once.split(BEGIN_MARKER)).toHaveLength(2);
    expect(once.split(END_MARKER)).toHaveLength(2);
    expect(replaceResults(once, body)).toBe(once);
    // the same file renders the same lines (no clock, no randomness)
    expect(renderReadmeResults(readBenchRun(FIXTURE))).toEqual(body);
  });

  test('the run, the machine, the kernels, the capacity and the caveat come from the file', () => {
    const text = body.join('\n');
    const m = run.machine;
    expect(text).toContain(`git ${m.git}`);
    expect(text).toContain(m.date);
    expect(text).toContain(`${run.options.trials} trial(s)`);
    expect(text).toContain(`${m.cpu}, ${m.cores} hardware threads`);
    expect(text).toContain(`CPU flags: ${m.cpuFlags.join(' ')}`);
    expect(m.cpuFlags).toContain('avx512f');
    expect(text).toContain(`fastmlp's engine \`${m.nativeKernel}\``);
    expect(text).toContain('FMA probe `avx512f`');
    expect(text).toContain('**Caveat.**');
    expect(text).toContain('numpy 1.24.2, PyTorch 1.13.0, onnxruntime-node 1.30.0');
    // a clean 3-trial run on a quiet machine gets the fixed caveat only
    expect(text).not.toContain('a development run');
    expect(text).not.toContain('uncommitted');
    // each table that has figures says the capacity during its trials
    const headings = body.filter((l) => l.startsWith('#### '));
    expect(headings.length).toBeGreaterThanOrEqual(6);
    for (const h of headings.filter((l) => !l.includes('goals'))) {
      const at = body.indexOf(h);
      const next = body.findIndex((l, i) => i > at && l.startsWith('#### '));
      const section = body.slice(at, next === -1 ? undefined : next);
      expect(
        section.some((l) => l.startsWith('capacity during these trials')),
        h,
      ).toBe(true);
    }
    expect(text).toContain(
      'capacity during these trials (1 probe): FMA peak (avx512f) 190.0-190.0 GFLOP/s on 1 thread, 380.0-380.0 on 2',
    );
  });

  test('what the run says about itself joins the caveat', () => {
    const dev = fixture();
    dev.options.trials = 1;
    dev.machine.git = 'abc1234 (uncommitted changes)';
    dev.machine.loadAverage = [9.5, 8, 7];
    const text = renderReadmeResults(dev).join('\n');
    expect(text).toContain('This run had 1 trial(s) per contender, fewer than 3: a development run');
    expect(text).toContain('uncommitted changes');
    expect(text).toContain('The load average at the start was 9.5 on 2 hardware threads');
    // a run the --minutes budget stopped after 3 of 5 trials says 3
    const cut = fixture();
    cut.options.trials = 5;
    if (cut.versus) cut.versus.trials = 3;
    const shown = renderReadmeResults(cut).join('\n');
    expect(shown).toContain('with 3 trial(s) per contender');
    expect(shown).not.toContain('a development run');
  });

  test('every ratio is the ratio of the medians of the trials in the file', () => {
    const lines = body;
    const rate = (t: number, c: string) => median(trials(run, 'train', t, c, 'fit'));
    const train1 = row(lines, '#### fit() vs a numpy loop and PyTorch, 1 thread', '30-64-64-1');
    expect(train1[1]).toBe(rate(1, 'fastmlp').toLocaleString('en-US'));
    expect(train1[4]).toBe(x(rate(1, 'fastmlp') / rate(1, 'numpy')));
    expect(train1[5]).toBe(x(rate(1, 'fastmlp') / rate(1, 'torch')));
    // training GFLOP/s over the same process's 512^3 sgemm GFLOP/s
    const sgemm = median(trials(run, 'train', 1, 'fastmlp', 'sgemm512'));
    const fraction = (rate(1, 'fastmlp') * trainFlopsPerSample(archById('tabular'))) / 1e9 / sgemm;
    expect(train1[6]).toBe(`${(100 * fraction).toFixed(0)}%`);
    const train2 = row(lines, '#### fit() vs a numpy loop and PyTorch, 2 threads', '30-64-64-1');
    expect(train2[3]).toBe('skipped');
    expect(train2[5]).toBe('-');

    const start = row(
      lines,
      '#### One fit() call of 1 epoch vs one epoch inside a 4-epoch fit',
      '30-64-64-1',
    );
    expect(start[2]).toBe(x(median(trials(run, 'train', 1, 'fastmlp', 'startup'))));

    const scaling = row(lines, '#### Thread scaling of fit()', '30-64-64-1');
    const speedup = rate(2, 'fastmlp') / rate(1, 'fastmlp');
    expect(scaling[3]).toBe(`${x(speedup)} (${((100 * speedup) / 2).toFixed(0)}%)`);

    const predict = (c: string, m: string) => median(trials(run, 'predict', 1, c, m));
    const heading = '#### predict() vs onnxruntime-node, 1 thread';
    const b1 = row(lines, heading, '30-64-64-1', 0);
    expect(b1[1]).toBe('1');
    expect(b1[4]).toBe(x(predict('ort', 'b1') / predict('fastmlp', 'b1'))); // latency: lower is better
    const b1024 = row(lines, heading, '30-64-64-1', 2);
    expect(b1024[4]).toBe(x(predict('fastmlp', 'b1024') / predict('ort', 'b1024')));
    const arrays = row(lines, heading, '30-64-64-1', 3);
    expect(arrays[1]).toBe('1024 from number[][]');
    expect(arrays[4]).toBe(x(predict('fastmlp', 'b1024-arrays') / predict('fastmlp', 'b1024')));

    const memory = row(lines, "#### Peak memory of a fit beyond the caller's data", '784-128-10');
    expect(Number(memory[4])).toBeCloseTo(median(trials(run, 'memory', 2, 'fastmlp', 'growthCopies')), 3);

    const goal = row(lines, "#### Issue 13's goals in this run", 'fit() >= 2x the hand-written numpy loop');
    expect(goal[1]).toBe(`tabular 1t: ${train1[4]}, tabular 2t: ${x(rate(2, 'fastmlp') / rate(2, 'numpy'))}`);
    expect(goal[2]).toBe('2 of 2');
  });

  test('changing a trial in the file changes its ratios and the goal verdicts', () => {
    const slower = fixture();
    const numpy = slower.versus?.blocks[0].cells.find((c) => c.contender === 'numpy');
    if (!numpy) throw new Error('fixture lacks numpy');
    numpy.trials.fit = [100000, 100000, 100000];
    const lines = renderReadmeResults(slower);
    expect(row(lines, '#### fit() vs a numpy loop and PyTorch, 1 thread', '30-64-64-1')[4]).toBe('1.10x');
    const goal = row(lines, "#### Issue 13's goals in this run", 'fit() >= 2x the hand-written numpy loop');
    expect(goal[1]).toContain('tabular 1t: 1.10x (missed)');
    expect(goal[2]).toBe('1 of 2');
  });

  test('markers missing, repeated or out of order: a clear error, nothing replaced', () => {
    expect(() => replaceResults('# README without markers\n', body)).toThrow(
      /must hold <!-- bench:begin --> exactly once \(found 0\)/,
    );
    expect(() => replaceResults(`${template}${BEGIN_MARKER}\n`, body)).toThrow(/found 2/);
    expect(() => replaceResults(`${END_MARKER}\n${BEGIN_MARKER}\n`, body)).toThrow(/before/);
  });
});

describe('npm run bench:readme (scripts/bench-readme.ts)', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/bench-readme.ts', ...args], {
      cwd: ROOT,
    });

  test('writes the block into the README it is given; a second run leaves it unchanged', {
    timeout: 60_000,
  }, async () => {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, template);
    const first = await cli(FIXTURE, '--readme', readme);
    expect(first.stdout).toMatch(/^rewrote: /);
    const written = readFileSync(readme, 'utf8');
    expect(written).toBe(replaceResults(template, renderReadmeResults(readBenchRun(FIXTURE))));
    const second = await cli(FIXTURE, '--readme', readme);
    expect(second.stdout).toMatch(/^unchanged: /);
    expect(readFileSync(readme, 'utf8')).toBe(written);
  });

  test('a file that is not a bench run, or a README without markers: exit 1, a clear message, nothing written', {
    timeout: 60_000,
  }, async () => {
    const readme = join(dir, 'README-bad.md');
    writeFileSync(readme, template);
    const notRun = join(dir, 'not-a-run.json');
    writeFileSync(notRun, '{"hello": 1}');
    await expect(cli(notRun, '--readme', readme)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not the --json output of npm run bench: it lacks machine, options/),
    });
    const plain = join(dir, 'README-plain.md');
    writeFileSync(plain, '# no markers\n');
    await expect(cli(FIXTURE, '--readme', plain)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/exactly once \(found 0\)/),
    });
    expect(readFileSync(readme, 'utf8')).toBe(template);
    expect(readFileSync(plain, 'utf8')).toBe('# no markers\n');
    await expect(cli(FIXTURE, FIXTURE)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Expected one results file.*\nUsage: npm run bench:readme/),
    });
  });
});

describe("README.md's results", () => {
  test(`are exactly what the committed run file renders (regenerate: npm run bench:readme, from ${RESULTS_FILE})`, () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const run = readBenchRun(join(ROOT, RESULTS_FILE));
    expect(replaceResults(readme, renderReadmeResults(run))).toBe(readme);
  });
});
