// ONNX export: a model state as an ONNX file (model.ts builds the graph, encode.ts the bytes),
// written durably as save writes model files.
import type { ModelState } from '../../model-state.js';
import { fastmlpVersion } from '../../version.js';
import { replaceFile } from '../replace-file.js';
import { encodeOnnx } from './encode.js';
import { onnxModel } from './model.js';

export { decodeOnnx } from './encode.js';
export { INPUT_NAME, ONNX_OPSET, OUTPUT_NAME } from './model.js';

/** The ONNX file of a state as bytes. */
export async function onnxBytes(state: ModelState): Promise<Uint8Array> {
  return encodeOnnx(onnxModel(state, fastmlpVersion()));
}

/** Writes `state` (a snapshot the caller owns) as an ONNX file at `path`. */
export async function writeOnnx(path: string, state: ModelState): Promise<void> {
  await replaceFile(path, await onnxBytes(state));
}
