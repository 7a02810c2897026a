// The words users read state the contract: each option's JSDoc (lib/spec.ts, lib/train-options.ts)
// gives its range in the contract's own words (RANGES[...].expected, what the error message says)
// and its default, and the README's limits are the contract's numbers. A limit or default changed
// in lib/engine/contract.ts and not in the docs fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLI_DEFAULTS,
  DEFAULT_DROPOUT,
  DEFAULTS,
  FIT_DEFAULTS,
  MAX_ELEMENTS,
  MAX_EPOCHS,
  MAX_LAYERS,
  MAX_PARAMS,
  MAX_STEPS,
  MAX_THREADS,
  MAX_UNITS,
  PREDICT_DEFAULTS,
  RANGES,
  type RangeName,
  SCHEDULE_DEFAULTS,
} from '../lib/engine/contract.js';

const source = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The JSDoc comment right above the first `field:` or `field?:` declaration that has one. */
function jsdocOf(text: string, field: string): string {
  const match = new RegExp(String.raw`/\*\*((?:(?!\*/)[\s\S])*)\*/\s*\n\s*${field}\??:`).exec(text);
  if (!match) throw new Error(`no JSDoc above ${field}`);
  return match[1].replace(/\s*\n\s*\*?\s*/g, ' ');
}

/** [file, field, its range in the contract, words its default must appear in (none: no default)] */
const documented: [string, string, RangeName, string | null][] = [
  ['lib/spec.ts', 'inputs', 'units', null],
  ['lib/spec.ts', 'units', 'units', null],
  ['lib/spec.ts', 'layers', 'layerCount', null],
  ['lib/spec.ts', 'layers', 'params', null],
  ['lib/spec.ts', 'seed', 'seed', null],
  ['lib/spec.ts', 'threads', 'threads', null],
  [
    'lib/spec.ts',
    'learningRate',
    'learningRate',
    `Default ${DEFAULTS.learningRate.sgd} for the sgd family and rmsprop, ${DEFAULTS.learningRate.adam} for adam and adamw`,
  ],
  [
    'lib/spec.ts',
    'momentum',
    'momentum',
    `Default ${DEFAULTS.momentum.sgd} for sgd and rmsprop, ${DEFAULTS.momentum.momentum} for 'momentum'`,
  ],
  ['lib/spec.ts', 'beta1', 'beta1', `Default ${DEFAULTS.beta1}.`],
  ['lib/spec.ts', 'beta2', 'beta2', `Default ${DEFAULTS.beta2}.`],
  ['lib/spec.ts', 'epsilon', 'epsilon', `Default ${DEFAULTS.epsilon}.`],
  [
    'lib/spec.ts',
    'weightDecay',
    'weightDecay',
    `Default ${DEFAULTS.weightDecay.sgd} (${DEFAULTS.weightDecay.adamw} for adamw).`,
  ],
  ['lib/spec.ts', 'rho', 'rho', `Default ${DEFAULTS.rho}.`],
  ['lib/spec.ts', 'clipNorm', 'clipNorm', 'Default: no clipping.'],
  ['lib/spec.ts', 'clipValue', 'clipValue', 'Default: no clipping.'],
  ['lib/train-options.ts', 'epochs', 'epochs', `Default ${FIT_DEFAULTS.epochs}.`],
  ['lib/train-options.ts', 'batchSize', 'batchSize', `Default ${FIT_DEFAULTS.batchSize}.`],
  ['lib/train-options.ts', 'validationSplit', 'validationSplit', 'Default 0 (none).'],
  ['lib/train-options.ts', 'logEvery', 'logEvery', 'Default: no printing.'],
  ['lib/train-options.ts', 'patience', 'patience', `Default ${FIT_DEFAULTS.patience}.`],
  ['lib/train-options.ts', 'minDelta', 'minDelta', `Default ${FIT_DEFAULTS.minDelta}.`],
  ['lib/spec.ts', 'dropout', 'dropout', `Default ${DEFAULT_DROPOUT} (none)`],
  ['lib/schedule.ts', 'every', 'scheduleEvery', 'Required.'],
  ['lib/schedule.ts', 'gamma', 'scheduleGamma', `Default ${SCHEDULE_DEFAULTS.stepGamma}.`],
  ['lib/schedule.ts', 'warmupSteps', 'warmupSteps', `Default ${SCHEDULE_DEFAULTS.warmupSteps}.`],
  ['lib/schedule.ts', 'minLearningRate', 'minLearningRate', `Default ${SCHEDULE_DEFAULTS.minLearningRate}.`],
  ['lib/schedule.ts', 'factor', 'plateauFactor', `Default ${SCHEDULE_DEFAULTS.plateauFactor}.`],
  ['lib/schedule.ts', 'patience', 'plateauPatience', `Default ${SCHEDULE_DEFAULTS.plateauPatience}.`],
  ['lib/schedule.ts', 'minDelta', 'minDelta', `Default ${SCHEDULE_DEFAULTS.plateauMinDelta}.`],
  ['lib/network.ts', 'threshold', 'threshold', `Default ${PREDICT_DEFAULTS.threshold}.`],
  ['lib/spec.ts', 'delta', 'huberDelta', `Default ${DEFAULTS.huberDelta.toFixed(1)}.`],
  ['lib/train-options.ts', 'sampleWeight', 'sampleWeight', 'Default: every sample weighs 1.'],
  ['lib/train-options.ts', 'classWeight', 'sampleWeight', null],
  ['lib/train-options.ts', 'validationSampleWeight', 'sampleWeight', 'Default: unweighted.'],
];

