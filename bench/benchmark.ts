// `npm run bench`: the driver. Runs every workload (bench/workloads/) on every engine of the map
// (bench/engines.ts), each trial in a fresh child process, engines interleaved per case so a
// noisy moment hits them alike; then prints medians, speedups and the targets, side by side.
// By default it runs the comparison with what users would pick instead (bench/versus/: fit-vs,
// predict-vs, fit-memory); the engine-level workloads run when named in --only, or with --all.
// Usage: tsx bench/benchmark.ts [--quick] [--all] [--only fit-vs,predict-vs,fit-memory,gemm,train,seeds,predict,model-files,first-predict-memory,fit-copies,optimizers,dropout]
//                               [--archs tabular,mnist,wide,deep] [--threads 1,2] [--engines ts,tfjs-cpu] [--trials N] [--minutes M] [--per-case] [--json file]
// --minutes M (default DEFAULT_MINUTES on a full run): the comparison starts no trial round after
// the third that would end past M minutes, so a loaded machine still ends near M with >= 3 trials.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ENGINE_ORDER, ENGINES } from './engines.js';
import { describeMachine } from './machine.js';
import { FULL_BUDGET, QUICK_BUDGET, stats } from './measure.js';
import { addOutcome, type CaseResult, format, renderWorkload, type WorkloadResult } from './report.js';
import { type BenchRun, readBenchRun } from './results.js';
import { checkTargets, renderTargets } from './targets.js';
import type { TrialOutput, TrialSpec } from './trial.js';
import { type CaseSpec, type EngineId, MARKER, type Outcome } from './types.js';
import type { ArchId } from './versus/archs.js';
import { probeCapacity, showCapacity } from './versus/capacity.js';
import { expectedSeconds, showDuration } from './versus/duration.js';
import { renderGoals } from './versus/goals.js';
import { CONTENDERS } from './versus/protocol.js';
import {
  ALL_ARCH_IDS,
  DEFAULT_MINUTES,
  DEFAULT_TRIALS,
  findPython,
  planVersus,
  renderVersus,
  runVersus,
  threadCounts,
  VERSUS_SUITES,
  type VersusOptions,
  type VersusSuite,
} from './versus/suite.js';
import { WORKLOADS } from './workloads/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITES = Object.keys(VERSUS_SUITES) as VersusSuite[];
const NAMES = [...SUITES, ...WORKLOADS.map((w) => w.name)];
const USAGE = `Usage: tsx bench/benchmark.ts [--quick] [--all] [--only ${NAMES.join(',')}] [--archs ${ALL_ARCH_IDS.join(',')}] [--threads 1,2] [--engines ts,native-2t,...] [--trials N] [--minutes M] [--per-case] [--json file] | --report file.json`;

interface Options {
  quick: boolean;
  only: string[];
  /** Networks and thread counts of the comparison suites. */
  archs: string[];
  threads: number[] | null;
  engines: EngineId[];
  trials: number;
  perCase: boolean;
  /** The comparison's time budget (minutes), or null: no budget (--quick's default). */
  minutes: number | null;
  json: string | null;
  /** Re-render the tables of an earlier --json file instead of running. */
  report: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: SUITES,
    archs: ALL_ARCH_IDS,
    threads: null,
    engines: ENGINE_ORDER,
    trials: DEFAULT_TRIALS.full,
    perCase: false,
    minutes: null,
    json: null,
    report: null,
  };
  let trials: number | null = null;
  let minutes: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`Expected a value after ${arg}\n${USAGE}`);
      return v;
    };
    const list = <T extends string>(known: readonly T[], what: string): T[] =>
      value()
        .split(',')
        .map((s) => {
          if (!known.includes(s as T))
            throw new RangeError(`Unknown ${what} '${s}'; expected one of ${known.join(', ')}`);
          return s as T;
        });
    if (arg === '--quick') o.quick = true;
    else if (arg === '--only') o.only = list(NAMES, 'workload');
    else if (arg === '--all') o.only = NAMES;
    else if (arg === '--archs') o.archs = list(ALL_ARCH_IDS, 'network');
    else if (arg === '--threads') {
      o.threads = value().split(',').map(Number);
      if (!o.threads.every((t) => Number.isInteger(t) && t >= 1 && t <= os.cpus().length))
        throw new RangeError(`Expected --threads to list integers in 1..${os.cpus().length} (the cores)`);
    } else if (arg === '--engines') o.engines = list(ENGINE_ORDER, 'engine');
    else if (arg === '--trials') trials = Number(value());
    else if (arg === '--minutes') minutes = Number(value());
    else if (arg === '--json') o.json = value();
    else if (arg === '--per-case') o.perCase = true;
    else if (arg === '--report') o.report = value();
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new RangeError(`Unknown option ${arg}\n${USAGE}`);
  }
  o.trials = trials ?? DEFAULT_TRIALS[o.quick ? 'quick' : 'full'];
  if (!Number.isInteger(o.trials) || o.trials < 1)
    throw new RangeError('Expected --trials to be a positive integer');
  o.minutes = minutes ?? (o.quick ? null : DEFAULT_MINUTES);
  if (o.minutes !== null && !(o.minutes > 0))
    throw new RangeError('Expected --minutes to be a positive number of minutes');
  return o;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const python = findPython('numpy');

