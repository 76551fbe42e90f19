import type { LanesConfig } from '../../core/config/index.js';
import type { PartitionMetadata, ShadowPartition } from '../../core/model/index.js';
import type { Clock, CrashPoint, InvokeFailure, MetadataStore, ShardLoadStore, StreamControl, WireRecord, WorkerInvoker, WorkerResponse } from '../../core/ports/index.js';
import { isSampled } from '../sequence.js';
import type { Telemetry } from '../telemetry.js';
import type { ShardBatch } from './kinesis-event.js';
import { BurstLanes, type LaneTarget } from './burst-lanes.js';
import { CrashSearch } from './crash-search.js';
import { ParentGate, type MappingStart } from './parent-gate.js';
import { PlacementCache } from './placement-cache.js';
import { LoadRecorder, type LoadRecorderOptions } from './load-recorder.js';
import { ProgressWriter, type ProgressWriterOptions } from './progress-writer.js';

export interface DispatcherOptions extends ProgressWriterOptions, LoadRecorderOptions {
  /** How long a placement is reused before it is read again, in ms. @default 1000 */
  readonly placementCacheMs?: number;
  /**
   * Longest a child's batch (or a not yet placed shard's) waits in the invocation before it is handed back to
   * the ESM, in ms. Half the dispatcher's default 120 s timeout: the other half is left for the owner's call.
   * @default 60000
   */
  readonly holdBudgetMs?: number;
  /**
   * Time between two drain checks while holding, in ms. Each check reads the parent shard, whose 5
   * GetRecords/s the event source mapping also needs while it finishes the parent: one a second leaves it
   * most of them. @default 1000
   */
  readonly holdPollMs?: number;
  /** Time kept free before the invocation's deadline when holding, in ms. @default 5000 */
  readonly deadlineMarginMs?: number;
  /** Re-reads of the placement after a stale-epoch answer before the batch is handed back. @default 3 */
  readonly staleEpochRetries?: number;
  /** Longest the dispatcher waits, after the owner answered, for shadow invocations to be accepted, in ms. @default 100 */
  readonly shadowGraceMs?: number;
  /** Burst lanes (app/dispatch/burst-lanes.ts; `config.lanes`). @default one lane (none) */
  readonly lanes?: LanesConfig;
}

export interface DispatcherDeps {
  readonly metadata: Pick<
    MetadataStore,
    'getPartition' | 'listShadows' | 'getShardProgress' | 'putShardProgress' | 'getSuspectRange' | 'putSuspectRange' | 'deleteSuspectRange'
  >;
  readonly stream: Pick<StreamControl, 'isDrained'>;
  /**
   * Where each shard's load per minute is added for the SPM (its `metadata-table` data path, load-recorder.ts).
   * @default none (nothing counted: the SPM then reads CloudWatch)
   */
  readonly load?: Pick<ShardLoadStore, 'addShardLoad'>;
  readonly invoker: WorkerInvoker;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly telemetry: Telemetry;
  /**
   * Where the event source mapping started reading (the parent gate's rule for a parent the dispatcher
   * processed nothing of), read at the first need. @default TRIM_HORIZON (every record within retention)
   */
  readonly mappingStart?: () => Promise<MappingStart>;
  /** Fault injection at named steps (core/ports/crash-points.port.ts): tests only. @default none */
  readonly crashPoint?: CrashPoint;
  /** Worker classes burst lanes may run on, with their speed hints (the workers list). @default none (no lanes) */
  readonly lanePool?: readonly LaneTarget[];
}

export type BatchResult = { readonly batchItemFailures: { readonly itemIdentifier: string }[] };

/** Owner failures that mean the invocation ran and died: they count as an attempt of the records it had. */
const CRASHES: ReadonlySet<InvokeFailure> = new Set(['function-error', 'timeout']);

/**
 * Routes each shard's batches to the shard's owner, and a sampled copy to its shadows.
 *
 * Per batch: read the placement (cached, fenced by the epoch the worker checks); hold a child's batch until
 * its parents are drained; start the shadow clones without waiting for them; invoke the owner synchronously
 * with the batch and the epoch (a lagging shard's batch goes out over burst lanes: burst-lanes.ts); if the
 * owner answers that the epoch is stale, read the placement again and retry; record how far the shard got
 * (for its children's drain check, written when needed) and count the shard's load for the SPM (written
 * about every 30 s); return the owner's failures.
 *
 * An owner that crashes (function error, timeout) cannot count the attempt of the record that crashed it:
 * the dispatcher finds that record by bisection across the shard's batches (CrashSearch) and has the owner
 * count each crash of it alone, so it reaches the failure sink after `maxAttempts` like a record whose
 * processor throws, and the rest of the shard flows on.
 */
