// `fastmlp sweep`: seed 003's learning-rate study. One training per rate, all from the same seed
// (so the same initial weights and split), then every loss curve in one chart (--report).
// Ctrl-C stops the current run, skips the rest, and still writes the report.

import { basename } from 'node:path';
import { CLI_DEFAULTS } from '../engine/contract.js';
import { loadReportPackages } from '../optional.js';
import type { History } from '../train.js';
import { CliError, numberList, type OptionTable, parseCommand, stringValue } from './args.js';
import { helpText, optionsFor, parserTable } from './options.js';
import { checkDistinctFiles, checkWritable, dataFile, emit, formatSeconds, writeOutput } from './output.js';
import { formatMetric, type ProgressMode } from './progress.js';
import { finalMetrics, settingsRows } from './train.js';
import { buildNetwork, installInterrupt, prepareData, readTrainSettings, runTraining } from './training.js';

const SWEEP = CLI_DEFAULTS.sweep;

const HELP = `Usage: fastmlp sweep --lr <r1,r2,...> [train options] [--report sweep.html]

Trains once per learning rate, from the same initial weights, and plots every loss curve in one
chart, as seed 003 does (its study: --lr 2,1,0.5,0.3,0.2,0.1 on moons, full-batch sgd).

  --lr <r1,r2,...>           learning rates (default 2,1,0.5,0.3,0.2,0.1)
  --report <file.html>       write the loss curves and a results table

${helpText(optionsFor('sweep').filter((o) => o.name !== 'lr' && o.name !== 'report'))}

Defaults here follow seed 003: --data ${SWEEP.data} --optimizer ${SWEEP.optimizer} --epochs ${SWEEP.epochs} --batch-size ${SWEEP.batchSize}.`;

const OPTIONS: OptionTable = parserTable(optionsFor('sweep'));

const SEED_003_RATES = [2, 1, 0.5, 0.3, 0.2, 0.1];

interface RunSummary {
  learningRate: number;
  history: History;
  seconds: number;
  train: { loss: number; accuracy: number | null };
  test: { loss: number; accuracy: number | null } | null;
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const values = parseCommand('sweep', argv, OPTIONS);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const rates = numberList(values, 'lr', SEED_003_RATES, 'positive numbers', (v) => v > 0);
  if (new Set(rates).size !== rates.length) throw new CliError(`--lr lists a rate twice: '${values.lr}'`);
  const s = readTrainSettings({ ...values, lr: undefined }, 'sweep', SWEEP);
  const report = stringValue(values, 'report');
  if (report) {
    checkWritable(report, '--report');
    await loadReportPackages(); // before training: a missing optional package fails fast, by name
  }
  checkDistinctFiles([dataFile(s.data)], [{ option: '--report', path: report }]);
  const prepared = await prepareData(s);
  const say = (line: string) => (s.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(
    `fastmlp sweep: ${prepared.data.name}, ${s.optimizer}, ${s.epochs} epochs per rate, rates ${rates.join(', ')}`,
  );

  const controller = new AbortController();
  const uninstall = installInterrupt(controller, (line) => process.stderr.write(`${line}\n`));
  const runs: RunSummary[] = [];
  let net = buildNetwork(s, prepared, rates[0]);
  try {
    for (const lr of rates) {
      if (controller.signal.aborted) break;
      net = buildNetwork(s, prepared, lr);
      const mode: ProgressMode = s.json
        ? 'json'
        : process.stdout.isTTY
          ? 'bar'
          : s.logEvery
            ? 'lines'
            : 'quiet';
      const run = await runTraining(
        net,
        { ...s, lr },
        prepared,
        { mode, logEvery: s.logEvery, label: `lr ${lr}`, extra: { lr } },
        controller.signal,
      );
      const metrics = finalMetrics(net, prepared);
      const summary: RunSummary = {
        learningRate: lr,
        history: run.history,
        seconds: run.seconds,
        ...metrics,
      };
      runs.push(summary);
      if (s.json) {
        emit({
          type: 'run',
          lr,
          epochs: run.history.epochs,
          stopReason: run.history.stopReason,
          seconds: run.seconds,
          ...metrics,
        });
      } else {
        say(describe(summary));
      }
    }
    if (report && runs.length > 0) {
      const { sweepReportHTML, writeReport } = await import('../report/index.js');
      const html = await sweepReportHTML({
        title: `fastmlp sweep: ${basename(prepared.data.name)}`,
        subtitle: `Loss per epoch for ${runs.length} learning rates (${s.optimizer}, batch ${s.batchSize}, engine ${net.engine})`,
        runs,
        settings: settingsRows({ ...s }, prepared, net).filter(([k]) => k !== 'optimizer'),
        header: ['learning rate', 'epochs', 'final loss', 'train acc.', 'test loss', 'test acc.', 'time'],
        results: runs.map((r) => [
          String(r.learningRate),
          String(r.history.epochs),
          formatMetric(r.train.loss),
          percent(r.train.accuracy),
          r.test ? formatMetric(r.test.loss) : '-',
          percent(r.test?.accuracy ?? null),
          formatSeconds(r.seconds),
        ]),
        notes: [`Optimizer ${s.optimizer}; every run starts from the weights seed ${s.seed} draws.`],
      });
      await writeOutput('--report', report, () => writeReport(report, html));
    }
    const aborted = controller.signal.aborted;
    if (s.json) {
      emit({ type: 'summary', rates, completed: runs.length, aborted, report: report ?? null });
    } else {
      if (aborted) say(`stopped by Ctrl-C after ${runs.length} of ${rates.length} rates`);
      if (report) say(`report written to ${report}`);
    }
    return aborted ? 130 : 0;
  } finally {
    uninstall();
  }
}

function percent(x: number | null): string {
  return x === null ? '-' : `${(100 * x).toFixed(1)}%`;
}

function describe(r: RunSummary): string {
  let line = `lr ${String(r.learningRate).padEnd(6)} loss ${formatMetric(r.train.loss)}`;
  if (r.train.accuracy !== null) line += `  accuracy ${percent(r.train.accuracy)}`;
  if (r.test) line += `  test loss ${formatMetric(r.test.loss)}`;
  if (r.test?.accuracy !== null && r.test?.accuracy !== undefined)
    line += `  test accuracy ${percent(r.test.accuracy)}`;
  return `${line}  (${r.history.epochs} epochs, ${formatSeconds(r.seconds)})`;
}
