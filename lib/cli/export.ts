// `fastmlp export`: a saved model written in another format (net.export), for serving elsewhere.
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS } from '../io/export.js';
import { pythonPathOf } from '../io/pytorch/write.js';
import { CliError, choice, parseCommand, requiredString } from './args.js';
import { checkDistinctFiles, checkWritable, writeOutput } from './output.js';
import { loadModel } from './predict.js';

const FORMATS = EXPORT_FORMAT_NAMES.map((name) => `${name.padEnd(8)} ${EXPORT_FORMATS[name].what}`);

const HELP = `Usage: fastmlp export --model <file> --format <${EXPORT_FORMAT_NAMES.join('|')}> --out <file>

Writes a saved model in another format: the same predictions, for another runtime.

  --model, -m <file>   a model written by fastmlp train --out (or Network.save)
  --format <name>      the format to write:
${FORMATS.map((line) => `                         ${line}`).join('\n')}
  --out, -o <file>     the file to write
  --verbose, --help`;

export async function exportCommand(argv: string[]): Promise<number> {
  const values = parseCommand('export', argv, {
    model: { type: 'string', short: 'm' },
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const modelPath = requiredString(values, 'model', 'export');
  requiredString(values, 'format', 'export');
  const format = choice(values, 'format', EXPORT_FORMAT_NAMES[0], EXPORT_FORMAT_NAMES);
  const out = requiredString(values, 'out', 'export');
  checkWritable(out, '--out');
  // pytorch writes a Python file beside --out: it too must not be the model
  const written = format === 'pytorch' ? [out, pythonPath(out)] : [out];
  checkDistinctFiles(
    [{ option: '--model', path: modelPath }],
    written.map((path) => ({ option: '--out', path })),
  );
  const net = await loadModel(modelPath, 'ts'); // export computes nothing: no engine needed
  await writeOutput('--out', out, () => net.export(out, { format }));
  process.stdout.write(`${modelPath} exported as ${format} to ${written.join(' and ')}\n`);
  return 0;
}

function pythonPath(out: string): string {
  try {
    return pythonPathOf(out);
  } catch {
    throw new CliError(
      `--out ${out}: the Python file is written beside it as .py; give a path not ending in .py`,
    );
  }
}
