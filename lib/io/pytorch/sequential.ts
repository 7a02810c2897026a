// A network as the torch.nn.Sequential that computes what predict computes: per layer an
// nn.Linear, its activation as a module of its own (none for 'linear') and nn.Dropout when the
// layer has dropout. The one place that decides module order, state-dict keys and their shapes.
import { type ActivationName, LEAKY_RELU_ALPHA } from '../../engine/contract.js';
import type { ResolvedSpec } from '../../spec.js';

/** Each activation as the module PyTorch prints (its repr), or null: no module ('linear'). */
const ACTIVATION_MODULES: Record<ActivationName, string | null> = {
  sigmoid: 'Sigmoid()',
  relu: 'ReLU()',
  tanh: 'Tanh()',
  leakyRelu: `LeakyReLU(negative_slope=${LEAKY_RELU_ALPHA})`,
  softmax: 'Softmax(dim=-1)',
  linear: null,
};

/** One tensor of the Sequential's state dict, and which layer of ours it is. */
export interface StateTensor {
  /** `<module index>.weight` or `<module index>.bias`, as Sequential.state_dict() names it. */
  name: string;
  /** PyTorch's shape: weight [out_features, in_features], bias [out_features]. */
  shape: number[];
  layer: number;
  kind: 'weight' | 'bias';
}

export interface Sequential {
  /** Each module's repr, as `print(model)` shows it inside Sequential(...). */
  modules: string[];
  tensors: StateTensor[];
}

export function sequentialOf(layers: ResolvedSpec['layers']): Sequential {
  const modules: string[] = [];
  const tensors: StateTensor[] = [];
  layers.forEach(({ inputs, units, activation, useBias, dropout }, layer) => {
    const index = modules.length;
    modules.push(`Linear(in_features=${inputs}, out_features=${units}, bias=${useBias ? 'True' : 'False'})`);
    tensors.push({ name: `${index}.weight`, shape: [units, inputs], layer, kind: 'weight' });
    if (useBias) tensors.push({ name: `${index}.bias`, shape: [units], layer, kind: 'bias' });
    const module = ACTIVATION_MODULES[activation];
    if (module !== null) modules.push(module);
    if (dropout > 0) modules.push(`Dropout(p=${dropout}, inplace=False)`);
  });
  return { modules, tensors };
}
