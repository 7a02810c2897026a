// The comparison with what users would pick instead (issue 13), driven from bench/benchmark.ts:
// fastmlp's fit() against a hand-written numpy loop and PyTorch, its predict() against
// onnxruntime-node, a fit's peak memory, and thread scaling. Each block (one kind, network and
// thread count) probes the machine's capacity, then runs its trials in fresh processes with the
// contenders taking turns (A, B, C, then B, C, A, ...), never all of one then the next; every
// start is written to the trial log. Values per trial come from Benchmark.js (node) or timeit
// (python) inside the process; across trials the median of the per-trial values is kept (robust
// to one process that met a noisy moment; no sampling library sees across processes).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MARKER } from '../types.js';
import { ARCHS, type Arch, type ArchId, archById, EPOCHS_PER_CALL, writeData } from './archs.js';
import { type Capacity, probeCapacity, showCapacity, showCapacityRange } from './capacity.js';
import { expectedSeconds, PROBE_SECONDS, SETUP_SECONDS, showDuration, trialSeconds } from './duration.js';
import {
  CONTENDERS,
  CONTENDERS_OF,
  type ContenderId,
  FIT_SAMPLING,
  LOSS_MUST_FALL_TO,
  PREDICT_BATCHES,
  type TrialKind,
  type TrialResult,
  type TrialSpec,
} from './protocol.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The suites, as --only names them. */
export const VERSUS_SUITES = { 'fit-vs': 'train', 'predict-vs': 'predict', 'fit-memory': 'memory' } as const;
export type VersusSuite = keyof typeof VERSUS_SUITES;

/** Networks of each kind of trial (inference and memory: the ones where latency and rows matter). */
const ARCHS_OF: Record<TrialKind, ArchId[]> = {
  train: ['tabular', 'mnist', 'wide', 'deep'],
  predict: ['mnist', 'tabular'],
  memory: ['mnist'],
};
/**
 * Trials per contender, network and thread count by default: 5 while the whole default run stays
 * near 12 minutes on a quiet 2-core machine (bench/versus/duration.ts); never fewer than `min`
 * (every ratio from at least 3 interleaved trials) when the time budget cuts a run short.
 */
export const DEFAULT_TRIALS = { full: 5, quick: 1, min: 3 } as const;
/** The default time budget of a full run (minutes): after `min` trials, no round that would end later starts. */
export const DEFAULT_MINUTES = 20;

/** Rows of the memory trial's fit (its X is 60 MB: the copies are what matter, not the time). */
const MEMORY_ROWS = { full: 19200, quick: 2048 };

export interface VersusOptions {
  quick: boolean;
  trials: number;
  suites: VersusSuite[];
  archs: ArchId[];
  /** Thread counts under test (default: threadCounts()). */
  threads?: number[];
  /** Start no trial round after DEFAULT_TRIALS.min that would end past this many minutes. */
  minutes?: number;
}