describe('the JSDoc of every option states its range and default in the contract’s words', () => {
  it.each(documented)('%s: %s is %s', (file, field, range, defaults) => {
    const doc = jsdocOf(source(file), field);
    expect(doc.toLowerCase()).toContain(RANGES[range].expected.toLowerCase());
    if (defaults !== null) expect(doc).toContain(defaults);
  });
  it('fit defaults that are off are 0 in the contract (no split, no printing)', () => {
    expect(FIT_DEFAULTS.validationSplit).toBe(0);
    expect(FIT_DEFAULTS.logEvery).toBe(0);
  });
});

describe('the README states the contract’s limits and fit defaults', () => {
  const readme = source('README.md').replace(/\s*\n\s*/g, ' ');
  it.each([
    `${MAX_LAYERS.toLocaleString('en-US')} layers`,
    `2^${Math.log2(MAX_UNITS)} units per layer`,
    `2^${Math.log2(MAX_PARAMS)} parameters`,
    `2^${Math.log2(MAX_ELEMENTS)} values per input array`,
    `${MAX_EPOCHS.toLocaleString('en-US')} epochs per fit`,
    `2^${Math.log2(MAX_STEPS + 1)} - 1 optimizer steps`,
    `${MAX_THREADS} threads`,
    `\`epochs\` (1..${MAX_EPOCHS.toLocaleString('en-US')}; default ${FIT_DEFAULTS.epochs})`,
    `n up to 2^${Math.log2(RANGES.batchSize.max)}; default ${FIT_DEFAULTS.batchSize})`,
    `\`validationSplit\` (${RANGES.validationSplit.expected})`,
    `\`patience\` 1..${RANGES.patience.max.toLocaleString('en-US')}, default ${FIT_DEFAULTS.patience}`,
    `\`minDelta\` >= 0, default ${FIT_DEFAULTS.minDelta}`,
    `\`logEvery\` (1..${RANGES.logEvery.max.toLocaleString('en-US')}; default: no printing)`,
    `\`learningRate\` > 0 (${DEFAULTS.learningRate.adam} for adam, ${DEFAULTS.learningRate.sgd} for the sgd family)`,
    `\`epsilon\` > 0 (${DEFAULTS.epsilon})`,
    `\`dropout\` (${RANGES.dropout.expected}; default ${DEFAULT_DROPOUT})`,
    `\`delta\` > 0, default ${DEFAULTS.huberDelta.toFixed(1)}`,
    ...(['train', 'sweep'] as const).map((command) => {
      const d: { data?: string; optimizer: string; epochs: number; batchSize: number | string } =
        CLI_DEFAULTS[command];
      const data = d.data === undefined ? '' : `--data ${d.data} `;
      return `${data}--optimizer ${d.optimizer} --epochs ${d.epochs} --batch-size ${d.batchSize}\``;
    }),
    `${CLI_DEFAULTS.learningRate.adam} for adam and ${CLI_DEFAULTS.learningRate.sgd} for the sgd family`,
  ])('%s', (words) => {
    expect(readme).toContain(words);
  });
});