interface Job {
  workload: string;
  cases: CaseSpec[];
}

interface ChildResult {
  output: TrialOutput;
  seconds: number;
}

function outcomesFor(jobs: Job[], outcome: Outcome): TrialOutput {
  return Object.fromEntries(
    jobs.map((j) => [j.workload, Object.fromEntries(j.cases.map((c) => [c.id, outcome]))]),
  );
}

/** Runs one trial in a fresh process: a node child (fastmlp, tfjs) or a python one (openblas, gemm only). */
function runChild(engine: EngineId, jobs: Job[], quick: boolean): Promise<ChildResult> {
  const def = ENGINES[engine];
  let command: string[];
  const env: NodeJS.ProcessEnv = { ...process.env, FASTMLP_THREADS: String(def.threads) };
  if (def.kind === 'python') {
    if (!python)
      return Promise.resolve({
        output: outcomesFor(jobs, {
          status: 'skipped',
          reason: 'not installed: no python3 that imports numpy',
        }),
        seconds: 0,
      });
    const budget = quick ? QUICK_BUDGET : FULL_BUDGET;
    const cases = jobs.flatMap((j) =>
      j.workload === 'gemm'
        ? j.cases.map(({ id, label, unit, higherIsBetter, params }) => ({
            id,
            label,
            unit,
            higherIsBetter,
            params,
          }))
        : [],
    );
    command = [python, 'bench/workloads/openblas_gemm.py', JSON.stringify({ cases, budget })];
    for (const v of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'])
      env[v] = String(def.threads);
  } else {
    const spec: TrialSpec = {
      engine,
      quick,
      jobs: jobs.map((j) => ({ workload: j.workload, cases: j.cases.map((c) => c.id) })),
    };
    command = [process.execPath, '--import', 'tsx', 'bench/trial.ts', JSON.stringify(spec)];
  }
  if (def.pinOneCore && hasTaskset) command = ['taskset', '-c', '0', ...command];
  const started = performance.now();
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
    const limit = quick ? 120 : 900;
    const timer = setTimeout(() => child.kill('SIGKILL'), limit * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        output: outcomesFor(jobs, { status: 'failed', reason: `could not start: ${error.message}` }),
        seconds: 0,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
      if (line) {
        const parsed = JSON.parse(line.slice(MARKER.length));
        return resolve({ output: def.kind === 'python' ? { gemm: parsed } : parsed, seconds });
      }
      const why = signal === 'SIGKILL' ? `timed out after ${limit} s` : `exited with ${code ?? signal}`;
      const last = stderr.trim().split('\n').slice(-3).join(' / ');
      resolve({
        output: outcomesFor(jobs, { status: 'failed', reason: `child ${why}${last ? `: ${last}` : ''}` }),
        seconds,
      });
    });
  });
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.report) {
    const saved = readBenchRun(opts.report);
    const targets = checkTargets(saved.workloads, saved.options.quick);
    const shown = [
      ...(saved.versus ? [...renderVersus(saved.versus), ...renderGoals(saved.versus)] : []),
      ...saved.workloads.flatMap(renderWorkload),
    ];
    console.log([...shown, ...(saved.workloads.length > 0 ? renderTargets(targets) : [])].join('\n'));
    return;
  }
  const started = performance.now();
  const versusOptions: VersusOptions = {
    quick: opts.quick,
    trials: opts.trials,
    suites: SUITES.filter((s) => opts.only.includes(s)),
    archs: opts.archs as ArchId[],
    threads: opts.threads ?? undefined,
    minutes: opts.minutes ?? undefined,
  };
  const engineWorkloads = WORKLOADS.filter((w) => opts.only.includes(w.name)).map((w) => w.name);
  const expected = expectedSeconds(planVersus(versusOptions), opts.trials, opts.quick);
  const budget =
    opts.minutes === null || opts.trials <= DEFAULT_TRIALS.min
      ? ''
      : ` (after ${DEFAULT_TRIALS.min} trials, no trial round starts that would end past ${opts.minutes} min: --minutes)`;
  const machine = await describeMachine();
  const capacity = probeCapacity();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const header = [
    `# fastmlp benchmark${opts.quick ? ' (quick)' : ''}`,
    '',
    `- expected duration: about ${showDuration(expected)} on a quiet ${os.cpus().length}-core machine${budget}${engineWorkloads.length > 0 ? `, plus the engine-level workloads (${engineWorkloads.join(', ')}): not estimated` : ''}; a loaded machine takes longer`,
    `- date: ${machine.date}; git ${machine.git}`,
    `- machine: ${machine.os}; ${machine.cpu}; ${machine.cores} logical cores; load average at start ${machine.loadAverage.join(' ')}`,
    `- CPU features: ${machine.cpuFlags.join(' ') || 'unknown'}`,
    `- kernels: fastmlp's engine ${machine.nativeKernel} (engineInfo().native.kernel); FMA probe ${'skip' in capacity ? 'n/a' : capacity.kernel} (the widest FMA unit this CPU runs)`,
    `- native addon: ${machine.nativeStatus}`,
    `- capacity at start: ${showCapacity(capacity)} (probed again before every round: beside each table)`,
    `- node ${machine.node}; fastmlp ${machine.fastmlp}; @tensorflow/tfjs ${machine.tfjs}; tfjs-backend-wasm ${machine.tfjsBackendWasm}`,
    ...(SUITES.some((s) => opts.only.includes(s))
      ? [
          `- comparison (${SUITES.filter((s) => opts.only.includes(s)).join(', ')}): ${opts.trials} trial(s) per contender, network and thread count, each a fresh process, contenders taking turns; threads ${(opts.threads ?? threadCounts()).join(', ')}${hasTaskset ? ' (each process pinned to that many cores)' : ' (taskset missing: not pinned)'}; contenders:`,
          ...Object.values(CONTENDERS).map((c) => {
            const where = c.module
              ? `; ${findPython(c.module) ?? `no Python interpreter imports ${c.module}: skipped`}`
              : '';
            return `  - ${c.id}: ${c.note}${where}`;
          }),
        ]
      : []),
    ...(WORKLOADS.some((w) => opts.only.includes(w.name))
      ? [
          `- ${opts.trials} trial(s) per engine, each a fresh process per ${opts.quick ? 'engine' : opts.perCase ? 'case' : 'workload'}${hasTaskset ? '' : ' (taskset missing: native-1t not pinned)'}; engines:`,
          ...opts.engines.map((e) => `  - ${e}: ${ENGINES[e].note}`),
        ]
      : []),
    '',
  ];
  log(header.join('\n'));

  const results: WorkloadResult[] = [];
  const versus = versusOptions.suites.length > 0 ? await runVersus(versusOptions, log) : null;
  for (const workload of WORKLOADS.filter((w) => opts.only.includes(w.name))) {
    const engines = workload.engines.filter((e) => opts.engines.includes(e));
    const cases: CaseResult[] = workload.cases(opts.quick).map((c) => ({ ...c, results: {} }));
    results.push({ name: workload.name, title: workload.title, engines, cases });
  }
  // Default: per trial, one process per (workload, engine), engines taking turns. --per-case: one
  // process per (case, engine), engines interleaved per case. --quick: one process per engine
  // for everything (process start-up, ~1-5 s with tfjs, would dominate).
  let trialsDone = 0;
  const notApplicable = (w: WorkloadResult, e: EngineId, c: CaseSpec) =>
    WORKLOADS.find((x) => x.name === w.name)?.skip?.(e, c) ?? null;
  const applicable = (w: WorkloadResult, e: EngineId, cases: CaseResult[]): Job[] => {
    const kept = cases.filter((c) => {
      const reason = notApplicable(w, e, c);
      if (reason && trialsDone === 0) addOutcome(c, e, { status: 'skipped', reason: `n/a: ${reason}` });
      return reason === null;
    });
    return kept.length > 0 ? [{ workload: w.name, cases: kept }] : [];
  };
  const rounds: { engines: EngineId[]; jobs: (engine: EngineId) => Job[] }[] = opts.quick
    ? [
        {
          engines: opts.engines,
          jobs: (e) => results.filter((w) => w.engines.includes(e)).flatMap((w) => applicable(w, e, w.cases)),
        },
      ]
    : opts.perCase
      ? results.flatMap((w) =>
          w.cases.map((c) => ({ engines: w.engines, jobs: (e: EngineId) => applicable(w, e, [c]) })),
        )
      : results.map((w) => ({ engines: w.engines, jobs: (e: EngineId) => applicable(w, e, w.cases) }));
  const skipped = new Map<EngineId, string>();
  for (let trial = 0; trial < opts.trials; trial++) {
    for (const round of rounds) {
      const probe = probeCapacity();
      if (!('skip' in probe))
        for (const w of results)
          if (round.engines.some((e) => w.engines.includes(e))) w.capacity = [...(w.capacity ?? []), probe];
      const order = round.engines.map((_, i) => round.engines[(i + trial) % round.engines.length]); // rotate who goes first
      for (const engine of order) {
        const jobs = round.jobs(engine);
        if (jobs.length === 0) continue;
        const known = skipped.get(engine);
        const { output, seconds } = known
          ? { output: outcomesFor(jobs, { status: 'skipped', reason: known }), seconds: 0 }
          : await runChild(engine, jobs, opts.quick);
        for (const job of jobs) {
          const w = results.find((r) => r.name === job.workload)!;
          for (const spec of job.cases) {
            const c = w.cases.find((x) => x.id === spec.id)!;
            const outcome: Outcome = output[job.workload]?.[c.id] ?? {
              status: 'failed',
              reason: 'no result from the child',
            };
            addOutcome(c, engine, outcome);
            if (outcome.status === 'skipped' && !outcome.reason.startsWith('n/a'))
              skipped.set(engine, outcome.reason);
            if (known) continue;
            const shown =
              outcome.status === 'ok'
                ? `${format(stats(outcome.values).median)} ${c.unit} (median of ${outcome.values.length})`
                : `${outcome.status}: ${outcome.reason}`;
            log(
              `[${w.name} ${trial + 1}/${opts.trials}] ${c.label} / ${engine}: ${shown}  (process ${seconds.toFixed(1)} s)`,
            );
          }
        }
      }
    }
    trialsDone++;
  }

  const targets = results.length > 0 ? checkTargets(results, opts.quick) : [];
  const elapsed = (performance.now() - started) / 1000;
  const stopped =
    versus && (versus.trials ?? opts.trials) < opts.trials
      ? [
          `Stopped after ${versus.trials} of ${opts.trials} trials by the ${opts.minutes}-minute budget (--minutes): every table below has ${versus.trials} trials per contender.`,
          '',
        ]
      : [];
  const report = [
    ...header,
    ...stopped,
    ...(versus ? [...renderVersus(versus), ...renderGoals(versus)] : []),
    ...results.flatMap(renderWorkload),
    ...(results.length > 0 ? renderTargets(targets) : []),
    `Total ${showDuration(elapsed)} (expected about ${showDuration(expected)}); load average at end ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}.`,
  ];
  console.log(report.join('\n'));
  if (opts.json) {
    const json: BenchRun = {
      machine,
      capacity,
      options: opts,
      elapsedSeconds: elapsed,
      expectedSeconds: expected,
      versus,
      workloads: results,
      targets,
    };
    writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${opts.json}`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
