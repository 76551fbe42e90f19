import type { Outcome } from './outcome.js';

export const WORKER_MODES = ['primary', 'shadow'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

/** A Kinesis record as the dispatcher passes it on (data base64, as the ESM event carries it). */
export interface WireRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly approximateArrivalMs: number;
}

export interface WorkerRequest {
  readonly mode: WorkerMode;
  readonly shardId: string;
  /** The owner's epoch the dispatcher read; a worker given a stale epoch applies nothing. */
  readonly epoch: number;
  readonly shadowId?: string;
  /** Shadow only: the shard's hash-key range, for the load histogram. Decimal strings. */
  readonly hashKeyStart?: string;
  readonly hashKeyEnd?: string;
  readonly records: readonly WireRecord[];
  /**
   * Primary only, with exactly one record: the invocation that ran this record alone ended without an
   * answer (a function error, a timeout, the memory limit), so the worker could not count the attempt. The
   * worker counts it now instead of running the record; at `maxAttempts` it sends the record to the failure
   * sink and marks it applied, as it does a record whose processor keeps throwing. `error` is what the
   * dispatcher saw.
   */
  readonly crashed?: { readonly error: string };
  /**
   * A burst lane (app/dispatch/burst-lanes.ts): part of an owner batch run on another worker for the shard's
   * owner, this worker id, at `epoch`. The worker applies it if the partition names that owner at that epoch.
   */
  readonly laneOf?: string;
}

export interface WorkerResponse {
  /** Sequence numbers that failed, lowest first; the dispatcher returns them to the ESM. */
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
  readonly processed: number;
  readonly busyMs: number;
  /**
   * Set when the worker applied nothing because the dispatcher's view of the placement is out of date: the
   * shard is at another epoch or owned by another worker. The dispatcher refreshes its cache and retries.
   */
  readonly rejected?: { readonly reason: 'stale-epoch'; readonly currentEpoch: number; readonly ownerWorkerId: string };
}

export type InvokeFailure = 'throttled' | 'function-error' | 'payload-too-large' | 'not-found' | 'timeout';

/** Calls worker functions: synchronously for the owner, asynchronously (fire and forget) for shadows. */
export interface WorkerInvoker {
  invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>>;
  /** Asynchronous; splits the records into as many calls as the async payload limit needs. */
  invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>>;
}
