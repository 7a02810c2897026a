// net.export and `fastmlp export`: the formats a model can be exported to, one row each, and the
// one function that checks export's options and writes. A format's writer is imported when it is
// first used, so its optional packages load only then. Adding a format is one row here.
import type { ModelState } from '../model-state.js';
import { expectObject, invalidArgument, outOfRange, rejectUnknownKeys } from '../validate.js';
import { reason } from './file-reason.js';
import { checkPath } from './model-file.js';

/** Writes a state (a snapshot the caller owns: nothing else changes it meanwhile) at `path`. */
export type ExportWriter = (path: string, state: ModelState) => Promise<void>;

export interface ExportFormat {
  /** What the file is, for --help and the README. */
  what: string;
  writer: () => Promise<ExportWriter>;
}

export const EXPORT_FORMATS = {
  onnx: {
    what: 'an ONNX model (opset 17) for ONNX Runtime, onnxruntime-web, Triton',
    writer: async () => (await import('./onnx/index.js')).writeOnnx,
  },
  pytorch: {
    what: "a torch.nn.Sequential's state dict (safetensors) and the Python file that loads it, beside it as .py",
    writer: async () => {
      const { preparePyTorch } = await import('./pytorch/write.js');
      return (path, state) => preparePyTorch(path, state)();
    },
  },
} satisfies Record<string, ExportFormat>;

export type ExportFormatName = keyof typeof EXPORT_FORMATS;
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as ExportFormatName[];

/** net.export's options. */
export interface ExportOptions {
  /** The file format: 'onnx' or 'pytorch'. Required. */
  format: ExportFormatName;
}

/** Checked export options; a TypeError or RangeError naming the option otherwise. */
export function checkExportOptions(options: unknown): ExportOptions {
  const o = expectObject(options, 'options');
  rejectUnknownKeys(o, ['format'], 'export');
  const expected = `one of ${EXPORT_FORMAT_NAMES.map((n) => `'${n}'`).join(', ')}`;
  if (typeof o.format !== 'string') throw invalidArgument('options.format', expected, o.format);
  if (!Object.hasOwn(EXPORT_FORMATS, o.format)) throw outOfRange('options.format', expected, o.format);
  return { format: o.format as ExportFormatName };
}

/** Writes `state` at `path` in `format`; a failure names the file and the reason. */
export async function exportModel(path: string, state: ModelState, options: ExportOptions): Promise<void> {
  checkPath(path);
  const write = await EXPORT_FORMATS[options.format].writer();
  try {
    await write(path, state);
  } catch (cause) {
    // what the model cannot be exported as (an activation without an operator) as it is
    if (cause instanceof TypeError || cause instanceof RangeError) throw cause;
    throw new Error(`Cannot export ${options.format} file ${path}: ${reason(cause)}`, { cause });
  }
}
