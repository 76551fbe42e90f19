import type { Clock } from '../core/ports/clock.port.js';

/**
 * The handlers' clock in a measured workload: it moves by the time the records it was given stand for at the
 * workload's rate (and by what the handler sleeps), not by how long this laptop took. So everything a handler
 * does "every N seconds" (placement cache, progress, metric flushes) happens as often per record as at the
 * priced rate, however fast or slow the emulators run.
 */
export class WorkloadClock implements Clock {
  private now: number;

  constructor(startMs: number) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  /** Moves the clock forward by `ms` (never back). */
  advance(ms: number): void {
    this.now += Math.max(0, ms);
  }

  /** A `sleep` for the handlers: moves the clock, yields once, returns. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
}
