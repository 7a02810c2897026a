// `fastmlp train --resume m.safetensors`: continues training a saved model. The model keeps its
// weights, optimizer state and step count, and its schedule's position (a fit given the same
// schedule continues it: without --schedule the saved one is reused). Architecture flags that
// disagree with the model are an error naming them; optimizer flags change the optimizer between
// fits as `net.optimizer = ...` does (state kept within a family, lib/optimizer-switch.ts).
import { DEFAULTS } from '../engine/contract.js';
import { Network } from '../network.js';
import type { ScheduleOptions } from '../schedule.js';
import type { OptimizerSpec } from '../spec.js';
import { CliError, type Values } from './args.js';
import type { Prepared, TrainSettings } from './training.js';
import { defaultLearningRate, outputFor, sameNumbers } from './training.js';

/** Flags whose values set the optimizer (the rest of the optimizer comes from the model). */
const OPTIMIZER_FLAGS: [flag: string, key: keyof OptimizerSpec, setting: keyof TrainSettings][] = [
  ['lr', 'learningRate', 'lr'],
  ['momentum', 'momentum', 'momentum'],
  ['nesterov', 'nesterov', 'nesterov'],
  ['weight-decay', 'weightDecay', 'weightDecay'],
  ['beta1', 'beta1', 'beta1'],
  ['beta2', 'beta2', 'beta2'],
  ['epsilon', 'epsilon', 'epsilon'],
  ['rho', 'rho', 'rho'],
  ['clip-norm', 'clipNorm', 'clipNorm'],
  ['clip-value', 'clipValue', 'clipValue'],
];

/** The flags given that disagree with the saved model, each with what the model has. */
function conflicts(net: Network, s: TrainSettings, values: Values, prepared: Prepared): string[] {
  const found: string[] = [];
  const hidden = net.layers.slice(0, -1);
  if (
    values.layers !== undefined &&
    !sameNumbers(
      s.layers,
      hidden.map((l) => l.units),
    )
  )
    found.push(`--layers ${s.layers.join(',')} (the model has ${hidden.map((l) => l.units).join(',')})`);
  if (values.activation !== undefined && hidden.some((l) => l.activation !== s.activation))
    found.push(`--activation ${s.activation} (the model has ${hidden.map((l) => l.activation).join(',')})`);
  if (
    s.dropout !== undefined &&
    !sameNumbers(
      s.dropout,
      hidden.map((l) => l.dropout),
    )
  )
    found.push(`--dropout ${values.dropout} (the model has ${hidden.map((l) => l.dropout).join(',')})`);
  if (s.loss !== undefined && s.loss !== net.loss) found.push(`--loss ${s.loss} (the model has ${net.loss})`);
  if (s.huberDelta !== undefined && s.huberDelta !== net.huberDelta)
    found.push(`--huber-delta ${s.huberDelta} (the model has ${net.huberDelta ?? 'no huber loss'})`);
  if (s.standardize && net.inputScaling === null)
    found.push('--standardize (the model has no input scaling; it keeps what it was trained with)');
  const inputs = prepared.data.X[0].length;
  if (inputs !== net.inputs)
    found.push(`--data ${prepared.data.name} (${inputs} features; the model takes ${net.inputs})`);
  else {
    const out = outputFor(prepared.data, net.loss);
    if (out.units !== net.outputs)
      found.push(
        `--data ${prepared.data.name} (its target needs ${out.units} outputs; the model has ${net.outputs})`,
      );
  }
  const modelNames = net.classNames;
  const dataNames = prepared.data.classNames;
  if (modelNames && dataNames?.some((name, i) => modelNames[i] !== name))
    found.push(
      `--data ${prepared.data.name} (classes ${dataNames.join(',')}; the model has ${modelNames.join(',')})`,
    );
  return found;
}

/** The optimizer to continue with: the model's, changed only by the flags given. */
function resumedOptimizer(net: Network, s: TrainSettings, values: Values): OptimizerSpec | null {
  const given = OPTIMIZER_FLAGS.filter(([flag]) => values[flag] !== undefined);
  const renamed = values.optimizer !== undefined && s.optimizer !== net.optimizer.kind;
  if (given.length === 0 && !renamed) return null;
  const o = net.optimizer;
  // A new optimizer name starts from its own defaults (as `net.optimizer = ...`); the same keeps the model's numbers.
  const spec: Record<string, unknown> = renamed
    ? { name: s.optimizer, learningRate: defaultLearningRate(s.optimizer) }
    : {
        name: o.kind,
        learningRate: o.learningRate,
        ...(o.kind === 'adam' || o.kind === 'adamw' ? { beta1: o.beta1, beta2: o.beta2 } : {}),
        ...(o.kind === 'adam' || o.kind === 'adamw' || o.kind === 'rmsprop' ? { epsilon: o.epsilon } : {}),
        ...(o.kind === 'rmsprop' ? { rho: o.rho } : {}),
        ...(o.momentum !== DEFAULTS.momentum[o.kind] ? { momentum: o.momentum } : {}),
        weightDecay: o.weightDecay,
        ...(o.clipNorm === null ? {} : { clipNorm: o.clipNorm }),
        ...(o.clipValue === null ? {} : { clipValue: o.clipValue }),
      };
  for (const [, key, setting] of given) spec[key] = s[setting];
  return spec as unknown as OptimizerSpec;
}

/**
 * Loads `s.resume` for more training on `prepared`. Refuses flags that disagree with the model
 * (all of them in one message); fills `s` with the model's optimizer and schedule so the run's
 * description and report say what actually trains.
 */
export async function resumeNetwork(s: TrainSettings, values: Values, prepared: Prepared): Promise<Network> {
  const path = s.resume as string;
  const net = await Network.load(path, {
    engine: s.engine,
    ...(s.threads === undefined ? {} : { threads: s.threads }),
  });
  try {
    const found = conflicts(net, s, values, prepared);
    if (found.length > 0)
      throw new CliError(`--resume ${path}: flags that disagree with the model: ${found.join('; ')}`);
    const optimizer = resumedOptimizer(net, s, values);
    if (optimizer) net.optimizer = optimizer;
    const o = net.optimizer;
    s.optimizer = o.kind;
    s.lr = o.learningRate;
    s.clipNorm = o.clipNorm ?? undefined;
    s.clipValue = o.clipValue ?? undefined;
    const saved = net.toJSON().metadata.scheduleState?.schedule as ScheduleOptions | undefined;
    if (s.schedule === undefined && saved) s.schedule = saved;
    return net;
  } catch (error) {
    net.dispose();
    throw error;
  }
}
