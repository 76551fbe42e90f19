import type { Action } from '../model/actions.js';
import type { DecisionEvent } from '../model/decision.js';
import type { HashKeyHistogram, ShadowStats } from '../model/metrics.js';
import type { PartitionMetadata } from '../model/partition.js';
import type { ShadowPartition } from '../model/shadow.js';
import type { WorkerNodeMetadata } from '../model/worker.js';
import type { Outcome } from './outcome.js';

export type WriteFailure = 'stale-epoch' | 'not-found' | 'already-exists' | 'version-conflict';
export type WriteOutcome<T = void> = Outcome<T, WriteFailure>;

/** Fields of a partition that change without a change of owner (metrics, predictions, shadow pointers). */
export type PartitionStatsPatch = Partial<
  Pick<
    PartitionMetadata,
    | 'ingestRecordsPerSec'
    | 'ingestBytesPerSec'
    | 'utilization'
    | 'utilizationTrendPerSec'
    | 'shadowPartitionId'
    | 'shadowReplicationRate'
    | 'predictedUtilization'
    | 'state'
  >
>;

/** One sampled batch a shadow processed, added atomically to its running stats. */
export interface ShadowSample {
  /** Sampled records measured: user records (a KPL aggregate counts each record it packs). */
  readonly records: number;
  /** The Kinesis records they came in; absent when every record is its own (no aggregates). */
  readonly kinesisRecords?: number;
  readonly busyMs: number;
  readonly busyMsSquared: number;
  readonly histogram: HashKeyHistogram;
  readonly atMs: number;
  /**
   * Smallest and largest sequence number of the sample's records. When given, the sample is added only if
   * the stats' high-water mark (`ShadowStats.highWaterSequenceNumber`) is below `firstSequenceNumber`, and
   * the mark moves to `lastSequenceNumber` in the same write: a batch delivered again counts once.
   */
  readonly firstSequenceNumber?: string;
  readonly lastSequenceNumber?: string;
}

/**
 * What became of a shadow sample: added; refused because the stats' high-water mark is at or above its first
 * record (`highWaterSequenceNumber` is the mark, absent if it moved back under a restart: try again); or
 * dropped because the shadow is gone or its stats are at another rate.
 */
export type ShadowSampleResult =
  | { readonly added: true }
  | { readonly added: false; readonly reason: 'behind-high-water'; readonly highWaterSequenceNumber?: string }
  | { readonly added: false; readonly reason: 'dropped'; readonly detail: string };

/** One line of the audit log: every decision with its reason and prediction, and later its outcome. */
export interface AuditEntry {
  readonly atMs: number;
  readonly policy: string;
  readonly tickId: string;
  readonly entry: { readonly kind: 'action'; readonly action: Action; readonly applied: boolean; readonly detail?: string } | { readonly kind: 'event'; readonly event: DecisionEvent };
}

/**
 * How far the dispatcher has got in one shard: the last sequence number the owner processed (applied or
 * dead-lettered). A child shard's batches wait until `StreamControl.isDrained(parent, lastSequenceNumber)`
 * holds; `drained` caches that answer so later batches of the children skip the Kinesis call.
 */
export interface ShardProgress {
  readonly shardId: string;
  readonly lastSequenceNumber?: string;
  readonly drained?: boolean;
  readonly updatedAtMs: number;
}

/**
 * Where in a shard the dispatcher is looking for a record that makes its owner crash (a function error or a
 * timeout, which the worker cannot count itself): the `span` records from `startSequenceNumber` on ended in
 * one. The dispatcher sends the first half next, and so on down to the one record, whose crashes it has the
 * owner count (see WorkerRequest.crashed). Written only when an owner crashed, deleted when the search ends.
 */
export interface SuspectRange {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  /** Records from `startSequenceNumber` (in the shard's order) among which one crashed the owner; at least 1. */
  readonly span: number;
  readonly updatedAtMs: number;
}

/**
 * Partitions, workers, shadows and the audit log. Ownership changes are conditional on the epoch, so two
 * SPM runs at once cannot both apply conflicting actions: the loser gets `stale-epoch`, not an exception.
 */
export interface MetadataStore {
  listPartitions(): Promise<PartitionMetadata[]>;
  getPartition(shardId: string): Promise<PartitionMetadata | undefined>;
  /** Creates a partition (a new shard); `already-exists` if it is known. */
  createPartition(partition: PartitionMetadata): Promise<WriteOutcome>;
  /** Updates non-ownership fields, only if the partition is still at `expectedEpoch`. */
  updatePartition(shardId: string, expectedEpoch: number, patch: PartitionStatsPatch): Promise<WriteOutcome>;
  /** Hands the shard to `toWorkerId` at epoch + 1, only if it is still at `expectedEpoch`. Returns the new epoch. */
  changeOwner(shardId: string, expectedEpoch: number, toWorkerId: string, atMs: number): Promise<WriteOutcome<number>>;

  listWorkers(): Promise<WorkerNodeMetadata[]>;
  putWorker(worker: WorkerNodeMetadata): Promise<void>;
  /** Removes a worker that is no longer deployed; nothing happens if it is unknown. */
  deleteWorker(workerId: string): Promise<void>;

  listShadows(): Promise<ShadowPartition[]>;
  /**
   * Creates a shadow only if its shard has no live shadow of the same kind (one whose `expiresAtMs` is
   * after the new shadow's `createdAtMs`, or that never expires); `already-exists` otherwise, naming it.
   */
  createShadow(shadow: ShadowPartition): Promise<WriteOutcome>;
  /**
   * Writes a shadow (a re-rate, or a create without the live-shadow check); `already-exists` if another
   * shadow of the same shard and kind holds its place. With `requireExisting` (a re-rate) it writes only
   * over the shadow itself: a shadow deleted meanwhile answers `not-found` and is not brought back.
   */
  putShadow(shadow: ShadowPartition, options?: { readonly requireExisting?: boolean }): Promise<WriteOutcome>;
  deleteShadow(shadowId: string): Promise<void>;
  /** Adds one batch's measurements to a shadow's stats (atomic counters), above the stats' high-water mark. */
  recordShadowSample(shadow: ShadowPartition, sample: ShadowSample): Promise<ShadowSampleResult>;
  listShadowStats(): Promise<ShadowStats[]>;

  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  listAudit(sinceMs: number): Promise<AuditEntry[]>;

  /** The dispatcher's progress in a shard (see ShardProgress); undefined when it never processed a batch. */
  getShardProgress(shardId: string): Promise<ShardProgress | undefined>;
  /**
   * Overwrites the shard's progress. Unconditional: a shard's batches are dispatched one at a time (ESM with
   * ParallelizationFactor 1), so there is one writer per shard.
   */
  putShardProgress(progress: ShardProgress): Promise<void>;

  /** The shard's open search for a record that crashes its owner (see SuspectRange), if any. */
  getSuspectRange(shardId: string): Promise<SuspectRange | undefined>;
  /** Overwrites it; unconditional for the same reason as `putShardProgress`. */
  putSuspectRange(range: SuspectRange): Promise<void>;
  deleteSuspectRange(shardId: string): Promise<void>;

  /** The policy's state between ticks, with a version for optimistic concurrency. */
  loadPolicyState(policy: string): Promise<{ state: unknown; version: number } | undefined>;
  savePolicyState(policy: string, state: unknown, expectedVersion: number): Promise<WriteOutcome>;
}
