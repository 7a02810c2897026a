// Command-line argument handling for every `fastmlp` command: a strict node:util parseArgs wrapper
// whose errors read as one line, value checkers (numbers, integers, lists, choices), and CliError,
// the error main.ts prints as `fastmlp: <message>` with exit code 2.
import { parseArgs } from 'node:util';
import { inRange, MAX_EPOCHS, type NumberRange } from '../engine/contract.js';

/** A user mistake (bad option, bad value, missing file): printed as one line, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };
export type OptionTable = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | undefined>;

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionTable = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
};

/** Parses `argv` strictly against `options`; errors name the option and point at --help. */
export function parseCommand(command: string, argv: string[], options: OptionTable): Values {
  const table = { ...COMMON_OPTIONS, ...options };
  try {
    const { values } = parseArgs({ args: argv, options: table, strict: true, allowPositionals: false });
    return values as Values;
  } catch (error) {
    throw new CliError(describeParseError(command, error, Object.keys(table)));
  }
}

function describeParseError(command: string, error: unknown, known: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const help = `(see fastmlp ${command} --help)`;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const name = unknown[1];
    const guess = suggest(name.replace(/^-+/, ''), known);
    return `unknown option '${name}' for ${command}${guess ? `; did you mean --${guess}?` : ''} ${help}`;
  }
  const flag = /Option '(-\w, )?(--[\w-]+)/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = flag[2];
    if (message.includes('argument missing')) return `option '${name}' needs a value ${help}`;
    if (message.includes('ambiguous'))
      return `option '${name}' needs a value (write ${name}=<value> for one starting with '-') ${help}`;
    return `option '${name}' takes no value ${help}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /argument:? '([^']*)'/.exec(message);
    return `unexpected argument '${arg ? arg[1] : '?'}' for ${command} ${help}`;
  }
  return `${message.split('\n')[0]} ${help}`;
}

/** The closest known name within edit distance 2, for "did you mean". */
export function suggest(name: string, known: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

// --- value checkers: each takes the raw string (or undefined) and a fallback ----------------------

function bad(name: string, expected: string, raw: string): CliError {
  return new CliError(`--${name} expects ${expected} but received '${raw}'`);
}

export function stringValue(values: Values, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0) throw new CliError(`--${name} needs a value`);
  return raw;
}

export function requiredString(values: Values, name: string, command: string): string {
  const raw = stringValue(values, name);
  if (raw === undefined) throw new CliError(`${command} needs --${name} (see fastmlp ${command} --help)`);
  return raw;
}

/** A finite number, checked by `ok` (described by `expected`). */
export function numberValue(
  values: Values,
  name: string,
  fallback: number,
  expected: string,
  ok: (v: number) => boolean,
): number {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  return parseNumber(name, raw, expected, ok);
}

function parseNumber(name: string, raw: string, expected: string, ok: (v: number) => boolean): number {
  const v = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v) || !ok(v)) throw bad(name, expected, raw);
  return v;
}

/** --epochs, --log-every and the like: an integer in 1..max (default the contract's epoch cap). */
export function positiveInteger(values: Values, name: string, fallback: number, max = MAX_EPOCHS): number {
  return numberValue(
    values,
    name,
    fallback,
    `an integer in 1..${max}`,
    (v) => Number.isInteger(v) && v >= 1 && v <= max,
  );
}

/** A comma-separated list of names (--ignore a,b; --classes no,yes): none empty, none twice. */
export function columnList(values: Values, name: string): string[] {
  const raw = stringValue(values, name);
  if (raw === undefined) return [];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw bad(name, 'a comma-separated list of names', raw);
  const twice = parts.find((p, i) => parts.indexOf(p) !== i);
  if (twice !== undefined) throw bad(name, 'a list naming each once', raw);
  return parts;
}

/** A comma-separated list of numbers, each checked by `ok`. */
export function numberList(
  values: Values,
  name: string,
  fallback: number[],
  expected: string,
  ok: (v: number) => boolean,
): number[] {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  const parts = raw.split(',');
  if (parts.some((p) => p.trim() === '')) throw bad(name, `a comma-separated list of ${expected}`, raw);
  return parts.map((p) => parseNumber(name, p, `a comma-separated list of ${expected}`, ok));
}

export function choice<T extends string>(
  values: Values,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    const guess = suggest(raw, [...choices]);
    throw new CliError(
      `--${name} expects one of ${choices.join(', ')} but received '${raw}'${guess ? ` (did you mean ${guess}?)` : ''}`,
    );
  }
  return raw as T;
}

/** A number checked against a contract range (the error quotes the range's own words); undefined when not given. */
export function rangeValue(values: Values, name: string, range: NumberRange): number | undefined {
  return values[name] === undefined
    ? undefined
    : numberValue(values, name, 0, range.expected, (v) => inRange(range, v));
}
