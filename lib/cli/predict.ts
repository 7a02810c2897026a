// `fastmlp predict` (class and probabilities per row of a table file, as CSV) and `fastmlp
// evaluate` (loss and the task's metrics of a saved model on a labelled table file).

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { columnarFormat, readColumnar } from '../data/arrow.js';
import { textOf } from '../data/table.js';
import { Network } from '../network.js';
import { ENGINE_CHOICES } from '../spec.js';
import { CliError, choice, type OptionTable, parseCommand, requiredString, stringValue } from './args.js';
import { labelsForModel, readColumnarFeatures, readTable } from './data.js';
import { evaluationJSON, evaluationLines } from './evaluation.js';
import { checkDistinctFiles, checkWritable, emit, writeOutput } from './output.js';
import { targetsFor } from './training.js';

const PREDICT_HELP = `Usage: fastmlp predict --model <file> --data <file> [--id column] [--out preds.csv]

Writes one CSV row per input row: the predicted class and each class's probability (or the
predicted values for a regression model), to stdout unless --out is given.

  --model, -m <file>         a model written by fastmlp train --out (or Network.save)
  --data, -d <file>          rows of raw features: a CSV, or an Arrow / Feather (.arrow, .arrows,
                             .ipc, .feather) or Parquet (.parquet) file. A model trained from a
                             table knows its columns:
                             they are matched by header name (order free, other columns such as
                             the target or an id ignored; a headerless file is matched by
                             position). Otherwise every column is a feature unless --target
                             names a label column to skip
  --target <column>          a label column present in the file, ignored
  --id <column>              copy this column first into each output row (a row id)
  --out, -o <file.csv>       write here instead of stdout
  --engine <auto|native|ts>  (default auto)
  --verbose, --help`;

const EVALUATE_HELP = `Usage: fastmlp evaluate --model <file> --data <file> [--target column]

Prints the model's loss and its task's metrics (accuracy, macro precision, recall and f1; or
mae, rmse and r2 for regression) on a labelled CSV (class names are matched to the model's).

  --model, -m <file>         a model written by fastmlp train --out
  --data, -d <file>          features and a label column: a CSV, Arrow, Feather or Parquet file
  --target <column>          the label column (default: the model's target when it was trained
                             from a CSV, else fromCSV's choice)
  --json                     print one JSON object
  --engine <auto|native|ts>  (default auto)
  --verbose, --help`;

const COMMON: OptionTable = {
  model: { type: 'string', short: 'm' },
  data: { type: 'string', short: 'd' },
  target: { type: 'string' },
  engine: { type: 'string' },
};

