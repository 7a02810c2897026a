// net.export(path, { format: 'pytorch' }): the state dict of the matching torch.nn.Sequential as
// safetensors (F32, keys and shapes PyTorch's, scaling and class names in __metadata__) and the
// Python file that loads it, beside it with the extension .py. Both files' bytes depend on the
// model only, and are taken before the first await (a fit that starts meanwhile does not reach them).
import { basename, dirname, extname, join } from 'node:path';
import { layoutOf, type ModelState } from '../../model-state.js';
import { invalidArgument } from '../../validate.js';
import { replaceFile } from '../replace-file.js';
import { encodeFile } from '../safetensors.js';
import { pythonSource } from './python.js';
import { sequentialOf } from './sequential.js';

/** The metadata's 'format' and 'version' of an exported state dict. */
export const PYTORCH_FORMAT = 'fastmlp-pytorch';
export const PYTORCH_VERSION = '1';
/** The model metadata an export carries (JSON text, 'null' when unset), and an import reads back. */
export const PYTORCH_METADATA_KEYS = ['inputScaling', 'targetScaling', 'classNames'] as const;

/** The Python file's path: `path` with its extension (if any) replaced by .py. */
export function pythonPathOf(path: string): string {
  if (extname(path) === '.py') {
    throw invalidArgument(
      'path',
      'a path not ending in .py (the Python file is written beside it as .py)',
      path,
    );
  }
  const name = basename(path, extname(path));
  return join(dirname(path), `${name}.py`);
}

/** The safetensors bytes: each Linear's weight transposed to [out, in], then its bias. */
export function encodePyTorch(state: ModelState): Uint8Array {
  const { modules, tensors } = sequentialOf(state.spec.layers);
  const layout = layoutOf(state.spec);
  const metadata: Record<string, string> = {
    format: PYTORCH_FORMAT,
    version: PYTORCH_VERSION,
    modules: JSON.stringify(modules),
  };
  for (const key of PYTORCH_METADATA_KEYS) metadata[key] = JSON.stringify(state.metadata[key] ?? null);
  return encodeFile(
    tensors.map(({ name, shape, layer, kind }) => {
      const { w, b, inputs, units } = layout.layers[layer];
      if (kind === 'bias') return { name, shape, values: state.params.slice(b, b + units) };
      // ours is W (inputs, units) row-major, PyTorch's weight (units, inputs)
      const values = new Float32Array(inputs * units);
      for (let i = 0; i < inputs; i++) {
        for (let j = 0; j < units; j++) values[j * inputs + i] = state.params[w + i * units + j];
      }
      return { name, shape, values };
    }),
    metadata,
  );
}

/** Checks the path and takes both files' bytes now; the returned function writes them. */
export function preparePyTorch(path: string, state: ModelState): () => Promise<void> {
  const python = pythonPathOf(path);
  const bytes = encodePyTorch(state);
  const source = new TextEncoder().encode(
    pythonSource(sequentialOf(state.spec.layers).modules, basename(path)),
  );
  return async () => {
    await replaceFile(path, bytes);
    await replaceFile(python, source);
  };
}
