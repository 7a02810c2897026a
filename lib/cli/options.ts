// The one table of `fastmlp train` / `sweep` options. It feeds the argument parser (parseArgs'
// option table), the `--help` text and the README's options table (test/72 checks the README
// against it), so the three cannot drift. Defaults are read from the contract (DEFAULTS,
// FIT_DEFAULTS, SCHEDULE_DEFAULTS, CLI_DEFAULTS): the CLI and the API share them, and where the
// CLI chooses otherwise (its learning rates, epochs, validation) the row says so.
import {
  ACTIVATIONS,
  CLI_DEFAULTS,
  DEFAULT_DROPOUT,
  DEFAULTS,
  ENGINE_CHOICES,
  FIT_DEFAULTS,
  LOSSES,
  OPTIMIZERS,
  type RangeName,
  SCHEDULE_DEFAULTS,
  SCHEDULE_NAMES,
} from '../engine/contract.js';
import type { OptionTable } from './args.js';

export type OptionGroup = 'Data' | 'Network' | 'Optimizer' | 'Training' | 'Schedule' | 'Output';

export interface CliOption {
  /** The flag without its dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** The value's placeholder in --help (string options). */
  value?: string;
  group: OptionGroup;
  /** What it sets in the API: a NetworkOptions or fit() field, or 'CLI' for the command's own. */
  api: string;
  /** The contract's range a number is checked against (the error quotes its words). */
  range?: RangeName;
  /** The default, in words; '' when there is none. */
  default: string;
  help: string;
  /** Only for this command (default: train and sweep). */
  only?: 'train';
}

const HIDDEN = ACTIVATIONS.filter((a) => a !== 'softmax');
const LR = CLI_DEFAULTS.learningRate;
const LIB_LR = DEFAULTS.learningRate;
const TRAIN = CLI_DEFAULTS.train;

