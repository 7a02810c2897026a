// `fastmlp export`: a saved model in another library's format (net.export's formats).
import { EXPORT_FORMATS } from '../io/export.js';
import { pythonPathOf } from '../io/pytorch/write.js';
import { CliError, choice, parseCommand, requiredString } from './args.js';
import { checkDistinctFiles, checkWritable } from './output.js';
import { loadModel } from './predict.js';

const EXPORT_HELP = `Usage: fastmlp export --model <file> --format <${EXPORT_FORMATS.join('|')}> --out <file>

Writes the model for another library.

  --model, -m <file>   a model written by fastmlp train --out (or Network.save)
  --format <name>      pytorch: --out becomes the state dict (safetensors) of the matching
                       torch.nn.Sequential, and a Python file that builds and loads it is
                       written beside it (--out with the extension .py)
  --out, -o <file>     where to write
  --verbose, --help`;

export async function exportCommand(argv: string[]): Promise<number> {
  const values = parseCommand('export', argv, {
    model: { type: 'string', short: 'm' },
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  if (values.help) {
    process.stdout.write(`${EXPORT_HELP}\n`);
    return 0;
  }
  const modelPath = requiredString(values, 'model', 'export');
  requiredString(values, 'format', 'export');
  const format = choice(values, 'format', EXPORT_FORMATS[0], EXPORT_FORMATS);
  const out = requiredString(values, 'out', 'export');
  checkWritable(out, '--out');
  const written = format === 'pytorch' ? [out, pythonPath(out)] : [out];
  checkDistinctFiles(
    [{ option: '--model', path: modelPath }],
    written.map((path) => ({ option: '--out', path })),
  );
  const net = await loadModel(modelPath, 'auto');
  await net.export(out, { format });
  process.stdout.write(`wrote ${written.join(' and ')}\n`);
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
