import { isTransient } from '../../core/errors.js';
import type { EmittedOutput, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import type { Processor } from '../../processor/api.js';
import { compareSequence } from '../sequence.js';
import type { WorkerBatchFigures } from '../telemetry.js';
import { collectingContext, groupByKey, startSpan, toProcessorRecord } from './context.js';
import { appliedByShard, countFailedAttempt } from './attempts.js';
import { runCrashedRecord } from './crashed-record.js';
import { comparePosition, positionOf, toUserRecords, type UserRecord } from './user-records.js';
import type { WorkerDeps } from './worker-deps.js';

interface KeyResult {
  /** Kinesis sequence number of the first record of the key that must be delivered again, if any. */
  readonly failedAt?: string;
  readonly applied: number;
  readonly deadLettered: number;
  readonly skipped: number;
}

/**
 * Runs a batch as the shard's owner and applies its effects exactly once.
 *
 * Fencing: the worker applies nothing unless the partition item names it as owner at the request's epoch;
 * otherwise it answers `rejected` and the dispatcher refreshes its placement. Idempotence: each partition
 * key's state carries, per shard it came through, the sequence number of the last record applied to it, and a
 * version; records at or below the mark of their shard are skipped (a retry), and the state is written only if the version is unchanged. Outputs are
 * written before the state, under ids derived from the record, so a crash in between repeats them harmlessly.
 * Keys are independent, so their groups run concurrently (`keyConcurrency`); inside a key, strictly in order.
 * Aggregated records (KPL): the batch is expanded into user records first (`toUserRecords`); each keeps its own
 * partition key, and the mark is its position (sequence number, sub-sequence number), so a Kinesis record
 * delivered again because one of its user records failed skips every user record applied before. Failures
 * go back to the mapping as Kinesis sequence numbers, the only identifiers it knows.
 * Poison: a failing record is counted per attempt; below `maxAttempts` its key stops there (per-key order)
 * and the record is reported failed, at `maxAttempts` it goes to the failure sink and counts as applied.
 */
export async function runPrimaryBatch<S>(processor: Processor<S>, request: WorkerRequest, deps: WorkerDeps): Promise<{ response: WorkerResponse; figures: WorkerBatchFigures }> {
  const span = startSpan();
  const rejected = await fenceRejection(request, deps, span);
  if (rejected) return rejected;

  // The dispatcher saw this record's invocation crash: count that attempt instead of running the record.
  if (request.crashed !== undefined) {
    const { response, counts } = await runCrashedRecord(request, deps, request.crashed.error);
    return { response: { ...response, busyMs: span().wallMs }, figures: figures(request, deps, span(), counts) };
  }

  const failures: string[] = [];
  let applied = 0;
  let deadLettered = 0;
  let skipped = 0;
  const groups = [...groupByKey(toUserRecords(request.records))];
  const results = await mapConcurrently(groups, deps.keyConcurrency ?? 8, ([key, records]) =>
    // A throttled or briefly unavailable state store: this key's records come again, no attempt counted.
    runKey(processor, request, deps, key, records).catch((error: unknown): KeyResult => {
      if (!isTransient(error)) throw error;
      return { failedAt: records[0]!.sequenceNumber, applied: 0, deadLettered: 0, skipped: 0 };
    }),
  );
  for (const result of results) {
    applied += result.applied;
    deadLettered += result.deadLettered;
    skipped += result.skipped;
    if (result.failedAt !== undefined) failures.push(result.failedAt);
  }
  const toRetry = [...new Set(failures)].sort(compareSequence);
  const timing = span();
  return {
    response: { batchItemFailures: toRetry.map((itemIdentifier) => ({ itemIdentifier })), processed: applied, busyMs: timing.wallMs },
    figures: figures(request, deps, timing, { records: applied, failed: toRetry.length, deadLettered, skipped }),
  };
}

async function runKey<S>(processor: Processor<S>, request: WorkerRequest, deps: WorkerDeps, key: string, records: readonly UserRecord[]): Promise<KeyResult> {
  const item = await deps.state.get(key);
  let value = item?.value as S | undefined;
  // Sequence numbers are ordered only within a shard: a redelivery is recognised against this shard's mark.
  const mark = item === undefined ? undefined : item.appliedByShard ? item.appliedByShard[request.shardId] : item.lastSequenceNumber;
  let last = mark;
  const outputs: EmittedOutput[] = [];
  let applied = 0;
  let deadLettered = 0;
  let skipped = 0;
  let failedAt: string | undefined;
  let firstApplied: string | undefined;

  for (const record of records) {
    const position = positionOf(record);
    if (last !== undefined && comparePosition(position, last) <= 0) {
      skipped += 1;
      continue;
    }
    const collecting = collectingContext<S>({ mode: 'primary', shardId: request.shardId, workerId: deps.workerId, record, stateBefore: value, speed: deps.speed });
    try {
      if (record.undecodable !== undefined) throw new Error(`aggregated record does not decode: ${record.undecodable}`);
      await processor.process(toProcessorRecord(request.shardId, record), collecting.ctx);
      value = collecting.state().value;
      outputs.push(...collecting.outputs());
      applied += 1;
    } catch (error) {
      const outcome = await countFailedAttempt(request, deps, record, error instanceof Error ? error.message : String(error));
      if (outcome === 'retry') {
        failedAt = record.sequenceNumber;
        break;
      }
      deadLettered += 1;
    }
    firstApplied ??= record.sequenceNumber;
    last = position;
  }

  if (firstApplied === undefined || last === undefined) return { failedAt, applied: 0, deadLettered: 0, skipped };
  if (outputs.length > 0) await deps.state.putOutputs(outputs);
  const written = await deps.state.put(key, value, last, item?.version ?? 0, appliedByShard(item?.appliedByShard, request.shardId, last));
  if (!written.ok) {
    // Someone else wrote this key since we read it (a zombie invocation of an old owner): apply nothing,
    // have the batch delivered again from this key's first new record; the retry will skip what they applied.
    return { failedAt: firstApplied, applied: 0, deadLettered: 0, skipped };
  }
  // This key is applied; the batch's other keys may not be yet. Dying here is a partly applied batch.
  deps.crashPoint?.('worker.after-state-write', key);
  return { failedAt, applied, deadLettered, skipped };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * The fence of an owner's batch: unless the partition item names this worker (or, for a burst lane, the owner
 * the lane runs for) as owner at the request's epoch,
 * nothing is applied and the answer is `rejected` with every record handed back (the dispatcher refreshes its
 * placement). `undefined` when the worker is the owner.
 */
export async function fenceRejection(request: WorkerRequest, deps: WorkerDeps, span: () => { wallMs: number; cpuMs: number }): Promise<{ response: WorkerResponse; figures: WorkerBatchFigures } | undefined> {
  const partition = await deps.metadata.getPartition(request.shardId);
  // A burst lane runs for the owner it names: any worker may run it while that owner holds the epoch.
  const owner = request.laneOf ?? deps.workerId;
  if (partition && partition.epoch === request.epoch && partition.ownerWorkerId === owner) return undefined;
  const timing = span();
  return {
    response: {
      batchItemFailures: request.records.map((r) => ({ itemIdentifier: r.sequenceNumber })),
      processed: 0,
      busyMs: timing.wallMs,
      rejected: { reason: 'stale-epoch', currentEpoch: partition?.epoch ?? -1, ownerWorkerId: partition?.ownerWorkerId ?? '' },
    },
    figures: figures(request, deps, timing, { records: 0, failed: 0, deadLettered: 0, skipped: 0 }),
  };
}

export function figures(
  request: WorkerRequest,
  deps: WorkerDeps,
  timing: { wallMs: number; cpuMs: number },
  counts: { records: number; failed: number; deadLettered: number; skipped: number },
): WorkerBatchFigures {
  return {
    shardId: request.shardId,
    workerId: deps.workerId,
    mode: 'primary',
    records: counts.records,
    busyMs: timing.wallMs,
    cpuMs: timing.cpuMs,
    failed: counts.failed,
    deadLettered: counts.deadLettered,
    skippedDuplicates: counts.skipped,
    discardedOutputs: 0,
    discardedStateWrites: 0,
  };
}