/** 1, 2, 4, ... up to the cores, and the core count itself. */
export function threadCounts(cores = os.cpus().length): number[] {
  const out = new Set<number>();
  for (let t = 1; t <= cores; t *= 2) out.add(t);
  out.add(Math.max(1, cores));
  return [...out].sort((a, b) => a - b);
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Candidates, in order: $FASTMLP_BENCH_PYTHON, python3 on PATH, Debian's, python ('none': no Python at all). */
const PYTHONS =
  process.env.FASTMLP_BENCH_PYTHON === 'none'
    ? []
    : [process.env.FASTMLP_BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(
        (p): p is string => typeof p === 'string' && p !== '',
      );
const pythonFor = new Map<string, string | null>();

/** The first interpreter that imports `module`, or null. */
export function findPython(module: string): string | null {
  if (!pythonFor.has(module)) {
    const found = PYTHONS.find(
      (p) => spawnSync(p, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0,
    );
    pythonFor.set(module, found ?? null);
  }
  return pythonFor.get(module) ?? null;
}

export interface LogEntry {
  seq: number;
  /** Wall-clock seconds of the trial's process, start to exit (for the duration estimate). */
  seconds: number;
  kind: TrialKind;
  arch: ArchId;
  threads: number;
  trial: number;
  contender: ContenderId;
  status: TrialResult['status'];
}

export interface Cell {
  contender: ContenderId;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** Per metric, one value per trial. */
  trials: Record<string, number[]>;
  checks: string[];
  info: Record<string, number | string | boolean>[];
}

export interface Block {
  kind: TrialKind;
  arch: ArchId;
  threads: number;
  rows: number;
  capacity: Capacity[];
  cells: Cell[];
}

export interface VersusResult {
  threads: number[];
  /** Trials every block completed (fewer than asked when the --minutes budget stopped the run). */
  trials?: number;
  capacity: (Capacity | { skip: string })[];
  blocks: Block[];
  log: LogEntry[];
  skips: string[];
}

function runTrial(spec: TrialSpec, arch: Arch): Promise<TrialResult> {
  const contender = CONTENDERS[spec.contender];
  const env: NodeJS.ProcessEnv = { ...process.env };
  let command: string[];
  if (contender.process === 'python') {
    const python = findPython(contender.module ?? 'numpy');
    if (!python)
      return Promise.resolve({
        status: 'skipped',
        reason: `not installed: no Python interpreter imports ${contender.module} (tried ${PYTHONS.join(', ')})`,
      });
    for (const v of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'])
      env[v] = String(spec.threads);
    const payload = {
      ...spec,
      arch,
      epochs: EPOCHS_PER_CALL,
      lossMustFallTo: LOSS_MUST_FALL_TO,
      sampling: FIT_SAMPLING[spec.quick ? 'quick' : 'full'],
    };
    command = [python, 'bench/versus/py_train.py', JSON.stringify(payload)];
  } else {
    const flags = spec.kind === 'memory' ? ['--expose-gc'] : [];
    command = [
      process.execPath,
      ...flags,
      '--import',
      'tsx',
      'bench/versus/node-trial.ts',
      JSON.stringify(spec),
    ];
  }
  // every contender on the same first `threads` cores: a thread count is a core count here
  if (hasTaskset && spec.threads < os.cpus().length)
    command = ['taskset', '-c', `0-${spec.threads - 1}`, ...command];
  const limit = spec.quick ? 120 : 600;
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limit * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 'failed', reason: `could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
      if (line) return resolve(JSON.parse(line.slice(MARKER.length)) as TrialResult);
      const why = signal === 'SIGKILL' ? `timed out after ${limit} s` : `exited with ${code ?? signal}`;
      const last = stderr.trim().split('\n').slice(-2).join(' / ');
      resolve({ status: 'failed', reason: `child ${why}${last ? `: ${last}` : ''}` });
    });
  });
}

function addResult(cell: Cell, r: TrialResult): void {
  if (r.status !== 'ok') {
    if (cell.status !== 'failed') [cell.status, cell.reason] = [r.status, r.reason];
    return;
  }
  if (!r.check.passed && cell.status === 'ok')
    [cell.status, cell.reason] = ['failed', `check failed: ${r.check.detail}`];
  for (const [name, m] of Object.entries(r.metrics))
    cell.trials[name] = [...(cell.trials[name] ?? []), m.value];
  cell.checks.push(r.check.detail);
  if (r.info) cell.info.push(r.info);
}

/** One block of the comparison: a kind of trial on one network at one thread count. */
export interface PlannedBlock {
  kind: TrialKind;
  arch: ArchId;
  threads: number;
  rows: number;
}

/** The blocks a run makes, in the order it makes them (runVersus and the duration estimate). */
export function planVersus(o: VersusOptions): PlannedBlock[] {
  const threads = o.threads ?? threadCounts();
  return o.suites.flatMap((suite) => {
    const kind = VERSUS_SUITES[suite];
    const counts = kind === 'memory' ? [threads.at(-1) as number] : threads;
    return ARCHS_OF[kind]
      .filter((a) => o.archs.includes(a))
      .flatMap((archId) => {
        const arch = archById(archId);
        const rows =
          kind === 'memory'
            ? MEMORY_ROWS[o.quick ? 'quick' : 'full']
            : kind === 'predict'
              ? Math.max(...PREDICT_BATCHES)
              : o.quick
                ? arch.quickRows
                : arch.rows;
        return counts.map((t) => ({ kind, arch: archId, threads: t, rows }));
      });
  });
}

export async function runVersus(o: VersusOptions, log: (line: string) => void): Promise<VersusResult> {
  const dir = mkdtempSync(join(os.tmpdir(), 'fastmlp-versus-'));
  const result: VersusResult = {
    threads: o.threads ?? threadCounts(),
    trials: 0,
    capacity: [],
    blocks: [],
    log: [],
    skips: [],
  };
  try {
    const data = new Map<string, ReturnType<typeof writeData>>();
    const dataFor = (a: Arch, rows: number) => {
      const key = `${a.id}-${rows}`;
      if (!data.has(key)) data.set(key, writeData(dir, a, rows));
      return data.get(key) as ReturnType<typeof writeData>;
    };
    const plan = planVersus(o);
    const blocks = plan.map((p): Block => {
      const block: Block = { ...p, capacity: [], cells: [] };
      for (const contender of CONTENDERS_OF[p.kind])
        block.cells.push({ contender, status: 'ok', trials: {}, checks: [], info: [] });
      result.blocks.push(block);
      return block;
    });
    // the ETA: quiet-machine seconds still to run, scaled by how this run compares so far
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const sweepSeconds = expectedSeconds(plan, 1, o.quick) - SETUP_SECONDS;
    let expectedLeft = sweepSeconds * o.trials;
    let expectedDone = 0;
    const pace = () => (expectedDone > 0 ? elapsed() / expectedDone : 1);
    const eta = (seconds: number) => {
      expectedDone += seconds;
      expectedLeft -= seconds;
      return `${showDuration(elapsed())} in, about ${showDuration(Math.max(0, expectedLeft) * pace())} left`;
    };
    // Trial-major: each sweep runs every block once, so every block's trials spread over the
    // whole run (a noisy minute hits one trial of many blocks, not all trials of one), the 1- and
    // 2-thread blocks of thread scaling alternate too, and a run stopped by the time budget
    // still has `trials` trials of every block.
    for (let trial = 0; trial < o.trials; trial++) {
      if (trial >= DEFAULT_TRIALS.min && o.minutes !== undefined) {
        const projected = elapsed() + sweepSeconds * pace();
        if (projected > o.minutes * 60) {
          log(
            `stopping after ${trial} trials: another would end at about ${showDuration(projected)}, past the ${o.minutes}-minute budget (--minutes)`,
          );
          break;
        }
      }
      for (const block of blocks) {
        const { kind, arch: archId, threads, rows } = block;
        const arch = archById(archId);
        const contenders = CONTENDERS_OF[kind];
        const probe = probeCapacity();
        result.capacity.push(probe);
        if (!('skip' in probe)) block.capacity.push(probe);
        const order = contenders.map((_, i) => contenders[(i + trial) % contenders.length]); // who goes first rotates
        for (const contender of order) {
          const cell = block.cells.find((c) => c.contender === contender) as Cell;
          const spec: TrialSpec = {
            kind,
            contender,
            arch: archId,
            threads,
            quick: o.quick,
            data: dataFor(arch, rows),
            startup:
              kind === 'train' && contender === 'fastmlp' && (archId === 'tabular' || archId === 'mnist'),
          };
          const began = performance.now();
          const r = await runTrial(spec, arch);
          const seconds = Math.round((performance.now() - began) / 10) / 100;
          result.log.push({
            seq: result.log.length,
            seconds,
            kind,
            arch: archId,
            threads,
            trial,
            contender,
            status: r.status,
          });
          addResult(cell, r);
          const shown =
            r.status === 'ok'
              ? Object.entries(r.metrics)
                  .map(([k, m]) => `${k} ${fmt(m.value)}`)
                  .join(', ')
              : `${r.status}: ${r.reason}`;
          log(
            `[${kind} ${archId} ${threads}t ${trial + 1}/${o.trials}] ${contender}: ${shown} (${seconds.toFixed(1)} s; ${eta(trialSeconds(kind, archId, contender, o.quick) + (contender === order[0] ? PROBE_SECONDS : 0))})`,
          );
          if (r.status === 'skipped') {
            const line = `${contender} skipped: ${r.reason}`;
            if (!result.skips.includes(line)) result.skips.push(line);
          }
        }
      }
      result.trials = trial + 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

// --- report ---------------------------------------------------------------------------------------

export function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 10_000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** Median of the per-trial values (the middle one, or the mean of the two middle ones). */
function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function metric(cell: Cell | undefined, name: string): number | null {
  const v = cell?.status === 'ok' ? cell.trials[name] : undefined;
  return v && v.length > 0 ? medianOf(v) : null;
}

export const cellOf = (b: Block, c: ContenderId) => b.cells.find((x) => x.contender === c);
const show = (v: number | null) => (v === null ? '-' : fmt(v));
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
const shown = (cell: Cell | undefined, name: string) =>
  cell?.status === 'ok' ? show(metric(cell, name)) : (cell?.status ?? '-');

export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function notes(blocks: Block[]): string[] {
  const out = new Set<string>();
  for (const b of blocks)
    for (const c of b.cells)
      if (c.status !== 'ok') out.add(`- ${c.contender} (${b.arch}, ${b.threads}t): ${c.status}: ${c.reason}`);
  return out.size > 0 ? ['', ...out] : [];
}

function checks(blocks: Block[]): string[] {
  const lines = blocks.flatMap((b) =>
    b.cells
      .filter((c) => c.checks.length > 0)
      .map((c) => `- ${b.arch} ${b.threads}t / ${c.contender}: ${c.checks[0]}`),
  );
  return lines.length === 0
    ? []
    : ['', `<details><summary>checks (${lines.length})</summary>`, '', ...lines, '', '</details>'];
}

export function renderVersus(r: VersusResult): string[] {
  const out: string[] = [];
  const train = r.blocks.filter((b) => b.kind === 'train');
  for (const threads of r.threads) {
    const blocks = train.filter((b) => b.threads === threads);
    if (blocks.length === 0) continue;
    out.push(
      `## fit() vs a numpy loop and PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`,
      '',
      `Samples/s of training (${EPOCHS_PER_CALL} epochs per timed call, same rows, network, optimizer, batch size; median of the trials); ` +
        "the last column: fastmlp's training GFLOP/s (the products of forward and backward) over the 512^3 sgemm GFLOP/s of the same process.",
      `${showCapacityRange(blocks.flatMap((b) => b.capacity))}.`,
      '',
      ...table(
        ['network', 'fastmlp', 'numpy', 'torch', 'vs numpy', 'vs torch', 'training / sgemm'],
        blocks.map((b) => {
          const f = metric(cellOf(b, 'fastmlp'), 'fit');
          const flops = Number(cellOf(b, 'fastmlp')?.info[0]?.flopsPerSample ?? Number.NaN);
          const sgemm = metric(cellOf(b, 'fastmlp'), 'sgemm512');
          const fraction =
            f !== null && sgemm !== null ? `${((100 * f * flops) / 1e9 / sgemm).toFixed(0)}%` : '-';
          return [
            `${archById(b.arch).label}, ${b.rows} rows`,
            shown(cellOf(b, 'fastmlp'), 'fit'),
            shown(cellOf(b, 'numpy'), 'fit'),
            shown(cellOf(b, 'torch'), 'fit'),
            ratio(f, metric(cellOf(b, 'numpy'), 'fit')),
            ratio(f, metric(cellOf(b, 'torch'), 'fit')),
            fraction,
          ];
        }),
      ),
      ...notes(blocks),
      ...checks(blocks),
      '',
    );
  }
  const startup = train.filter((b) => metric(cellOf(b, 'fastmlp'), 'startup') !== null);
  if (startup.length > 0)
    out.push(
      '## One fit() call of 1 epoch vs one epoch inside a 4-epoch fit',
      '',
      'The time of `fit(X, y, { epochs: 1 })` over a quarter of `fit(X, y, { epochs: 4 })`, in the same process: what checking, copying, shuffling and setting up cost beyond an epoch (1.00x: nothing).',
      `${showCapacityRange(startup.flatMap((b) => b.capacity))}.`,
      '',
      ...table(
        ['network', 'threads', '1-epoch fit / epoch of a 4-epoch fit'],
        startup.map((b) => [
          `${archById(b.arch).label}, ${b.rows} rows`,
          String(b.threads),
          `${(metric(cellOf(b, 'fastmlp'), 'startup') as number).toFixed(2)}x`,
        ]),
      ),
      '',
    );
  if (r.threads.length > 1 && train.length > 0) {
    const archs = [...new Set(train.map((b) => b.arch))];
    const caps = r.capacity.filter((c): c is Capacity => !('skip' in c));
    const machine = caps.length > 0 ? medianOf(caps.map((c) => c.all / c.one)) : null;
    out.push(
      '## Thread scaling of fit()',
      '',
      `fastmlp samples/s by thread count; speedup over 1 thread and efficiency per thread (speedup / threads). The machine's own FMA peak on all ${caps[0]?.threads ?? '?'} threads was ${machine === null ? 'not probed' : `${machine.toFixed(2)}x`} its 1-thread peak (median of this run's probes): a shared machine caps the scaling there.`,
      `${showCapacityRange(train.flatMap((b) => b.capacity))}.`,
      '',
      ...table(
        [
          'network',
          ...r.threads.map((t) => `${t}t samples/s`),
          ...r.threads.slice(1).map((t) => `${t}t speedup (efficiency)`),
        ],
        archs.map((a) => {
          const at = (t: number) => {
            const b = train.find((x) => x.arch === a && x.threads === t);
            return b ? metric(cellOf(b, 'fastmlp'), 'fit') : null;
          };
          const one = at(1);
          return [
            archById(a).label,
            ...r.threads.map((t) => show(at(t))),
            ...r.threads.slice(1).map((t) => {
              const v = at(t);
              return v === null || one === null
                ? '-'
                : `${(v / one).toFixed(2)}x (${((100 * v) / one / t).toFixed(0)}%)`;
            }),
          ];
        }),
      ),
      '',
    );
  }
  const predict = r.blocks.filter((b) => b.kind === 'predict');
  for (const threads of r.threads) {
    const blocks = predict.filter((b) => b.threads === threads);
    if (blocks.length === 0) continue;
    const big = PREDICT_BATCHES.at(-1) as number;
    out.push(
      `## predict() vs onnxruntime-node, ${threads} thread${threads > 1 ? 's' : ''}`,
      '',
      `Batch 1: us per call (lower is better); larger batches: samples/s. ORT's intraOpNumThreads = ${threads}. Inputs are Float32Array; the last row: fastmlp from number[][] (vs its Float32Array row).`,
      `${showCapacityRange(blocks.flatMap((b) => b.capacity))}.`,
      '',
      ...table(
        ['network', 'batch', 'fastmlp', 'onnxruntime-node', 'fastmlp speedup'],
        blocks.flatMap((b) => {
          const f = cellOf(b, 'fastmlp');
          const o = cellOf(b, 'ort');
          return [
            ...PREDICT_BATCHES.map((n) => {
              const a = metric(f, `b${n}`);
              const c = metric(o, `b${n}`);
              return [
                archById(b.arch).label,
                String(n),
                shown(f, `b${n}`),
                shown(o, `b${n}`),
                n === 1 ? ratio(c, a) : ratio(a, c),
              ];
            }),
            [
              archById(b.arch).label,
              `${big} from number[][]`,
              shown(f, `b${big}-arrays`),
              '',
              ratio(metric(f, `b${big}-arrays`), metric(f, `b${big}`)),
            ],
          ];
        }),
      ),
      ...notes(blocks),
      ...checks(blocks),
      '',
    );
  }
  const memory = r.blocks.filter((b) => b.kind === 'memory');
  if (memory.length > 0) {
    // the split into the fit's arrays and the rest: in runs recorded since it was measured
    const split = memory.some((b) => metric(cellOf(b, 'fastmlp'), 'arraysCopies') !== null);
    out.push(
      "## Peak memory of a fit beyond the caller's data",
      '',
      split
        ? "Peak RSS growth during one 1-epoch `fit()` on a Float32Array (X and its labels already in memory), in MB and in copies of the caller's rows, a row being a row of X and its label (goal: at most 1). Split in two: the arrays the fit holds per row (its copy of X, the targets, one-hot for classes, and the shuffled order: counted exactly) in copies of the caller's rows, and the rest, which does not grow with the rows (gradients, workspaces, copies of the weights, the worker threads; `npx tsx bench/fit-memory-parts.ts` measures it stage by stage)."
        : "Peak RSS growth during one 1-epoch `fit()` on a Float32Array (X and its labels already in memory), in MB and in copies of the caller's rows (goal: at most 1).",
      `${showCapacityRange(memory.flatMap((b) => b.capacity))}.`,
      '',
      ...table(
        [
          'network',
          'rows',
          "caller's data, MB",
          'peak growth, MB',
          "copies of the caller's rows",
          ...(split ? ["the fit's arrays, copies", 'the rest, MB'] : []),
        ],
        memory.map((b) => {
          const f = cellOf(b, 'fastmlp');
          return [
            archById(b.arch).label,
            String(b.rows),
            f?.info[0] ? fmt(Number(f.info[0].dataMB)) : '-',
            shown(f, 'growthMB'),
            shown(f, 'growthCopies'),
            ...(split ? [shown(f, 'arraysCopies'), shown(f, 'restMB')] : []),
          ];
        }),
      ),
      ...notes(memory),
      '',
    );
  }
  if (r.skips.length > 0) out.push('Skipped:', '', ...r.skips.map((s) => `- ${s}`), '');
  return out;
}

export { showCapacity };
export const ALL_ARCH_IDS = ARCHS.map((a) => a.id);
