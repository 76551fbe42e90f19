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

  /**
   * A `sleep` for the handlers that takes no workload time: the dispatcher races its shadow grace period
   * against the shadow calls, which the local invoker accepts at once, so a sleep that moved the clock would
   * add time no batch spends. The measured workloads hold no batch (no parent shards), the only other sleep.
   */
  readonly sleep = async (_ms: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 1));
  };
}
