// `fastmlp info`: which engine 'auto' picks and why, the native addon's state (CPU kernel,
// default threads, or the reason it is missing and the command that builds it), and versions.
import { availableParallelism, cpus } from 'node:os';
import { engineInfo } from '../engine/info.js';
import { fastmlpVersion } from '../version.js';
import { parseCommand, stringValue } from './args.js';
import { emit } from './output.js';

export { fastmlpVersion };

const HELP = `Usage: fastmlp info [--json] [--model <file>]

Prints the engine 'auto' picks and why, the native addon's CPU kernel and threads (or why it is
not available and how to build it), and the node and fastmlp versions.

  --model, -m <file>  print a saved model's summary instead: its layers (units, activation,
                      dropout, parameters, output shape), total parameters, optimizer, loss, task
  --json              print one JSON object`;

export async function infoCommand(argv: string[]): Promise<number> {
  const values = parseCommand('info', argv, {
    json: { type: 'boolean' },
    model: { type: 'string', short: 'm' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const modelPath = stringValue(values, 'model');
  if (modelPath !== undefined) return modelInfo(modelPath, values.json === true);
  const engines = engineInfo();
  const { native } = engines;
  const threads = native.defaultThreads ?? availableParallelism();
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
  const info = {
    fastmlp: fastmlpVersion(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    engine: engines.engine,
    why: engines.reason,
    env: engines.forced,
    native: {
      available: native.available,
      reason: native.available ? null : native.status,
      fix: native.available ? null : native.build,
      path: native.path,
      source: native.source,
      version: native.version,
      kernel: native.kernel,
      defaultThreads: native.defaultThreads,
    },
    threads,
    cpu,
    cores: availableParallelism(),
  };
  if (values.json) {
    emit(info);
    return 0;
  }
  const lines = [
    `fastmlp ${info.fastmlp} on node ${info.node} (${info.platform})`,
    `engine:  ${info.engine} (auto) - ${info.why}`,
  ];
  if (info.env !== null) lines.push(`         FASTMLP_ENGINE=${info.env} is set and overrides 'auto'`);
  if (native.available) {
    lines.push(`native:  available, kernel ${native.kernel ?? 'unknown'}, ${threads} threads by default`);
    lines.push(
      `         ${native.path} (${native.source ?? 'unknown'}, fastmlp ${native.version ?? 'unknown'})`,
    );
  } else {
    lines.push(`native:  not available: ${native.status}`);
    lines.push(`         build it with: ${native.build}`);
  }
  lines.push(`cpu:     ${cpu}, ${info.cores} cores`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `fastmlp info --model <file>`: the saved network's summary (Network.summary), or its facts as JSON. */
async function modelInfo(path: string, json: boolean): Promise<number> {
  const { loadModel } = await import('./predict.js');
  const net = await loadModel(path, 'auto');
  if (json) {
    emit({
      type: 'model',
      path,
      inputs: net.inputs,
      outputs: net.outputs,
      layers: net.layers,
      parameters: net.parameterCount,
      loss: net.loss,
      task: net.task,
      optimizer: net.optimizer,
      steps: net.steps,
      classNames: net.classNames,
      summary: net.summary(),
    });
    return 0;
  }
  const classes = net.classNames ? `, classes ${net.classNames.join(', ')}` : '';
  process.stdout.write(`model ${path}: ${net.steps} optimizer steps taken${classes}\n${net.summary()}\n`);
  return 0;
}