export const CLI_OPTIONS: readonly CliOption[] = [
  // --- data
  {
    name: 'data',
    short: 'd',
    type: 'string',
    value: '<set|file>',
    group: 'Data',
    api: 'CLI',
    default: '',
    help: 'moons, circles, xor, classification, digits, iris, or a table file: CSV, or by extension Arrow IPC / Feather (.arrow, .arrows, .ipc, .feather) or Parquet (.parquet) (required for train)',
  },
  {
    name: 'target',
    type: 'string',
    value: '<column>',
    group: 'Data',
    api: 'datasets.fromCSV target',
    default: "fromCSV's choice",
    help: 'the CSV column holding the label or value',
  },
  {
    name: 'ignore',
    type: 'string',
    value: '<col,...>',
    group: 'Data',
    api: 'datasets.fromCSV ignore',
    default: 'none',
    help: "a table's columns to leave out of the features (an id column); the model then does not ask for them",
  },
  {
    name: 'categorical',
    type: 'string',
    value: '<col,...>',
    group: 'Data',
    api: 'datasets.fromCSV categorical',
    default: 'text columns only',
    help: "a table's columns to one-hot encode as categories although they hold numbers (a zip code, a store id)",
  },
  {
    name: 'classes',
    type: 'string',
    value: '<name,...>',
    group: 'Data',
    api: 'datasets.fromCSV classes',
    default: 'the classes found, in order',
    help: 'the class names in the order the model numbers them (every class, even those this file lacks)',
  },
  {
    name: 'missing',
    type: 'string',
    value: '<fill|error>',
    group: 'Data',
    api: 'datasets.fromCSV missing',
    default: 'fill (the training mean, or the most frequent category)',
    help: "what a missing feature cell (empty, NA, ?) does: take the column's fill value, or stop with an error naming it",
  },
  {
    name: 'task',
    type: 'string',
    value: '<classification|regression>',
    group: 'Data',
    api: 'datasets.fromCSV task',
    default: 'inferred from the target (printed with its reason)',
    help: "a CSV target's task, when the inference is wrong (an integer age is regression)",
  },
  {
    name: 'samples',
    type: 'string',
    value: '<n>',
    group: 'Data',
    api: 'datasets samples',
    default: "the set's own; moons 1000",
    help: 'rows of a generated set',
  },
  {
    name: 'noise',
    type: 'string',
    value: '<s>',
    group: 'Data',
    api: 'datasets noise',
    default: "the set's own; moons 0.2",
    help: 'noise of a generated set',
  },
  {
    name: 'validation',
    type: 'string',
    value: '<fraction>',
    group: 'Data',
    api: 'fit validationData',
    default: `${CLI_DEFAULTS.validation}, the CLI's own; the API holds out none`,
    help: "fraction held out (stratified, seeded) for validation and the report's test points; 0 for none",
  },
  {
    name: 'standardize',
    type: 'boolean',
    group: 'Data',
    api: 'inputScaling',
    default: 'off',
    help: 'scale features to mean 0, std 1 using the training part; saved in the model, which then takes raw features',
  },
  // --- network
  {
    name: 'layers',
    type: 'string',
    value: '<w1,w2,...>',
    group: 'Network',
    api: 'layers[].units',
    default: '16',
    help: 'hidden layer widths; the output layer follows the data (2 classes: 1 sigmoid unit + bce, k classes: softmax + cross-entropy, numbers: linear + mse)',
  },
  {
    name: 'activation',
    type: 'string',
    value: '<name>',
    group: 'Network',
    api: 'layers[].activation',
    default: DEFAULTS.hiddenActivation,
    help: `hidden activation: ${HIDDEN.join(', ')}`,
  },
  {
    name: 'dropout',
    type: 'string',
    value: '<r|r1,r2,...>',
    group: 'Network',
    api: 'layers[].dropout',
    range: 'dropout',
    default: String(DEFAULT_DROPOUT),
    help: 'dropout of the hidden layers: one rate for all, or one per --layers entry',
  },
  {
    name: 'loss',
    type: 'string',
    value: '<name>',
    group: 'Network',
    api: 'loss',
    default: 'from the data',
    help: LOSSES.join(', '),
  },
  {
    name: 'huber-delta',
    type: 'string',
    value: '<d>',
    group: 'Network',
    api: 'loss.delta',
    range: 'huberDelta',
    default: String(DEFAULTS.huberDelta),
    help: 'where huber turns from quadratic to linear (with --loss huber)',
  },
  {
    name: 'seed',
    type: 'string',
    value: '<n>',
    group: 'Network',
    api: 'seed',
    range: 'seed',
    default: '0',
    help: 'seeds weights, shuffles, dropout, the split and generated data',
  },
  {
    name: 'engine',
    type: 'string',
    value: `<${ENGINE_CHOICES.join('|')}>`,
    group: 'Network',
    api: 'engine',
    default: `${DEFAULTS.engine}: native when built`,
    help: 'the engine that trains',
  },
  {
    name: 'threads',
    type: 'string',
    value: '<n>',
    group: 'Network',
    api: 'threads',
    range: 'threads',
    default: 'one per hardware thread',
    help: "threads for the native engine's large products",
  },
  // --- optimizer
  {
    name: 'optimizer',
    type: 'string',
    value: '<name>',
    group: 'Optimizer',
    api: 'optimizer.name',
    default: `${TRAIN.optimizer}; sweep ${CLI_DEFAULTS.sweep.optimizer}`,
    help: OPTIMIZERS.join(', '),
  },
  {
    name: 'lr',
    type: 'string',
    value: '<rate>',
    group: 'Optimizer',
    api: 'optimizer.learningRate',
    range: 'learningRate',
    default: `${LR.adam} for adam and adamw, ${LR.sgd} otherwise: ten times the library's ${LIB_LR.adam} and ${LIB_LR.sgd}, the CLI's own for short runs`,
    help: 'learning rate',
  },
  {
    name: 'momentum',
    type: 'string',
    value: '<m>',
    group: 'Optimizer',
    api: 'optimizer.momentum',
    range: 'momentum',
    default: `${DEFAULTS.momentum.momentum} for momentum and nesterov, ${DEFAULTS.momentum.sgd} otherwise`,
    help: 'momentum of the sgd family (sgd with momentum > 0 becomes momentum)',
  },
  {
    name: 'nesterov',
    type: 'boolean',
    group: 'Optimizer',
    api: 'optimizer.nesterov',
    default: 'off',
    help: 'Nesterov momentum (sgd family)',
  },
  {
    name: 'weight-decay',
    type: 'string',
    value: '<w>',
    group: 'Optimizer',
    api: 'optimizer.weightDecay',
    range: 'weightDecay',
    default: `${DEFAULTS.weightDecay.sgd}; adamw ${DEFAULTS.weightDecay.adamw}`,
    help: 'L2 weight decay (decoupled for adamw); never the biases',
  },
  {
    name: 'beta1',
    type: 'string',
    value: '<b>',
    group: 'Optimizer',
    api: 'optimizer.beta1',
    range: 'beta1',
    default: String(DEFAULTS.beta1),
    help: 'adam and adamw first-moment decay',
  },
  {
    name: 'beta2',
    type: 'string',
    value: '<b>',
    group: 'Optimizer',
    api: 'optimizer.beta2',
    range: 'beta2',
    default: String(DEFAULTS.beta2),
    help: 'adam and adamw second-moment decay',
  },
  {
    name: 'epsilon',
    type: 'string',
    value: '<e>',
    group: 'Optimizer',
    api: 'optimizer.epsilon',
    range: 'epsilon',
    default: String(DEFAULTS.epsilon),
    help: 'adam, adamw and rmsprop denominator guard',
  },
  {
    name: 'rho',
    type: 'string',
    value: '<r>',
    group: 'Optimizer',
    api: 'optimizer.rho',
    range: 'rho',
    default: String(DEFAULTS.rho),
    help: 'rmsprop square-average decay',
  },
  {
    name: 'clip-norm',
    type: 'string',
    value: '<n>',
    group: 'Optimizer',
    api: 'optimizer.clipNorm',
    range: 'clipNorm',
    default: 'off',
    help: "clip the gradient's global norm to n before each update",
  },
  {
    name: 'clip-value',
    type: 'string',
    value: '<v>',
    group: 'Optimizer',
    api: 'optimizer.clipValue',
    range: 'clipValue',
    default: 'off',
    help: 'clamp each gradient element to [-v, v], before --clip-norm',
  },
  // --- training
  {
    name: 'epochs',
    short: 'e',
    type: 'string',
    value: '<n>',
    group: 'Training',
    api: 'fit epochs',
    range: 'epochs',
    default: `${TRAIN.epochs}, the CLI's own; sweep ${CLI_DEFAULTS.sweep.epochs}; the API ${FIT_DEFAULTS.epochs}`,
    help: 'passes over the training part',
  },
  {
    name: 'batch-size',
    type: 'string',
    value: '<n|full>',
    group: 'Training',
    api: 'fit batchSize',
    default: `${FIT_DEFAULTS.batchSize}; sweep ${CLI_DEFAULTS.sweep.batchSize}`,
    help: 'samples per step',
  },
  {
    name: 'no-shuffle',
    type: 'boolean',
    group: 'Training',
    api: 'fit shuffle',
    default: FIT_DEFAULTS.shuffle ? 'shuffle' : 'no shuffle',
    help: 'visit the samples in the same order every epoch',
  },
  {
    name: 'class-weight',
    type: 'string',
    value: '<balanced|w0,w1,...>',
    group: 'Training',
    api: 'fit classWeight',
    range: 'sampleWeight',
    default: 'every class weighs 1',
    help: 'classification: balanced, or one weight per class',
  },
  {
    name: 'early-stopping',
    type: 'boolean',
    group: 'Training',
    api: 'fit earlyStopping',
    default: 'off',
    help: 'stop when --monitor has not improved for --patience epochs',
  },
  {
    name: 'monitor',
    type: 'string',
    value: '<metric>',
    group: 'Training',
    api: 'fit earlyStopping.monitor',
    default: 'val_loss with validation, else loss',
    help: 'loss, val_loss, accuracy, val_accuracy, mae or val_mae (implies --early-stopping)',
  },
  {
    name: 'patience',
    type: 'string',
    value: '<n>',
    group: 'Training',
    api: 'fit earlyStopping.patience',
    range: 'patience',
    default: String(FIT_DEFAULTS.patience),
    help: 'epochs without improvement before stopping (implies --early-stopping)',
  },
  {
    name: 'min-delta',
    type: 'string',
    value: '<d>',
    group: 'Training',
    api: 'fit earlyStopping.minDelta',
    range: 'minDelta',
    default: String(FIT_DEFAULTS.minDelta),
    help: 'smallest change that counts as an improvement (implies --early-stopping)',
  },
  {
    name: 'restore-best',
    type: 'boolean',
    group: 'Training',
    api: 'fit earlyStopping.restoreBestWeights',
    default: FIT_DEFAULTS.restoreBestWeights ? 'on' : 'off',
    help: "put back the best epoch's weights when stopping early (implies --early-stopping)",
  },
  {
    name: 'resume',
    type: 'string',
    value: '<model.safetensors>',
    group: 'Training',
    api: 'Network.load, then fit',
    default: '',
    help: 'continue training a saved model (its optimizer state and schedule position kept); architecture flags must agree with it',
    only: 'train',
  },
  // --- schedule
  {
    name: 'schedule',
    type: 'string',
    value: `<${SCHEDULE_NAMES.join('|')}>`,
    group: 'Schedule',
    api: 'fit schedule.name',
    default: 'none: a constant rate',
    help: 'learning-rate schedule',
  },
  {
    name: 'schedule-every',
    type: 'string',
    value: '<n>',
    group: 'Schedule',
    api: 'fit schedule.every',
    range: 'scheduleEvery',
    default: '',
    help: 'step: epochs between two decays (required for step)',
  },
  {
    name: 'schedule-gamma',
    type: 'string',
    value: '<g>',
    group: 'Schedule',
    api: 'fit schedule.gamma',
    range: 'scheduleGamma',
    default: `step ${SCHEDULE_DEFAULTS.stepGamma}; required for exponential`,
    help: 'step and exponential: the factor of each decay',
  },
  {
    name: 'warmup-steps',
    type: 'string',
    value: '<n>',
    group: 'Schedule',
    api: 'fit schedule.warmupSteps',
    range: 'warmupSteps',
    default: String(SCHEDULE_DEFAULTS.warmupSteps),
    help: 'cosine: optimizer steps of linear warm-up',
  },
  {
    name: 'min-lr',
    type: 'string',
    value: '<rate>',
    group: 'Schedule',
    api: 'fit schedule.minLearningRate',
    range: 'minLearningRate',
    default: String(SCHEDULE_DEFAULTS.minLearningRate),
    help: "cosine: the last step's rate; reduceOnPlateau: the floor",
  },
  {
    name: 'plateau-factor',
    type: 'string',
    value: '<f>',
    group: 'Schedule',
    api: 'fit schedule.factor',
    range: 'plateauFactor',
    default: String(SCHEDULE_DEFAULTS.plateauFactor),
    help: 'reduceOnPlateau: the factor of each reduction',
  },
  {
    name: 'plateau-patience',
    type: 'string',
    value: '<n>',
    group: 'Schedule',
    api: 'fit schedule.patience',
    range: 'plateauPatience',
    default: String(SCHEDULE_DEFAULTS.plateauPatience),
    help: 'reduceOnPlateau: epochs without improvement before a reduction',
  },
  {
    name: 'plateau-min-delta',
    type: 'string',
    value: '<d>',
    group: 'Schedule',
    api: 'fit schedule.minDelta',
    range: 'minDelta',
    default: String(SCHEDULE_DEFAULTS.plateauMinDelta),
    help: 'reduceOnPlateau: the smallest decrease that counts as an improvement',
  },
  {
    name: 'plateau-cooldown',
    type: 'string',
    value: '<n>',
    group: 'Schedule',
    api: 'fit schedule.cooldown',
    range: 'plateauCooldown',
    default: String(SCHEDULE_DEFAULTS.plateauCooldown),
    help: 'reduceOnPlateau: epochs after a reduction that do not count toward patience',
  },
  // --- output
  {
    name: 'out',
    short: 'o',
    type: 'string',
    value: '<file>',
    group: 'Output',
    api: 'Network.save',
    default: '',
    help: 'write the model (safetensors) here',
    only: 'train',
  },
  {
    name: 'report',
    type: 'string',
    value: '<file.html>',
    group: 'Output',
    api: 'CLI',
    default: '',
    help: 'write a self-contained HTML report: curves, the decision boundary for 2-D inputs, settings, metrics',
  },
  {
    name: 'json',
    type: 'boolean',
    group: 'Output',
    api: 'CLI',
    default: 'off',
    help: 'one JSON object per epoch line, then a summary object',
  },
  {
    name: 'log-every',
    type: 'string',
    value: '<n>',
    group: 'Output',
    api: 'CLI',
    range: 'logEvery',
    default: 'about 20 lines per run; json: every epoch',
    help: 'print every n epochs',
  },
];

