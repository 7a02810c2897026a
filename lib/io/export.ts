// net.export(path, { format }): the model in another library's format. One writer per format:
// it checks the path and takes the state's bytes at once (a bad path is a TypeError or
// RangeError, nothing written), and returns the function that writes them.
import type { ModelState } from '../model-state.js';
import { expectObject, expectOneOf, invalidArgument, rejectUnknownKeys } from '../validate.js';
import { preparePyTorch } from './pytorch/write.js';

type Writer = (path: string, state: ModelState) => () => Promise<void>;

export const EXPORT_WRITERS = {
  pytorch: preparePyTorch,
} as const satisfies Record<string, Writer>;

export type ExportFormat = keyof typeof EXPORT_WRITERS;
export const EXPORT_FORMATS = Object.keys(EXPORT_WRITERS) as ExportFormat[];

export interface ExportOptions {
  /** 'pytorch': a safetensors state dict of the matching torch.nn.Sequential and a .py file beside it. */
  format: ExportFormat;
}

/** Checks export's arguments (before anything is written) and returns its writer. */
export function exportWriter(path: unknown, options: unknown): Writer {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidArgument('path', 'a file path', path);
  }
  const o = expectObject(options, 'options');
  rejectUnknownKeys(o, ['format'], 'export');
  return EXPORT_WRITERS[expectOneOf(o.format, 'options.format', EXPORT_FORMATS)];
}
