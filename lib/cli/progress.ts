// Training progress for the CLI, fed from fit's onEpochEnd: a cli-progress bar when stdout is a
// TTY, plain lines (~20 per run, or every --log-every epochs) when it is not, and one JSON object
// per epoch line with --json. Epochs are counted from 1 here, as people read them. cli-progress is
// an optional package: without it the bar becomes plain lines, after one line saying how to get it.
import type { SingleBar } from 'cli-progress';
import { loadProgressBar, MissingOptionalPackageError, OPTIONAL_FEATURES } from '../optional.js';
import type { EpochLogs } from '../train-options.js';

export type ProgressMode = 'bar' | 'lines' | 'json' | 'quiet';

export interface ProgressOptions {
  mode: ProgressMode;
  /** Epochs asked for. */
  epochs: number;
  /** Training samples per epoch, for samples/s. */
  samples: number;
  /** Print every N epochs (lines and json); default ~20 lines per run for lines, every epoch for json. */
  logEvery?: number;
  /** The headline metric fit reports (history.accuracy, or history.mae for regression). Default 'accuracy'. */
  metric?: 'accuracy' | 'mae';
  /** Prefix for lines and a field for json (the sweep's learning rate). */
  label?: string;
  extra?: Record<string, unknown>;
  write?: (line: string) => void;
}

/** How many epochs apart plain lines are printed so a run prints about 20. */
export function defaultLogEvery(epochs: number): number {
  return Math.max(1, Math.ceil(epochs / 20));
}

export function formatMetric(x: number | undefined): string {
  if (x === undefined) return '-';
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2);
}

export class Progress {
  private readonly started = performance.now();
  private readonly every: number;
  private readonly write: (line: string) => void;
  private bar: SingleBar | null = null;

  constructor(private readonly options: ProgressOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.every = options.logEvery ?? (options.mode === 'json' ? 1 : defaultLogEvery(options.epochs));
    const bars = options.mode === 'bar' ? loadProgressBar() : null;
    if (options.mode === 'bar' && bars === null) {
      const { purpose, packages } = OPTIONAL_FEATURES.progressBar;
      // epoch() prints plain lines whenever there is no bar
      this.write(
        `fastmlp: ${new MissingOptionalPackageError(purpose, packages).message}; printing plain lines`,
      );
    }
    if (bars !== null) {
      const { Presets, SingleBar } = bars;
      const label = options.label ? `${options.label} ` : '';
      this.bar = new SingleBar(
        {
          format: `${label}{bar} epoch {value}/{total} | loss {loss} | ${options.metric === 'mae' ? 'mae' : 'acc'} {acc} | val {val} | {rate} samples/s`,
          hideCursor: true,
          stream: process.stdout,
          barsize: 24,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      this.bar.start(options.epochs, 0, { loss: '-', acc: '-', val: '-', rate: '-' });
    }
  }

  /** Samples per second over the run so far. */
  rate(epochsDone: number): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? (epochsDone * this.options.samples) / seconds : 0;
  }

  /** Call with fit's 0-based epoch index and its logs. */
  epoch(index: number, logs: EpochLogs): void {
    const done = index + 1;
    const rate = this.rate(done);
    const { mode, epochs } = this.options;
    const valMetric = logs.val_accuracy ?? logs.val_mae;
    if (this.bar) {
      const val =
        logs.val_loss === undefined
          ? '-'
          : `${formatMetric(logs.val_loss)}${valMetric === undefined ? '' : ` / ${formatMetric(valMetric)}`}`;
      this.bar.update(done, {
        loss: formatMetric(logs.loss),
        acc: formatMetric(logs.accuracy ?? logs.mae),
        val,
        rate: Math.round(rate).toLocaleString('en-US'),
      });
      return;
    }
    if (mode === 'quiet' || (done % this.every !== 0 && done !== epochs && done !== 1)) return;
    if (mode === 'json') {
      const record: Record<string, unknown> = { type: 'epoch' };
      if (this.options.label !== undefined) Object.assign(record, this.options.extra ?? {});
      Object.assign(record, { epoch: done, epochs, ...logs, samples_per_second: Math.round(rate) });
      this.write(JSON.stringify(record));
      return;
    }
    const width = String(epochs).length;
    let line = `${this.options.label ? `${this.options.label}  ` : ''}epoch ${String(done).padStart(width)}/${epochs}`;
    line += `  loss ${formatMetric(logs.loss)}`;
    if (logs.accuracy !== undefined) line += `  accuracy ${formatMetric(logs.accuracy)}`;
    if (logs.mae !== undefined) line += `  mae ${formatMetric(logs.mae)}`;
    if (logs.val_loss !== undefined) line += `  val_loss ${formatMetric(logs.val_loss)}`;
    if (logs.val_accuracy !== undefined) line += `  val_accuracy ${formatMetric(logs.val_accuracy)}`;
    if (logs.val_mae !== undefined) line += `  val_mae ${formatMetric(logs.val_mae)}`;
    line += `  ${Math.round(rate).toLocaleString('en-US')} samples/s`;
    this.write(line);
  }

  /** Ends the bar (leaving its last state on screen); lines need nothing. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