/** The rows a command takes. */
export function optionsFor(command: 'train' | 'sweep'): CliOption[] {
  return CLI_OPTIONS.filter((o) => o.only === undefined || o.only === command);
}

/** parseArgs' option table for `rows`. */
export function parserTable(rows: readonly CliOption[]): OptionTable {
  const table: OptionTable = {};
  for (const o of rows) table[o.name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  return table;
}

/** The flag as --help and the README write it: `--epochs, -e <n>`. */
export function flagOf(o: CliOption): string {
  return `--${o.name}${o.short ? `, -${o.short}` : ''}${o.value ? ` ${o.value}` : ''}`;
}

const GROUPS: OptionGroup[] = ['Data', 'Network', 'Optimizer', 'Training', 'Schedule', 'Output'];
const FLAG_WIDTH = 30;
const LINE_WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The options part of `--help`, grouped, each with its default. */
export function helpText(rows: readonly CliOption[]): string {
  const out: string[] = [];
  for (const group of GROUPS) {
    const members = rows.filter((o) => o.group === group);
    if (members.length === 0) continue;
    out.push(`${group}:`);
    for (const o of members) {
      const text = o.default ? `${o.help} (default ${o.default})` : o.help;
      const flag = `  ${flagOf(o)}`;
      const lines = wrap(text, LINE_WIDTH - FLAG_WIDTH);
      if (flag.length >= FLAG_WIDTH) out.push(flag, ...lines.map((l) => ' '.repeat(FLAG_WIDTH) + l));
      else {
        out.push(flag.padEnd(FLAG_WIDTH) + lines[0]);
        for (const l of lines.slice(1)) out.push(' '.repeat(FLAG_WIDTH) + l);
      }
    }
  }
  return out.join('\n');
}

/** The README's options table (Markdown), one row per option. */
export function markdownTable(rows: readonly CliOption[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| Option | Sets | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const o of rows) {
    const only = o.only ? ` (${o.only} only)` : '';
    lines.push(
      `| \`${cell(flagOf(o))}\` | ${cell(o.api)} | ${cell(o.default || '–')} | ${cell(o.help)}${only} |`,
    );
  }
  return lines.join('\n');
}
