// ONNX ModelProto objects to bytes with protobufjs (an optional dependency, loaded on the first
// export) and the official schema, onnx.proto, vendored beside this file and read at run time
// (the build copies it into dist/ beside the compiled file: scripts/copy-assets.mjs).
import { fileURLToPath } from 'node:url';
import type { Root } from 'protobufjs';
import { loadProtobuf } from '../../optional.js';
import type { ModelProto } from './graph.js';

let schema: Promise<Root> | undefined;

/** onnx.proto parsed by protobufjs, once per process. */
function onnxSchema(): Promise<Root> {
  schema ??= loadSchema().catch((error: unknown) => {
    schema = undefined; // a later call tries again (the package may have been installed since)
    throw error;
  });
  return schema;
}

async function loadSchema(): Promise<Root> {
  const protobuf = await loadProtobuf();
  return protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
}

/** The model's bytes: protobufjs writes fields in field-number order, so equal models give equal bytes. */
export async function encodeOnnx(model: ModelProto): Promise<Uint8Array> {
  const ModelProtoType = (await onnxSchema()).lookupType('onnx.ModelProto');
  const problem = ModelProtoType.verify(model);
  if (problem) throw new Error(`Internal error: the ONNX model does not match onnx.proto (${problem})`);
  return ModelProtoType.encode(model).finish();
}

/** Reads bytes back into a plain ModelProto object (tests and tools inspect exported files with it). */
export async function decodeOnnx(bytes: Uint8Array): Promise<Record<string, unknown>> {
  const ModelProtoType = (await onnxSchema()).lookupType('onnx.ModelProto');
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, defaults: false });
}
