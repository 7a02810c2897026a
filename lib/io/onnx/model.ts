// A model state as an ONNX model: what net.predict computes, as graph operators. Input
// 'input' [batch, inputs] float32 (the encoded row net.predict takes) -> the schema's fill values
// where a value is NaN (missing) -> input scaling -> per layer Gemm (MatMul without bias) and its
// activation -> regression target scaling undone -> output 'output' [batch, outputs]
// (probabilities for sigmoid and softmax outputs, values in the targets' units for regression).
// Dropout is the identity at inference and has no node. Pure; the weights' initializers view the
// state's Float32Arrays (export hands it a snapshot), so encode before the state changes.
import { taskOf } from '../../engine/contract.js';
import { layoutOf, type ModelState } from '../../model-state.js';
import { encodedNames, type TableSchema } from '../../schema.js';
import { activationOps } from './activations.js';
import { batchTensor, GraphBuilder, type ModelProto } from './graph.js';

/** The operator set the graph uses: every operator here has had its current form since opset 13. */
export const ONNX_OPSET = 17;
/** IR version 8: the one of ONNX 1.12, the release that introduced opset 17 (readers since ORT 1.13). */
export const ONNX_IR_VERSION = 8;
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

/** The ONNX model of `state`; `version` is fastmlp's (producer_version and metadata). */
export function onnxModel(state: ModelState, version: string): ModelProto {
  const { spec, params, metadata } = state;
  const { schema, inputScaling, targetScaling, classNames } = metadata;
  const graph = new GraphBuilder();
  let x = INPUT_NAME;
  if (schema) {
    // missing values arrive as NaN: a numeric column takes its fill value, a categorical
    // feature whose columns are all NaN its fill category's one-hot
    const missing = graph.node('IsNaN', [x], 'schema.missing');
    const fill = graph.constant('schema.fill', [spec.inputs], fillRow(schema));
    x = graph.node('Where', [missing, fill, x], 'schema.filled');
  }
  if (inputScaling) {
    const mean = graph.constant('input_scaling.mean', [spec.inputs], inputScaling.mean);
    const std = graph.constant('input_scaling.std', [spec.inputs], inputScaling.std);
    x = graph.node(
      'Div',
      [graph.node('Sub', [x, mean], 'input_scaling.centered'), std],
      'input_scaling.scaled',
    );
  }
  const layout = layoutOf(spec);
  spec.layers.forEach((layer, i) => {
    const { w, b, inputs, units } = layout.layers[i];
    const name = `layers.${i}`;
    const W = graph.constant(`${name}.weight`, [inputs, units], params.subarray(w, w + inputs * units));
    // X is (batch, inputs), W is (inputs, units): Z = X W + b, as the engines' dense layer
    const z =
      b >= 0
        ? graph.node(
            'Gemm',
            [x, W, graph.constant(`${name}.bias`, [units], params.subarray(b, b + units))],
            `${name}.z`,
          )
        : graph.node('MatMul', [x, W], `${name}.z`);
    x = activationOps(layer.activation, i)(graph, z, `${name}.${layer.activation}`);
  });
  if (targetScaling) {
    const outputs = targetScaling.mean.length;
    const std = graph.constant('target_scaling.std', [outputs], targetScaling.std);
    const mean = graph.constant('target_scaling.mean', [outputs], targetScaling.mean);
    x = graph.node(
      'Add',
      [graph.node('Mul', [x, std], 'target_scaling.scaled'), mean],
      'target_scaling.unscaled',
    );
  }
  graph.rename(x, OUTPUT_NAME);
  const last = spec.layers[spec.layers.length - 1];
  const task = taskOf(last.activation, last.units, spec.loss);
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'fastmlp',
    producerVersion: version,
    docString: `A fastmlp network (${task}); metadata_props hold its class and feature names`,
    graph: {
      name: 'fastmlp',
      docString: '',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [batchTensor(INPUT_NAME, spec.inputs, inputDoc(schema))],
      output: [batchTensor(OUTPUT_NAME, last.units, outputDoc(task, targetScaling !== null))],
    },
    metadataProps: metadataProps({ version, task, classNames, schema }),
  };
}

/** One fill value per input: a numeric feature's fill, a categorical feature's fill one-hot. */
function fillRow(schema: TableSchema): number[] {
  return schema.features.flatMap((f) =>
    f.kind === 'numeric' ? [f.fill] : f.categories.map((c) => (c === f.fill ? 1 : 0)),
  );
}

function inputDoc(schema: TableSchema | null): string {
  const row = 'One row per sample: the raw features as net.predict takes them';
  if (!schema) return `${row}.`;
  return `${row}, encoded by the table schema in metadata_props (feature_names: a numeric feature's value, one 0/1 column per category); NaN marks a missing value, filled as the schema says.`;
}

function outputDoc(task: string, unscaled: boolean): string {
  if (task === 'regression')
    return unscaled ? "Predicted values in the targets' units." : 'Predicted values.';
  if (task === 'binary')
    return 'The probability of class 1 (class_names[1] when the model names its classes).';
  if (task === 'multilabel') return "Each label's probability.";
  return "Each class's probability.";
}

/** The metadata_props entries, in a fixed order (the file's bytes depend on it); absent values left out. */
function metadataProps(m: {
  version: string;
  task: string;
  classNames: string[] | null;
  schema: TableSchema | null;
}): { key: string; value: string }[] {
  const entries: [string, string | null][] = [
    ['fastmlp_version', m.version],
    ['task', m.task],
    ['class_names', m.classNames && JSON.stringify(m.classNames)],
    ['feature_names', m.schema && JSON.stringify(encodedNames(m.schema))],
    ['target', m.schema?.target ?? null],
    ['schema', m.schema && JSON.stringify(m.schema)],
  ];
  return entries.filter((e): e is [string, string] => e[1] !== null).map(([key, value]) => ({ key, value }));
}
