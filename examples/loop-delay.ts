// A server's event-loop delay, over its whole run and while some work runs (a retrain): how late
// one 1 ms timer fires, recorded in two histograms. Not monitorEventLoopDelay paused between
// retrains: disabled and enabled again, its first sample is the whole pause (a 100 ms wait
// between two retrains was reported as a 100 ms stall during a fit), and the stall that starts
// right at enable() goes unseen (it has no earlier tick to measure from).
import { createHistogram } from 'node:perf_hooks';
import { type CpuWaitClock, openCpuWaitClock } from './cpu-wait.js';

/** A histogram's figures in milliseconds, or null before its first sample. */
export interface DelayStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export class LoopDelay {
  /** Each interval between two ticks, in ns (the timer's 1 ms included, as monitorEventLoopDelay counts it). */
  private readonly overall = createHistogram();
  /** The intervals during which the work ran, at any moment: the one it started in, the one it ended in. */
  private readonly during = createHistogram();
  /**
   * The same intervals less the time the thread waited for a CPU in them (other processes ran):
   * what the loop itself was busy with. Only with a CPU-wait clock (Linux), as a diagnostic.
   */
  private readonly duringOnCpu = createHistogram();
  private readonly cpuWait: CpuWaitClock | null;
  private lastWait: number;
  private running = 0;
  /** The work ran at some moment of the interval now going on. */
  private touched = false;
  private last: number;
  private readonly tracksWait: boolean;
  private readonly timer: NodeJS.Timeout | null;

  /**
   * timer false: no timer, the caller ticks (a test's clock, from `start` ms, and its CPU-wait
   * figures). cpuWait: also keep duringOnCpu from the thread's CPU-wait clock (default: with the timer).
   */
  constructor({
    timer = true,
    start = performance.now(),
    cpuWait = timer,
  }: { timer?: boolean; start?: number; cpuWait?: boolean } = {}) {
    this.last = start;
    this.cpuWait = cpuWait && timer ? openCpuWaitClock() : null;
    this.lastWait = this.cpuWait?.read() ?? 0;
    this.tracksWait = cpuWait && (!timer || this.cpuWait !== null);
    this.timer = timer ? setInterval(() => this.tick(), 1) : null;
    this.timer?.unref();
  }

  /** The work starts (now, on the event loop: what it does before its first await counts). */
  begin(): void {
    this.running++;
    this.touched = true;
  }

  end(): void {
    this.running--;
  }

  /**
   * Records the interval that ends now; called by the timer, and by a test's own clock (with
   * `waited`, the thread's CPU wait so far in ms, when it tracks that).
   */
  tick(now = performance.now(), waited = this.cpuWait?.read() ?? 0): void {
    const ms = now - this.last;
    const ns = Math.max(1, Math.round(ms * 1e6));
    this.last = now;
    this.overall.record(ns);
    if (this.touched) {
      this.during.record(ns);
      if (this.tracksWait)
        this.duringOnCpu.record(Math.max(1, Math.round((ms - (waited - this.lastWait)) * 1e6)));
    }
    this.lastWait = waited;
    this.touched = this.running > 0;
  }

  /** The figures; duringOnCpu only when it tracks the CPU wait. */
  stats(): { overall: DelayStats | null; during: DelayStats | null; duringOnCpu?: DelayStats | null } {
    const figures = { overall: statsOf(this.overall), during: statsOf(this.during) };
    return this.tracksWait ? { ...figures, duringOnCpu: statsOf(this.duringOnCpu) } : figures;
  }

  reset(): void {
    this.overall.reset();
    this.during.reset();
    this.duringOnCpu.reset();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.cpuWait?.close();
  }
}

function statsOf(h: ReturnType<typeof createHistogram>): DelayStats | null {
  const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
  return h.count === 0
    ? null
    : { samples: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}
