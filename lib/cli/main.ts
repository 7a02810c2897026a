#!/usr/bin/env node
// The `fastmlp` command: dispatches to train, predict, evaluate, export, info, sweep and bench (one file
// each). Any error prints ONE line, `fastmlp: <message>`, to stderr and exits with code 2; the
// stack trace only with --verbose.
import { CliError, suggest } from './args.js';

const COMMANDS = ['train', 'predict', 'evaluate', 'export', 'info', 'sweep', 'bench'] as const;
type Command = (typeof COMMANDS)[number];

const HELP = `Usage: fastmlp <command> [options]

Commands:
  train      train a network on a built-in data set or a CSV; save the model and an HTML report
  predict    predicted classes and probabilities for the rows of a CSV
  evaluate   loss and the task's metrics of a saved model on a labelled CSV
  export     write a saved model for another runtime (--format onnx or pytorch)
  info       which engine runs and why, CPU kernel, threads, versions; --model: a model's summary
  sweep      one training per learning rate, loss curves in one chart (seed 003's study)
  bench      run the benchmark

Run \`fastmlp <command> --help\` for a command's options. --verbose shows stack traces on errors.`;

async function run(command: Command, argv: string[]): Promise<number> {
  switch (command) {
    case 'train':
      return (await import('./train.js')).trainCommand(argv);
    case 'predict':
      return (await import('./predict.js')).predictCommand(argv);
    case 'evaluate':
      return (await import('./predict.js')).evaluateCommand(argv);
    case 'export':
      return (await import('./export.js')).exportCommand(argv);
    case 'info':
      return (await import('./info.js')).infoCommand(argv);
    case 'sweep':
      return (await import('./sweep.js')).sweepCommand(argv);
    case 'bench':
      return (await import('./bench.js')).benchCommand(argv);
  }
}

/** Runs the CLI on `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${HELP}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    const { fastmlpVersion } = await import('./info.js');
    process.stdout.write(`${fastmlpVersion()}\n`);
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const guess = suggest(first, [...COMMANDS]);
    throw new CliError(
      `unknown command '${first}'${guess ? `; did you mean ${guess}?` : ''} (commands: ${COMMANDS.join(', ')})`,
    );
  }
  return run(first as Command, rest);
}

/** One line on stderr: our own messages as they are, library errors with their message. */
export function reportError(error: unknown, verbose: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.split('\n')[0].trim() || (error instanceof Error ? error.name : 'error');
  process.stderr.write(`fastmlp: ${oneLine}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

// A reader that goes away (`fastmlp train --out m.safetensors | head -1`) must not stop the run:
// the model and report are still written, and the exit status says whether they were. What
// would have gone to stdout after that is dropped (the stream is destroyed; nobody reads it).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  throw error;
});

const argv = process.argv.slice(2);
// --verbose is honoured even when the arguments themselves fail to parse (bench passes it on).
const verbose = argv[0] !== 'bench' && argv.includes('--verbose');
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    reportError(error, verbose);
    process.exitCode = 2;
  },
);
