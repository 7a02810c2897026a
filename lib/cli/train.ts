// `fastmlp train`: trains a network on a built-in data set or a CSV file, shows progress, and
// writes the model (--out) and an HTML report (--report). Ctrl-C stops at the next chunk and
// still writes both; a second Ctrl-C exits at once.
import { basename } from 'node:path';
import { CLI_DEFAULTS } from '../engine/contract.js';
import type { Network } from '../network.js';
import { loadReportPackages } from '../optional.js';
import type { Rows } from '../report/index.js';
import { type OptionTable, parseCommand, stringValue } from './args.js';
import { helpText, optionsFor } from './options.js';
import { checkDistinctFiles, checkWritable, dataFile, emit, formatSeconds, writeOutput } from './output.js';
import { formatMetric } from './progress.js';
import { resumeNetwork } from './resume.js';
import {
  architecture,
  buildNetwork,
  installInterrupt,
  type Prepared,
  prepareData,
  type RunResult,
  readTrainSettings,
  runTraining,
  TRAIN_OPTIONS,
  type TrainSettings,
  targetsFor,
} from './training.js';

const TRAIN = CLI_DEFAULTS.train;

const HELP = `Usage: fastmlp train --data <set|file.csv> [options]

Trains a multilayer perceptron and optionally saves it and an HTML report. Every option sets the
API's option of the same meaning (README: "The fastmlp command"); defaults are the library's
except where marked as the CLI's own.

${helpText(optionsFor('train'))}
  --verbose                   stack traces on errors
  --help, -h                  this text

Ctrl-C stops training after the current chunk and still writes --out and --report (exit code 130).

Example: fastmlp train --data moons --layers 16 --epochs 300 --out moons.safetensors --report moons.html`;

const OPTIONS: OptionTable = TRAIN_OPTIONS;

