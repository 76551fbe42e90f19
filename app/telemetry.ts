import type { WorkerMode } from '../core/ports/index.js';

/** What a worker measured in one batch (one EMF record per batch on AWS, one metrics-store entry locally). */
export interface WorkerBatchFigures {
  readonly shardId: string;
  readonly workerId: string;
  readonly mode: WorkerMode;
  readonly records: number;
  /** Wall-clock ms spent processing (the busy time utilization is made of). */
  readonly busyMs: number;
  /** CPU ms (user + system) over the same span; shadow: summed over the records' processing only. */
  readonly cpuMs: number;
  readonly failed: number;
  readonly deadLettered: number;
  /** Records a retry delivered again that were already applied. */
  readonly skippedDuplicates: number;
  /** Shadow only: outputs and state writes the dry run produced and threw away. */
  readonly discardedOutputs: number;
  readonly discardedStateWrites: number;
  /** Batches these figures add up (app/telemetry.aggregated.ts sums several). @default 1 */
  readonly batches?: number;
  /** When the figures were taken, in epoch ms (the EMF line's Timestamp). @default now */
  readonly atMs?: number;
}

/** What the dispatcher saw and did for one batch of one shard. */
export interface DispatchFigures {
  readonly shardId: string;
  readonly ownerWorkerId?: string;
  readonly records: number;
  readonly bytes: number;
  /** Now minus the newest record's arrival time (Lambda's IteratorAge: how far behind the shard's tip the batch is). */
  readonly iteratorAgeMs: number;
  /** How long the batch waited for its parent shards to drain (0 if it did not). */
  readonly heldMs: number;
  /** True when the batch went back to the event source mapping because a parent was not drained yet. */
  readonly held: boolean;
  readonly invokeMs: number;
  readonly staleEpochRetries: number;
  readonly failedRecords: number;
  /** Records cloned to shadows, and shadow invocations that failed to start. */
  readonly shadowRecords: number;
  readonly shadowErrors: number;
  /** Invocations the batch went out as (burst lanes; 1: the owner alone). @default 1 */
  readonly lanes?: number;
  /** When the figures were taken, in epoch ms (the EMF line's Timestamp). @default now */
  readonly atMs?: number;
}

/** Where handlers report figures; Powertools EMF on AWS and in the local runtime, an array in tests. */
export interface Telemetry {
  workerBatch(figures: WorkerBatchFigures): void;
  dispatch(figures: DispatchFigures): void;
}

export const noTelemetry: Telemetry = { workerBatch: () => undefined, dispatch: () => undefined };