export function createDispatcher(deps: DispatcherDeps, options: DispatcherOptions = {}) {
  const cache = new PlacementCache(deps.metadata, deps.clock, options.placementCacheMs ?? 1000);
  const gate = new ParentGate(deps.metadata, deps.stream, deps.clock, deps.mappingStart);
  const crashes = new CrashSearch(deps.metadata, deps.clock);
  const progress = new ProgressWriter(deps.metadata, deps.clock, options);
  const load = deps.load ? new LoadRecorder(deps.load, deps.clock, options) : undefined;
  const holdBudgetMs = options.holdBudgetMs ?? 60_000;
  const holdPollMs = options.holdPollMs ?? 1000;
  const marginMs = options.deadlineMarginMs ?? 5000;
  const retries = options.staleEpochRetries ?? 3;
  const graceMs = options.shadowGraceMs ?? 100;
  const lanes = new BurstLanes(options.lanes ?? { max: 1, openAtAgeMs: 1, closeBelowDemand: 1 }, deps.lanePool ?? [], deps.invoker);

  const allFailed = (records: readonly WireRecord[]): BatchResult => ({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.sequenceNumber })) });

  /** Polls `ready` until it holds; false if the hold budget (or the invocation's remaining time) ran out first. */
  async function holdUntil(ready: () => Promise<boolean>, startMs: number, remainingMs: () => number): Promise<boolean> {
    for (;;) {
      if (await ready()) return true;
      const spent = deps.clock.nowMs() - startMs;
      if (spent + holdPollMs > holdBudgetMs || remainingMs() - holdPollMs < marginMs) return false;
      await deps.sleep(holdPollMs);
    }
  }

  function cloneToShadows(batch: ShardBatch, partition: PartitionMetadata, shadows: readonly ShadowPartition[]): { records: number; done: Promise<number> } {
    let records = 0;
    const calls = shadows.map(async (shadow) => {
      const sampled = batch.records.filter((r) => isSampled(r.sequenceNumber, shadow.rate));
      if (sampled.length === 0) return 0;
      records += sampled.length;
      try {
        const outcome = await deps.invoker.invokeAsync(shadow.workerId, {
          mode: 'shadow',
          shardId: batch.shardId,
          epoch: partition.epoch,
          shadowId: shadow.shadowId,
          hashKeyStart: partition.hashKeyRange.start.toString(),
          hashKeyEnd: partition.hashKeyRange.end.toString(),
          records: sampled,
        });
        return outcome.ok ? 0 : 1;
      } catch {
        return 1;
      }
    });
    return { records, done: Promise.all(calls).then((errors) => errors.reduce<number>((a, b) => a + b, 0)) };
  }

  async function dispatch(batch: ShardBatch, remainingMs: () => number = () => Number.POSITIVE_INFINITY): Promise<BatchResult> {
    const startMs = deps.clock.nowMs();
    const newest = Math.max(...batch.records.map((r) => r.approximateArrivalMs));
    const base = { shardId: batch.shardId, records: batch.records.length, bytes: batch.bytes, iteratorAgeMs: Math.max(0, startMs - newest) };
    // A shard the SPM has not placed yet (it creates the partitions of new shards) waits like a held child.
    let partition = await cache.partition(batch.shardId);
    if (!partition && !(await holdUntil(async () => (partition = await cache.partition(batch.shardId)) !== undefined, startMs, remainingMs))) {
      deps.telemetry.dispatch({ ...base, heldMs: deps.clock.nowMs() - startMs, held: true, invokeMs: 0, staleEpochRetries: 0, failedRecords: batch.records.length, shadowRecords: 0, shadowErrors: 0 });
      return allFailed(batch.records);
    }
    if (!partition) return allFailed(batch.records);
    const placed: PartitionMetadata = partition;
    await progress.flush(placed.parentShardIds);
    if (placed.parentShardIds.length > 0 && !(await holdUntil(async () => (await gate.pendingParents(placed)).length === 0, startMs, remainingMs))) {
      deps.telemetry.dispatch({ ...base, ownerWorkerId: partition.ownerWorkerId, heldMs: deps.clock.nowMs() - startMs, held: true, invokeMs: 0, staleEpochRetries: 0, failedRecords: batch.records.length, shadowRecords: 0, shadowErrors: 0 });
      return allFailed(batch.records);
    }
    const heldMs = deps.clock.nowMs() - startMs;

    // Shadow work must never fail the primary path: a failed shadow lookup means no shadow copy this batch.
    let shadowLookupFailed = false;
    const live = await cache.shadowsOf(batch.shardId).catch(() => {
      shadowLookupFailed = true;
      return [];
    });
    // While a crash in this shard is being narrowed down, only part of the batch goes (to the shadows too);
    // the rest is handed back.
    const sent = crashes.sendable(batch.shardId, batch.records);
    const sending = batch.records.slice(0, sent);
    const shadows = cloneToShadows({ ...batch, records: sending }, partition, live);
    const invokeStart = deps.clock.nowMs();
    const laneCount = lanes.plan(batch.shardId, sending, invokeStart, crashes.searching(batch.shardId));
    let response: WorkerResponse | undefined;
    let crash: string | undefined;
    let attempt = 0;
    for (; attempt <= retries; attempt += 1) {
      if (attempt > 0) {
        cache.invalidate(batch.shardId);
        partition = await cache.partition(batch.shardId);
        if (!partition) break;
      }
      const outcome = await lanes.invoke(partition.ownerWorkerId, { mode: 'primary', shardId: batch.shardId, epoch: partition.epoch, records: sending }, laneCount);
      if (!outcome.ok) {
        if (CRASHES.has(outcome.reason)) crash = outcome.detail;
        break;
      }
      if (!outcome.value.rejected) {
        response = outcome.value;
        break;
      }
    }
    // The owner applied (some of) the batch; dying here leaves the mapping to deliver all of it again.
    if (response) deps.crashPoint?.('dispatcher.after-owner-applied', batch.shardId);
    const invokeMs = deps.clock.nowMs() - invokeStart;
    let result: BatchResult;
    // Kinesis records the owner finished: those before the first it reported failed (where the mapping resumes).
    let finished = 0;
    if (response) {
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      const firstFailed = sending.findIndex((r) => failed.has(r.sequenceNumber));
      finished = firstFailed === -1 ? sending.length : firstFailed;
      await crashes.answered(batch.shardId, batch.records, sent, firstFailed === -1 ? sent : firstFailed);
      result = { batchItemFailures: [...response.batchItemFailures, ...allFailed(batch.records.slice(sent)).batchItemFailures] };
    } else if (crash !== undefined && partition) {
      result = await afterCrash(batch, partition, sent, crash);
    } else {
      result = allFailed(batch.records);
    }
    // Load in Kinesis records, the unit of the records read: the owner's `processed` counts user records,
    // which differ from them for KPL aggregates (docs/ARCHITECTURE.md, "Aggregated records").
    if (response) {
      load?.note(batch.shardId, sending, finished, response.busyMs);
      lanes.done(batch.shardId, invokeStart, response.busyMs);
    }
    await Promise.all([recordProgress(batch, result, response ? partition : undefined), load?.flushDue()]);

    const shadowErrors = (await Promise.race([shadows.done, deps.sleep(graceMs).then(() => 0)])) + (shadowLookupFailed ? 1 : 0);
    deps.telemetry.dispatch({
      ...base,
      ownerWorkerId: partition?.ownerWorkerId,
      heldMs,
      held: false,
      invokeMs,
      staleEpochRetries: Math.min(attempt, retries),
      failedRecords: result.batchItemFailures.length,
      shadowRecords: shadows.records,
      shadowErrors,
      lanes: laneCount,
    });
    return result;
  }

  /**
   * The owner crashed on the first `sent` records: narrow the search, or, down to one record, have the owner
   * count its attempt (and at `maxAttempts` send it to the failure sink: then it and the records before it
   * are done). Everything else is handed back.
   */
  async function afterCrash(batch: ShardBatch, partition: PartitionMetadata, sent: number, crash: string): Promise<BatchResult> {
    const step = await crashes.crashed(batch.shardId, batch.records, sent);
    if (step.next === 'bisect') return allFailed(batch.records);
    const record = batch.records[step.index]!;
    const counted = await deps.invoker.invoke(partition.ownerWorkerId, { mode: 'primary', shardId: batch.shardId, epoch: partition.epoch, records: [record], crashed: { error: crash } });
    if (!counted.ok || counted.value.rejected || counted.value.batchItemFailures.length > 0) return allFailed(batch.records);
    await crashes.close(batch.shardId);
    return allFailed(batch.records.slice(step.index + 1));
  }

  /**
   * The last record before the lowest failure is the shard's new progress (nothing if the first failed),
   * written when the children's drain check may need it (progress-writer.ts), not after every batch.
   */
  async function recordProgress(batch: ShardBatch, result: BatchResult, accepted: PartitionMetadata | undefined): Promise<void> {
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    const firstFailed = batch.records.findIndex((r) => failed.has(r.sequenceNumber));
    const last = firstFailed === -1 ? batch.records.at(-1) : batch.records[firstFailed - 1];
    await progress.record(batch.shardId, batch.records, last, accepted);
  }

  return { dispatch };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