export async function trainCommand(argv: string[]): Promise<number> {
  const values = parseCommand('train', argv, OPTIONS);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const s = readTrainSettings(values, 'train', TRAIN);
  const out = stringValue(values, 'out');
  const report = stringValue(values, 'report');
  if (out) checkWritable(out, '--out');
  if (report) {
    checkWritable(report, '--report');
    await loadReportPackages(); // before training: a missing optional package fails fast, by name
  }
  checkDistinctFiles(
    [dataFile(s.data)],
    [
      { option: '--out', path: out },
      { option: '--report', path: report },
    ],
  );

  // --out may name the --resume file (the model is read whole before it is written); --report may not.
  if (s.resume)
    checkDistinctFiles([{ option: '--resume', path: s.resume }], [{ option: '--report', path: report }]);
  const prepared = await prepareData(s);
  const net = s.resume ? await resumeNetwork(s, values, prepared) : buildNetwork(s, prepared);
  const say = (line: string) => (s.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(describeRun(s, prepared, net));
  // a CSV's task is inferred from its target column: say why, so a wrong guess is seen (--task overrides)
  if (prepared.data.taskReason !== null) say(`task: ${prepared.data.taskReason}`);

  const controller = new AbortController();
  const uninstall = installInterrupt(controller, (line) => process.stderr.write(`${line}\n`));
  try {
    const mode = s.json ? 'json' : process.stdout.isTTY ? 'bar' : 'lines';
    const run = await runTraining(net, s, prepared, { mode, logEvery: s.logEvery }, controller.signal);
    const metrics = finalMetrics(net, prepared);
    if (out) await net.save(out);
    if (report)
      await writeOutput('--report', report, () => writeTrainReport(report, s, prepared, net, run, metrics));
    const aborted = run.history.stopReason === 'aborted';
    if (s.json) {
      emit({
        type: 'summary',
        epochs: run.history.epochs,
        epochsRequested: s.epochs,
        stopReason: run.history.stopReason,
        seconds: run.seconds,
        samples_per_second: Math.round(run.samplesPerSecond),
        engine: net.engine,
        train: metrics.train,
        test: metrics.test,
        model: out ?? null,
        report: report ?? null,
      });
    } else {
      if (aborted) say(`stopped by Ctrl-C after ${run.history.epochs} of ${s.epochs} epochs`);
      say(
        `trained ${run.history.epochs} epochs in ${formatSeconds(run.seconds)} ` +
          `(${Math.round(run.samplesPerSecond).toLocaleString('en-US')} samples/s, engine ${net.engine})`,
      );
      say(`train: ${metricLine(metrics.train)}`);
      if (metrics.test) say(`test:  ${metricLine(metrics.test)}`);
      if (out) say(`model written to ${out}`);
      if (report) say(`report written to ${report}`);
    }
    return aborted ? 130 : 0;
  } finally {
    uninstall();
  }
}

/** accuracy for classification, mae for regression (the task's headline metric); null otherwise. */
interface Measured {
  loss: number;
  accuracy: number | null;
  mae: number | null;
}

export interface Metrics {
  train: Measured;
  test: Measured | null;
}

export function finalMetrics(net: Network, p: Prepared): Metrics {
  const classify = p.data.task.kind !== 'regression';
  const measure = (X: number[][], y: number[]) => {
    const e = net.evaluate(X, targetsFor(net, y));
    return {
      loss: e.loss,
      accuracy: classify ? (e.accuracy ?? null) : null,
      mae: e.task === 'regression' ? e.mae : null,
    };
  };
  return {
    train: measure(p.XTrain, p.yTrain),
    test: p.XTest.length > 0 ? measure(p.XTest, p.yTest) : null,
  };
}

function metricLine(m: Measured): string {
  const accuracy = m.accuracy === null ? '' : `  accuracy ${(100 * m.accuracy).toFixed(1)}%`;
  return `loss ${formatMetric(m.loss)}${accuracy}${m.mae === null ? '' : `  mae ${formatMetric(m.mae)}`}`;
}

function describeTask(p: Prepared): string {
  const t = p.data.task;
  const kind =
    t.kind === 'binary' ? '2 classes' : t.kind === 'multiclass' ? `${t.classes} classes` : 'regression';
  return `${p.data.X.length} rows, ${p.data.X[0].length} features, ${kind}`;
}

function describeRun(s: TrainSettings, p: Prepared, net: Network): string {
  return (
    `fastmlp train: ${p.data.name} (${describeTask(p)}), ${architecture(net)}, ${net.loss}, ` +
    `${s.optimizer} lr ${s.lr}, ${s.epochs} epochs, batch ${s.batchSize}, engine ${net.engine}` +
    (s.resume ? `, resumed from ${s.resume} after ${net.steps} steps` : '')
  );
}

/** The settings table shared by train and sweep reports. */
export function settingsRows(s: TrainSettings, p: Prepared, net: Network): Rows {
  return [
    ['data', `${p.data.name} (${describeTask(p)})`],
    ['split', `${p.XTrain.length} train, ${p.XTest.length} test (validation ${s.validation})`],
    ['network', `${architecture(net)}, ${net.parameterCount} parameters`],
    ['loss', net.loss],
    [
      'optimizer',
      `${s.optimizer}, learning rate ${s.lr}` +
        (s.clipNorm === undefined ? '' : `, clip norm ${s.clipNorm}`) +
        (s.clipValue === undefined ? '' : `, clip value ${s.clipValue}`),
    ],
    ['batch size', `${s.batchSize}${s.shuffle ? '' : ', not shuffled'}`],
    ...trainingRows(s, net),
    ['standardize', s.standardize ? 'yes (fitted on the training part)' : 'no'],
    ['seed', String(s.seed)],
    ['engine', net.engine],
  ];
}

/** The report's rows for the options that are off unless given: weight decay, dropout, schedule, early stopping, class weights. */
function trainingRows(s: TrainSettings, net: Network): Rows {
  const rows: Rows = [];
  const o = net.optimizer;
  if (o.weightDecay > 0) rows.push(['weight decay', String(o.weightDecay)]);
  const dropout = net.layers.slice(0, -1).map((l) => l.dropout);
  if (dropout.some((d) => d > 0)) rows.push(['dropout', dropout.join(', ')]);
  if (s.schedule) rows.push(['schedule', JSON.stringify(s.schedule)]);
  if (s.earlyStopping) rows.push(['early stopping', JSON.stringify(s.earlyStopping)]);
  if (s.classWeight) rows.push(['class weight', String(s.classWeight)]);
  if (s.resume) rows.push(['resumed from', s.resume]);
  return rows;
}

async function writeTrainReport(
  path: string,
  s: TrainSettings,
  p: Prepared,
  net: Network,
  run: RunResult,
  metrics: Metrics,
): Promise<void> {
  const { trainReportHTML, writeReport } = await import('../report/index.js');
  const { history } = run;
  const rows: Rows = [
    [
      'epochs',
      `${history.epochs} of ${s.epochs}${history.stopReason === 'aborted' ? ' (stopped by Ctrl-C)' : ''}`,
    ],
    [
      'time',
      `${formatSeconds(run.seconds)}, ${Math.round(run.samplesPerSecond).toLocaleString('en-US')} samples/s`,
    ],
    ['train loss', formatMetric(metrics.train.loss)],
  ];
  if (metrics.train.accuracy !== null)
    rows.push(['train accuracy', `${(100 * metrics.train.accuracy).toFixed(1)}%`]);
  if (metrics.train.mae !== null) rows.push(['train mae', formatMetric(metrics.train.mae)]);
  if (metrics.test) {
    rows.push(['test loss', formatMetric(metrics.test.loss)]);
    if (metrics.test.accuracy !== null)
      rows.push(['test accuracy', `${(100 * metrics.test.accuracy).toFixed(1)}%`]);
    if (metrics.test.mae !== null) rows.push(['test mae', formatMetric(metrics.test.mae)]);
  }
  const kind = p.data.task.kind === 'regression' ? 'regression' : net.outputs > 1 ? 'multiclass' : 'binary';
  const classCount = net.outputs === 1 ? 2 : net.outputs;
  const html = await trainReportHTML({
    title: `fastmlp: ${basename(p.data.name)}`,
    subtitle: `${architecture(net)} network, ${net.loss} loss, ${s.optimizer} (lr ${s.lr}), engine ${net.engine}`,
    history,
    settings: settingsRows(s, p, net),
    metrics: rows,
    boundary:
      net.inputs === 2
        ? {
            kind,
            predict: (X) => net.predict(X),
            train: { X: p.XTrain, y: p.yTrain },
            test: { X: p.XTest, y: p.yTest },
            featureNames: p.data.featureNames,
            classNames: net.classNames ?? Array.from({ length: classCount }, (_, i) => String(i)),
          }
        : null,
  });
  await writeReport(path, html);
}
