// Turns merged trial outcomes into the report: one markdown table of medians [IQR] per workload,
// one of speedups vs the ts engine and vs tfjs-cpu, and the targets from the issues.
import { type Stats, stats } from './measure.js';
import type { CaseSpec, Check, EngineId, Outcome } from './types.js';
import { type Capacity, showCapacityRange } from './versus/capacity.js';

export interface EngineResult {
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** Every timed sample of every trial, in the case's unit. */
  values: number[];
  /** The median of each trial (each a separate process). */
  trialMedians: number[];
  stats?: Stats;
  checks: Check[];
  info: Record<string, number | string | boolean>[];
}

export interface CaseResult extends CaseSpec {
  results: Partial<Record<EngineId, EngineResult>>;
}

export interface WorkloadResult {
  name: string;
  title: string;
  engines: EngineId[];
  cases: CaseResult[];
  /** The machine's FMA peak probed before each round of this workload's trials. */
  capacity?: Capacity[];
}

/** Adds one trial's outcome; a failure in any trial marks the engine failed for that case. */
export function addOutcome(c: CaseResult, engine: EngineId, outcome: Outcome): void {
  const r: EngineResult = c.results[engine] ?? {
    status: 'ok',
    values: [],
    trialMedians: [],
    checks: [],
    info: [],
  };
  c.results[engine] = r;
  if (outcome.status !== 'ok') {
    if (r.status !== 'failed') {
      r.status = outcome.status;
      r.reason = outcome.reason;
    }
    return;
  }
  if (!outcome.check.passed && r.status === 'ok') {
    r.status = 'failed';
    r.reason = `check failed: ${outcome.check.detail}`;
  }
  r.values.push(...outcome.values);
  r.trialMedians.push(stats(outcome.values).median);
  r.checks.push(outcome.check);
  if (outcome.info) r.info.push(outcome.info);
  if (r.values.length > 0) r.stats = stats(r.values);
}

export function format(v: number): string {
  const a = Math.abs(v);
  if (a >= 10_000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function median(c: CaseResult, engine: EngineId): number | null {
  const r = c.results[engine];
  return r?.status === 'ok' && r.stats ? r.stats.median : null;
}

/** How many times faster `engine` is than `base` on this case (> 1: faster), or null. */
export function speedup(c: CaseResult, engine: EngineId, base: EngineId): number | null {
  const a = median(c, engine);
  const b = median(c, base);
  if (a === null || b === null) return null;
  const r = c.higherIsBetter ? a / b : b / a;
  // a zero on either side (no memory growth at all) has no meaningful ratio
  return Number.isFinite(r) && r > 0 ? r : null;
}

function cell(r: EngineResult | undefined): string {
  if (!r) return '-';
  if (r.status === 'skipped') return 'skipped';
  if (r.status === 'failed') return 'FAILED';
  if (!r.stats) return '-';
  const s = r.stats;
  const extrapolated = r.info.some((i) => i.extrapolated !== undefined) ? ' (est.)' : '';
  return `${format(s.median)} [${format(s.q1)}-${format(s.q3)}]${extrapolated}`;
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

export function renderWorkload(w: WorkloadResult): string[] {
  const lines: string[] = [`## ${w.name}: ${w.title}`, ''];
  const units = [
    ...new Set(w.cases.map((c) => `${c.unit} (${c.higherIsBetter ? 'higher' : 'lower'} is better)`)),
  ];
  lines.push(
    `Median [interquartile range] over all timed samples of all trials; unit: ${units.join(', ')}.`,
    `${showCapacityRange(w.capacity ?? [])}.`,
    '',
  );
  lines.push(
    ...table(
      ['case', 'unit', ...w.engines],
      w.cases.map((c) => [c.label, c.unit, ...w.engines.map((e) => cell(c.results[e]))]),
    ),
  );
  const versus = (base: EngineId) => w.engines.filter((e) => e !== base);
  lines.push('', 'Speedup (> 1 = faster), median / median: vs ts | vs tfjs-cpu', '');
  lines.push(
    ...table(
      [
        'case',
        ...versus('ts').map((e) => `${e} vs ts`),
        ...versus('tfjs-cpu').map((e) => `${e} vs tfjs-cpu`),
      ],
      w.cases.map((c) => [
        c.label,
        ...versus('ts').map((e) => ratio(speedup(c, e, 'ts'))),
        ...versus('tfjs-cpu').map((e) => ratio(speedup(c, e, 'tfjs-cpu'))),
      ]),
    ),
  );
  const notes = new Map<string, string>();
  for (const c of w.cases) {
    for (const e of w.engines) {
      const r = c.results[e];
      if (r && r.status !== 'ok' && r.reason) notes.set(`${e}: ${r.status}: ${r.reason}`, '');
      for (const i of r?.info ?? [])
        if (i.extrapolated) notes.set(`${e}, ${c.label}: extrapolated ${i.extrapolated}`, '');
    }
  }
  const checks = w.cases.flatMap((c) =>
    w.engines.flatMap((e) => {
      const r = c.results[e];
      return r?.checks.length ? [`${c.label} / ${e}: ${r.checks[0].detail}`] : [];
    }),
  );
  if (notes.size > 0) lines.push('', ...[...notes.keys()].map((n) => `- ${n}`));
  lines.push(
    '',
    `<details><summary>checks before timing (${checks.length})</summary>`,
    '',
    ...checks.map((c) => `- ${c}`),
    '',
    '</details>',
    '',
  );
  return lines;
}

function ratio(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(v >= 10 ? 1 : 2)}x`;
}
