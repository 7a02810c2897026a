// Writes native/core/contract.hpp, the C++ copy of lib/engine/contract.ts: names and codes as
// enums and name tables, limits, ranges and defaults. `npm run gen:contract` after any change to
// contract.ts; test/45.engines.contract.test.ts renders it again and fails when the checked-in file differs.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ACTIVATION_CODES,
  CLIP_NORM_BLOCK,
  CLIP_NORM_EPSILON,
  DEFAULTS,
  INFERENCE_BLOCK_ROWS,
  INFERENCE_SMALL_PARAMS,
  INFERENCE_WORKSPACE_FLOOR,
  INFERENCE_WORKSPACE_SHARE,
  LEAKY_RELU_ALPHA,
  LOSS_CODES,
  LOSS_REQUIRES_ACTIVATION,
  type LossName,
  MAX_ELEMENTS,
  MAX_EPOCHS,
  MAX_LAYERS,
  MAX_PARAMS,
  MAX_STEPS,
  MAX_THREADS,
  MAX_UNITS,
  type NumberRange,
  OPTIMIZER_CODES,
  RANGES,
  SCHEDULE_CODES,
  SUM_LOSSES,
  TASK_CODES,
  TASK_RULE,
} from '../lib/engine/contract.js';

export const HEADER_PATH = fileURLToPath(new URL('../native/core/contract.hpp', import.meta.url));

/** leakyRelu -> leaky_relu, cross-entropy -> cross_entropy: the C++ enumerator of a name. */
const enumerator = (name: string): string =>
  name.replace(/-/g, '_').replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);
/** learningRate -> kLearningRate. */
const constant = (name: string): string => `k${name[0].toUpperCase()}${name.slice(1)}`;

