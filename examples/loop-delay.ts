// A server's event-loop delay, over its whole run and while some work runs (a retrain): how late
// one 1 ms timer fires, recorded in two histograms. Not monitorEventLoopDelay paused between
// retrains: disabled and enabled again, its first sample is the whole pause (a 100 ms wait
// between two retrains was reported as a 100 ms stall during a fit), and the stall that starts
// right at enable() goes unseen (it has no earlier tick to measure from).
import { createHistogram } from 'node:perf_hooks';

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
  private running = 0;
  /** The work ran at some moment of the interval now going on. */
  private touched = false;
  private last: number;
  private readonly timer: NodeJS.Timeout | null;

  /** timer false: no timer, the caller ticks (a test's clock, from `start` ms). */
  constructor({ timer = true, start = performance.now() }: { timer?: boolean; start?: number } = {}) {
    this.last = start;
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

  /** Records the interval that ends now; called by the timer, and by a test's own clock. */
  tick(now = performance.now()): void {
    const ns = Math.max(1, Math.round((now - this.last) * 1e6));
    this.last = now;
    this.overall.record(ns);
    if (this.touched) this.during.record(ns);
    this.touched = this.running > 0;
  }

  stats(): { overall: DelayStats | null; during: DelayStats | null } {
    return { overall: statsOf(this.overall), during: statsOf(this.during) };
  }

  reset(): void {
    this.overall.reset();
    this.during.reset();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function statsOf(h: ReturnType<typeof createHistogram>): DelayStats | null {
  const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
  return h.count === 0
    ? null
    : { samples: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}