/** Loads a model file for the CLI: a missing or unreadable file is one CliError line. */
export async function loadModel(path: string, engine: (typeof ENGINE_CHOICES)[number]): Promise<Network> {
  if (!existsSync(path)) throw new CliError(`no such model file: '${path}'`);
  try {
    return await Network.load(path, { engine });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot load model '${path}': ${message}`);
  }
}

function checkWidth(X: number[][], net: Network, path: string, hint: string): void {
  const width = X[0]?.length ?? 0;
  if (X.length === 0) throw new CliError(`'${path}' has no data rows`);
  if (width !== net.inputs) {
    throw new CliError(`'${path}' has ${width} feature columns but the model takes ${net.inputs}${hint}`);
  }
}

/** A model is a classifier when its output is sigmoid or softmax. */
function isClassifier(net: Network): boolean {
  return net.task !== 'regression';
}

/**
 * One text cell. Spreadsheets evaluate a cell starting with = + - @ tab or CR as a formula, so
 * such a cell gets a leading ' as OWASP advises (class names come from files a user may not
 * control); a plain number like -1 is no formula and stays as it is. Then quoted when needed.
 */
function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Reads a features-only CSV: a header row, then numbers. */
async function readFeatures(path: string): Promise<number[][]> {
  if (!existsSync(path)) throw new CliError(`no such file: '${path}'`);
  const rows = parse(await readFile(path, 'utf8'), { skip_empty_lines: true, trim: true }) as string[][];
  const body =
    rows.length > 0 && rows[0].some((c) => c === '' || !Number.isFinite(Number(c))) ? rows.slice(1) : rows;
  return body.map((row, i) =>
    row.map((cell, j) => {
      const v = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(v))
        throw new CliError(`'${path}' row ${i + 1}, column ${j + 1}: '${cell}' is not a number`);
      return v;
    }),
  );
}

/** One column of a table file with a header, by name, as text (the --id column; null as ''). */
async function readColumn(path: string, name: string, rows: number): Promise<string[]> {
  const format = columnarFormat(path);
  let header: string[];
  let values: string[];
  if (format !== null) {
    const table = await readColumnar(path, format);
    header = table.names;
    const j = header.indexOf(name);
    const cells = j < 0 ? [] : Array.from(table.column(j));
    values = cells.map((c) => (c === null || c === undefined || Number.isNaN(c) ? '' : textOf(c)));
  } else {
    const records = parse(await readFile(path, 'utf8'), {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as string[][];
    header = records[0] ?? [];
    const j = header.indexOf(name);
    values = records.slice(1).map((row) => row[j] ?? '');
  }
  if (!header.includes(name)) {
    throw new CliError(
      `--id names a column '${name}' that '${path}' does not have (its header: ${header.join(', ')})`,
    );
  }
  if (values.length !== rows)
    throw new CliError(`'${path}' has ${values.length} rows for --id but ${rows} to predict`);
  return values;
}

export async function predictCommand(argv: string[]): Promise<number> {
  const values = parseCommand('predict', argv, {
    ...COMMON,
    out: { type: 'string', short: 'o' },
    id: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${PREDICT_HELP}\n`);
    return 0;
  }
  const modelPath = requiredString(values, 'model', 'predict');
  const dataPath = requiredString(values, 'data', 'predict');
  const target = stringValue(values, 'target');
  const idColumn = stringValue(values, 'id');
  const out = stringValue(values, 'out');
  if (out) checkWritable(out, '--out');
  checkDistinctFiles(
    [
      { option: '--model', path: modelPath },
      { option: '--data', path: dataPath },
    ],
    [{ option: '--out', path: out }],
  );
  const net = await loadModel(modelPath, choice(values, 'engine', 'auto', ENGINE_CHOICES));
  const schema = net.schema;
  const X = schema
    ? (await readTable(dataPath, undefined, { schema })).X
    : columnarFormat(dataPath) !== null
      ? await readColumnarFeatures(dataPath, target)
      : target === undefined
        ? await readFeatures(dataPath)
        : (await readTable(dataPath, target)).X;
  checkWidth(X, net, dataPath, target === undefined ? ' (name a label column to skip with --target)' : '');
  const ids = idColumn === undefined ? null : await readColumn(dataPath, idColumn, X.length);
  const outputs = net.predict(X);
  const lines: string[] = [];
  const idCell = (i: number): string[] => (ids === null ? [] : [csvField(ids[i])]);
  const idHeader = idColumn === undefined ? [] : [idColumn];
  if (isClassifier(net)) {
    const count = net.outputs === 1 ? 2 : net.outputs;
    const names = net.classNames ?? Array.from({ length: count }, (_, i) => String(i));
    lines.push([...idHeader, 'class', ...names.map((n) => `p_${n}`)].map(csvField).join(','));
    outputs.forEach((row, i) => {
      const probs = net.outputs === 1 ? [1 - row[0], row[0]] : row;
      let best = 0;
      for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
      const cells = [csvField(names[best]), ...probs.map((p) => String(Number(p.toPrecision(6))))];
      lines.push([...idCell(i), ...cells].join(','));
    });
  } else {
    const header = net.outputs === 1 ? ['prediction'] : outputs[0].map((_, j) => `prediction_${j + 1}`);
    lines.push([...idHeader, ...header].map(csvField).join(','));
    outputs.forEach((row, i) => {
      lines.push([...idCell(i), ...row.map((v) => String(Number(v.toPrecision(7))))].join(','));
    });
  }
  const text = `${lines.join('\n')}\n`;
  if (out) {
    await writeOutput('--out', out, () => writeFile(out, text));
    process.stderr.write(`${outputs.length} predictions written to ${out}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

export async function evaluateCommand(argv: string[]): Promise<number> {
  const values = parseCommand('evaluate', argv, { ...COMMON, json: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(`${EVALUATE_HELP}\n`);
    return 0;
  }
  const modelPath = requiredString(values, 'model', 'evaluate');
  const dataPath = requiredString(values, 'data', 'evaluate');
  const net = await loadModel(modelPath, choice(values, 'engine', 'auto', ENGINE_CHOICES));
  const schema = net.schema;
  const targetOption = stringValue(values, 'target');
  // with a schema the file is read by column name and its labels numbered by the model's classes
  const table = await readTable(dataPath, targetOption, schema ? { schema } : {});
  if (schema && table.y.length === 0) {
    throw new CliError(
      `'${dataPath}' has no target column '${targetOption ?? schema.target}' to evaluate against (name it with --target)`,
    );
  }
  checkWidth(table.X, net, dataPath, ' (is --target the label column?)');
  const classifier = isClassifier(net);
  const y = classifier && !schema ? labelsForModel(table.y, table.classNames, net.classNames) : table.y;
  const result = net.evaluate(table.X, targetsFor(net, y));
  // the task's metrics, per-class scores and (classification) the confusion matrix
  const context = { rows: table.X.length, lossName: net.loss, classNames: net.classNames };
  if (values.json) emit(evaluationJSON(result, context));
  else process.stdout.write(`${evaluationLines(result, context).join('\n')}\n`);
  return 0;
}
