// ONNX messages as plain objects shaped like onnx.proto's (protobufjs' camelCase field names), and
// a small builder that adds nodes and initializers to a graph. Nothing here encodes: encode.ts
// hands the finished ModelProto to protobufjs, so graphs are built and inspected without it.
import { LITTLE_ENDIAN_HOST } from '../safetensors.js';

/** onnx.proto's TensorProto.DataType.FLOAT and .BOOL, and AttributeProto.AttributeType's FLOAT and INT. */
export const FLOAT = 1;
export const ATTRIBUTE_FLOAT = 1;
export const ATTRIBUTE_INT = 2;

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
}

export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  /** The values as little-endian float32 bytes, row-major (onnx.proto's raw_data). */
  rawData: Buffer;
}

export interface ValueInfoProto {
  name: string;
  docString: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimParam: string } | { dimValue: number })[] } } };
}

export interface GraphProto {
  name: string;
  docString: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  metadataProps: { key: string; value: string }[];
}

/** A float attribute (LeakyRelu's alpha) or an integer one (Softmax's axis). */
export const floatAttribute = (name: string, f: number): AttributeProto => ({
  name,
  type: ATTRIBUTE_FLOAT,
  f,
});
export const intAttribute = (name: string, i: number): AttributeProto => ({ name, type: ATTRIBUTE_INT, i });

/** A float tensor input [batch, width] whose first dimension is free (dim_param 'batch'). */
export function batchTensor(name: string, width: number, docString: string): ValueInfoProto {
  return {
    name,
    docString,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  };
}

/** Collects a graph's nodes and initializers in the order they are added (so the bytes are too). */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];

  /** A float32 constant of shape `dims` named `name` (a Float32Array's bytes are viewed, not copied); returns the name. */
  constant(name: string, dims: number[], values: ArrayLike<number>): string {
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: littleEndianFloats(values) });
    return name;
  }

  /** One node computing `output` (its name too) from `inputs`; returns `output`. */
  node(opType: string, inputs: string[], output: string, attribute: AttributeProto[] = []): string {
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute });
    return output;
  }

  /** Renames the value `from` (a node's output) to `to`: the graph's last value becomes its output. */
  rename(from: string, to: string): void {
    for (const node of this.nodes) {
      node.output = node.output.map((name) => (name === from ? to : name));
      node.input = node.input.map((name) => (name === from ? to : name));
      if (node.name === from) node.name = to;
    }
  }
}

/**
 * Float32 values as little-endian bytes, raw_data's layout on every host: on a little-endian host
 * a Float32Array's own bytes (a view, no copy: the caller's state is a snapshot), else a copy.
 * A Buffer, not a plain Uint8Array: protobufjs copies a Buffer with one memcpy.
 */
function littleEndianFloats(values: ArrayLike<number>): Buffer {
  const floats = values instanceof Float32Array ? values : new Float32Array(values);
  if (LITTLE_ENDIAN_HOST) return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  const bytes = Buffer.alloc(floats.length * 4);
  floats.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
  return bytes;
}
