import type { Clock } from '../core/ports/clock.port.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from './telemetry.js';

export interface AggregatedTelemetryOptions {
  /** Longest figures are held in the execution environment before they are printed, in ms. @default 20000 */
  readonly flushIntervalMs?: number;
  /** The metric period the SPM reads: figures of two periods never share a line. @default 60000 */
  readonly periodMs?: number;
}

/**
 * Adds up an execution environment's figures per shard (and worker and mode) and hands them to `inner` (the
 * EMF telemetry) once per `flushIntervalMs` instead of once per batch: one EMF line per shard every 20 s
 * instead of five a second, the second largest line of docs/COST.md. Every metric the SPM and the alarms
 * read is a Sum (records, busy time, batches, errors) or a Maximum (iterator age), so added-up figures give
 * CloudWatch the same per-period statistics, as long as a line never mixes two periods: a window is
 * flushed when the period changes, and its line carries the window's first timestamp.
 *
 * Lambda runs code only during invocations, so a window is flushed by the first figures after it is due.
 * What an environment can lose or delay is bounded: at most one window (`flushIntervalMs`) of its figures,
 * if it is recycled, or left idle, before its next invocation. An idle environment serves no batch, so what
 * it holds is the tail of a shard that went quiet, not the load of a hot one.
 */
export class AggregatedTelemetry implements Telemetry {
  private window: { startMs: number; period: number } | undefined;
  private readonly workers = new Map<string, WorkerBatchFigures & { batches: number }>();
  private readonly dispatches = new Map<string, DispatchFigures>();
  private readonly intervalMs: number;
  private readonly periodMs: number;

  constructor(
    private readonly inner: Telemetry,
    private readonly clock: Clock,
    options: AggregatedTelemetryOptions = {},
  ) {
    this.intervalMs = options.flushIntervalMs ?? 20_000;
    this.periodMs = options.periodMs ?? 60_000;
  }

  workerBatch(f: WorkerBatchFigures): void {
    this.roll();
    const key = `${f.mode}|${f.shardId}|${f.workerId}`;
    const held = this.workers.get(key);
    this.workers.set(
      key,
      held
        ? {
            ...held,
            records: held.records + f.records,
            busyMs: held.busyMs + f.busyMs,
            cpuMs: held.cpuMs + f.cpuMs,
            failed: held.failed + f.failed,
            deadLettered: held.deadLettered + f.deadLettered,
            skippedDuplicates: held.skippedDuplicates + f.skippedDuplicates,
            discardedOutputs: held.discardedOutputs + f.discardedOutputs,
            discardedStateWrites: held.discardedStateWrites + f.discardedStateWrites,
            batches: held.batches + (f.batches ?? 1),
          }
        : { ...f, batches: f.batches ?? 1 },
    );
  }

  dispatch(f: DispatchFigures): void {
    this.roll();
    const held = this.dispatches.get(f.shardId);
    this.dispatches.set(
      f.shardId,
      held
        ? {
            ...f,
            records: held.records + f.records,
            bytes: held.bytes + f.bytes,
            iteratorAgeMs: Math.max(held.iteratorAgeMs, f.iteratorAgeMs),
            heldMs: held.heldMs + f.heldMs,
            held: held.held || f.held,
            invokeMs: held.invokeMs + f.invokeMs,
            staleEpochRetries: held.staleEpochRetries + f.staleEpochRetries,
            failedRecords: held.failedRecords + f.failedRecords,
            shadowRecords: held.shadowRecords + f.shadowRecords,
            shadowErrors: held.shadowErrors + f.shadowErrors,
            lanes: Math.max(held.lanes ?? 1, f.lanes ?? 1),
          }
        : f,
    );
  }

  /** Prints everything held, stamped with the window's start. */
  flush(): void {
    const atMs = this.window?.startMs;
    for (const f of this.workers.values()) this.inner.workerBatch({ ...f, atMs });
    for (const f of this.dispatches.values()) this.inner.dispatch({ ...f, atMs });
    this.workers.clear();
    this.dispatches.clear();
    this.window = undefined;
  }

  /** Flushes a window that is due (interval over, or a new period), then opens one if none is open. */
  private roll(): void {
    const now = this.clock.nowMs();
    const period = Math.floor(now / this.periodMs);
    if (this.window && (period !== this.window.period || now - this.window.startMs >= this.intervalMs)) this.flush();
    this.window ??= { startMs: now, period };
  }
}