function double(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return 'kInfinity';
  if (v === Number.NEGATIVE_INFINITY) return '-kInfinity';
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function codes(table: Record<string, number>): [string, number][] {
  const entries = Object.entries(table);
  entries.forEach(([name, code], i) => {
    if (code !== i)
      throw new Error(`contract.ts: ${name} has code ${code}, expected ${i} (codes are 0..n-1 in order)`);
  });
  return entries;
}

const enumeration = (type: string, table: Record<string, number>): string =>
  `enum class ${type} : int { ${codes(table)
    .map(([n, c]) => `${enumerator(n)} = ${c}`)
    .join(', ')} };`;

const nameTable = (what: string, table: Record<string, number>): string[] => [
  `inline constexpr std::size_t k${what}Count = ${codes(table).length};`,
  `inline constexpr const char* k${what}Names[k${what}Count] = {${codes(table)
    .map(([n]) => `"${n}"`)
    .join(', ')}};`,
];

function range(name: string, r: NumberRange): string {
  const fields = [
    double(r.min),
    double(r.max),
    r.minExclusive,
    r.maxExclusive,
    r.integer,
    r.float32,
    JSON.stringify(r.expected),
  ];
  return `inline constexpr NumberRange ${constant(name)}{${fields.join(', ')}};`;
}

/** A default per optimizer, as a C++ array indexed by optimizer code. */
const perOptimizer = (name: string, values: Record<keyof typeof OPTIMIZER_CODES, number>): string =>
  `inline constexpr double ${name}[kOptimizerCount] = {${(
    Object.keys(OPTIMIZER_CODES) as (keyof typeof OPTIMIZER_CODES)[]
  )
    .map((kind) => double(values[kind]))
    .join(', ')}};`;
/** TASK_RULE as a table of rows (-1: any) and task_of, the twin of taskOf in contract.ts. */
function taskRule(): string[] {
  const either = (b: boolean | undefined) => (b === undefined ? -1 : Number(b));
  const rows = TASK_RULE.map(
    (r) =>
      `{${r.activation === undefined ? -1 : ACTIVATION_CODES[r.activation]}, ${either(r.singleUnit)}, ${either(r.bce)}, Task::${enumerator(r.task)}}`,
  );
  return [
    '// The task rule (contract.ts TASK_RULE): the first row whose fields match decides; -1 matches any.',
    'struct TaskRuleRow {',
    '  int activation;   // an Activation code, or -1',
    '  int single_unit;  // 1: one output unit, 0: several, -1: any',
    '  int bce;          // 1: the loss is bce, 0: another loss, -1: any',
    '  Task task;',
    '};',
    `inline constexpr std::size_t kTaskRuleCount = ${rows.length};`,
    `inline constexpr TaskRuleRow kTaskRule[kTaskRuleCount] = {${rows.join(', ')}};`,
    '// The task of a network whose output layer has `units` units of `activation`, trained on `loss`.',
    'inline Task task_of(Activation activation, std::size_t units, Loss loss) {',
    '  const auto matches = [](int field, int value) { return field == -1 || field == value; };',
    '  for (const TaskRuleRow& row : kTaskRule) {',
    '    if (matches(row.activation, static_cast<int>(activation)) && matches(row.single_unit, units == 1 ? 1 : 0) &&',
    '        matches(row.bce, loss == Loss::bce ? 1 : 0)) {',
    '      return row.task;',
    '    }',
    '  }',
    `  return Task::${enumerator(TASK_RULE[TASK_RULE.length - 1].task)};  // the last row matches everything`,
    '}',
  ];
}

export function renderContractHeader(): string {
  const lossRequires = (Object.keys(LOSS_CODES) as LossName[]).map((loss) => {
    const activation = LOSS_REQUIRES_ACTIVATION[loss];
    return activation === undefined ? '-1' : String(ACTIVATION_CODES[activation]);
  });
  const lossIsSum = (Object.keys(LOSS_CODES) as LossName[]).map((loss) => String(SUM_LOSSES.includes(loss)));
  const lines = [
    '// Generated by `npm run gen:contract` (scripts/gen-contract.ts) from lib/engine/contract.ts.',
    '// Do not edit: change contract.ts and regenerate. test/45.engines.contract.test.ts fails when stale.',
    '#pragma once',
    '',
    '#include <cmath>',
    '#include <cstddef>',
    '#include <cstdint>',
    '#include <limits>',
    '',
    'namespace fastmlp {',
    '',
    "// --- names and codes (an enumerator's value is its code; codes never change) ---",
    enumeration('Activation', ACTIVATION_CODES),
    enumeration('Loss', LOSS_CODES),
    enumeration('OptimizerKind', OPTIMIZER_CODES),
    enumeration('ScheduleKind', SCHEDULE_CODES),
    enumeration('Task', TASK_CODES),
    '',
    'namespace contract {',
    '',
    '// Names indexed by code, as lib/ and users write them.',
    ...nameTable('Activation', ACTIVATION_CODES),
    ...nameTable('Loss', LOSS_CODES),
    ...nameTable('Optimizer', OPTIMIZER_CODES),
    ...nameTable('Schedule', SCHEDULE_CODES),
    ...nameTable('Task', TASK_CODES),
    '// Activation code each loss requires at the output, by loss code; -1: any.',
    `inline constexpr int kLossRequiredActivation[kLossCount] = {${lossRequires.join(', ')}};`,
    '// Whether a loss is a sum over the batch (SUM_LOSSES: an epoch adds its batches), by loss code; else a mean.',
    `inline constexpr bool kLossIsSum[kLossCount] = {${lossIsSum.join(', ')}};`,
    `inline constexpr double kLeakyReluAlpha = ${double(LEAKY_RELU_ALPHA)};`,
    ...taskRule(),
    '',
    '// --- limits ---',
    `inline constexpr std::size_t kMaxUnits = ${MAX_UNITS};`,
    `inline constexpr std::size_t kMaxLayers = ${MAX_LAYERS};`,
    `inline constexpr std::size_t kMaxParams = ${MAX_PARAMS};`,
    `inline constexpr std::size_t kMaxElements = ${MAX_ELEMENTS};`,
    `inline constexpr std::size_t kMaxThreads = ${MAX_THREADS};`,
    `inline constexpr std::size_t kMaxEpochs = ${MAX_EPOCHS};`,
    `inline constexpr std::uint64_t kMaxSteps = ${MAX_STEPS};`,
    '',
    '// --- the inference workspace rule (contract.ts): a block of rows, a share of the parameters ---',
    `inline constexpr std::size_t kInferenceBlockRows = ${INFERENCE_BLOCK_ROWS};`,
    `inline constexpr std::size_t kInferenceWorkspaceShare = ${INFERENCE_WORKSPACE_SHARE};`,
    `inline constexpr std::size_t kInferenceWorkspaceFloor = ${INFERENCE_WORKSPACE_FLOOR};`,
    `inline constexpr std::size_t kInferenceSmallParams = ${INFERENCE_SMALL_PARAMS};`,
    '',
    '// --- ranges: NaN and +-Infinity are outside every one; `expected` words the error message ---',
    'inline constexpr double kInfinity = std::numeric_limits<double>::infinity();',
    'struct NumberRange {',
    '  double min;',
    '  double max;',
    '  bool min_exclusive;',
    '  bool max_exclusive;',
    '  bool integer;',
    '  bool float32;  // the engines keep it as float32: inside r once rounded, too',
    '  const char* expected;',
    '};',
    'inline bool within(const NumberRange& r, double v) {',
    '  const bool above_min = r.min_exclusive ? v > r.min : v >= r.min;',
    '  const bool below_max = r.max_exclusive ? v < r.max : v <= r.max;',
    '  return above_min && below_max;',
    '}',
    '// Doubles of magnitude 2^128 - 2^103 and up round to float32 infinity; below it a cast is defined.',
    'inline constexpr double kFloat32Overflow = 0x1.ffffffp127;',
    '// v is a number of the right kind inside r (the twin of inRange in contract.ts).',
    'inline bool in_range(const NumberRange& r, double v) {',
    '  if (!std::isfinite(v) || (r.integer && std::floor(v) != v) || !within(r, v)) return false;',
    '  if (!r.float32) return true;',
    '  return std::fabs(v) < kFloat32Overflow && within(r, static_cast<double>(static_cast<float>(v)));',
    '}',
    ...Object.entries(RANGES).map(([name, r]) => range(name, r)),
    '',
    '// --- defaults ---',
    '// By optimizer code.',
    perOptimizer('kDefaultLearningRate', DEFAULTS.learningRate),
    `inline constexpr double kDefaultBeta1 = ${double(DEFAULTS.beta1)};`,
    `inline constexpr double kDefaultBeta2 = ${double(DEFAULTS.beta2)};`,
    `inline constexpr double kDefaultEpsilon = ${double(DEFAULTS.epsilon)};`,
    perOptimizer('kDefaultWeightDecay', DEFAULTS.weightDecay),
    `inline constexpr double kDefaultRho = ${double(DEFAULTS.rho)};`,
    `inline constexpr double kDefaultHuberDelta = ${double(DEFAULTS.huberDelta)};`,
    '',
    '// --- gradient clipping (contract.ts): the norm epsilon and the fixed summation blocks ---',
    `inline constexpr double kClipNormEpsilon = ${double(CLIP_NORM_EPSILON)};`,
    `inline constexpr std::size_t kClipNormBlock = ${CLIP_NORM_BLOCK};`,
    '',
    '}  // namespace contract',
    '}  // namespace fastmlp',
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(HEADER_PATH, renderContractHeader());
  console.log(`wrote ${HEADER_PATH}`);
}
