// Each activation of the contract as ONNX operators (opset 17), in one table: adding an activation
// to lib/engine/contract.ts without a row here fails to compile, and a row of null (or a name the
// table lacks, from a state built elsewhere) makes the export throw an error naming it.
import { type ActivationName, LEAKY_RELU_ALPHA } from '../../engine/contract.js';
import { floatAttribute, type GraphBuilder, intAttribute } from './graph.js';

/** Adds the nodes of an activation applied to the value `z`; returns the value holding the result. */
type ActivationOps = (graph: GraphBuilder, z: string, output: string) => string;

export const ONNX_ACTIVATIONS: Record<ActivationName, ActivationOps | null> = {
  sigmoid: (graph, z, output) => graph.node('Sigmoid', [z], output),
  relu: (graph, z, output) => graph.node('Relu', [z], output),
  tanh: (graph, z, output) => graph.node('Tanh', [z], output),
  // the engines' slope for z <= 0; at z = 0 both give 0
  leakyRelu: (graph, z, output) =>
    graph.node('LeakyRelu', [z], output, [floatAttribute('alpha', LEAKY_RELU_ALPHA)]),
  // over each row (the units): since opset 13 Softmax normalizes along `axis` alone
  softmax: (graph, z, output) => graph.node('Softmax', [z], output, [intAttribute('axis', -1)]),
  linear: (_graph, z) => z,
};

/** The operators of `activation`, or an error naming it and what can be exported. */
export function activationOps(activation: string, layer: number): ActivationOps {
  const ops = Object.hasOwn(ONNX_ACTIVATIONS, activation)
    ? ONNX_ACTIVATIONS[activation as ActivationName]
    : null;
  if (ops === null) {
    const exportable = Object.keys(ONNX_ACTIVATIONS).filter(
      (name) => ONNX_ACTIVATIONS[name as ActivationName],
    );
    throw new TypeError(
      `Cannot export layer ${layer}'s activation '${activation}' to ONNX: no ONNX operator here expresses it (exportable: ${exportable.join(', ')})`,
    );
  }
  return ops;
}
