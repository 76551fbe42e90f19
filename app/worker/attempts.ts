import type { WireRecord, WorkerRequest } from '../../core/ports/index.js';
import { positionOf } from './user-records.js';
import type { WorkerDeps } from './worker-deps.js';

/** Shards a key's marks are kept for: its shard and enough ancestors to recognise a late parent redelivery. */
const MARKED_SHARDS = 8;

/** A key's per-shard marks with `shardId`'s set to `last` (the shard's newest record applied to the key). */
export function appliedByShard(before: Readonly<Record<string, string>> | undefined, shardId: string, last: string): Record<string, string> {
  const entries = Object.entries(before ?? {}).filter(([id]) => id !== shardId);
  return Object.fromEntries([...entries.slice(-(MARKED_SHARDS - 1)), [shardId, last]]);
}

/**
 * Counts one more failed attempt of a record, whatever failed (its processor threw, or its invocation
 * crashed): below `maxAttempts` the record is to be delivered again; at `maxAttempts` it goes, with its data,
 * to the failure sink and counts as applied.
 */
export async function countFailedAttempt(
  request: WorkerRequest,
  deps: WorkerDeps,
  record: WireRecord & { readonly subSequenceNumber?: number },
  error: string,
): Promise<'retry' | 'dead-lettered'> {
  // Attempts are counted per user record: one failing record of an aggregate does not spend its neighbours'.
  const attempts = await deps.state.countAttempt(`${request.shardId}:${positionOf(record)}`);
  if (attempts < deps.maxAttempts) return 'retry';
  await deps.failures.send({
    shardId: request.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    partitionKey: record.partitionKey,
    data: record.data,
    approximateArrivalMs: record.approximateArrivalMs,
    workerId: deps.workerId,
    epoch: request.epoch,
    attempts,
    error,
    failedAtMs: deps.clock.nowMs(),
  });
  return 'dead-lettered';
}
