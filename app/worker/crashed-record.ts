import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { appliedByShard, countFailedAttempt } from './attempts.js';
import { comparePosition, toUserRecords } from './user-records.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * The owner's side of a crashed invocation (WorkerRequest.crashed): the record is not run. Already applied
 * (the crash came after its state write): nothing to count. Otherwise one more failed attempt is counted; at
 * `maxAttempts` the record goes to the failure sink and its key's mark moves past it (the key's value
 * unchanged), so a redelivery skips it and the key's later records follow.
 *
 * A KPL aggregate crashed as a whole (the dispatcher bisects Kinesis records, not user records): its attempts
 * are counted once for the Kinesis record, it is dead-lettered whole (the aggregate's data), and the mark of
 * every user key in it moves past the whole Kinesis record.
 */
export async function runCrashedRecord(
  request: WorkerRequest,
  deps: WorkerDeps,
  error: string,
): Promise<{ response: Omit<WorkerResponse, 'busyMs'>; counts: { records: number; failed: number; deadLettered: number; skipped: number } }> {
  const [record, ...others] = request.records;
  if (record === undefined || others.length > 0) throw new TypeError(`a crashed request carries exactly one record (given ${request.records.length})`);
  const retry = { response: { batchItemFailures: [{ itemIdentifier: record.sequenceNumber }], processed: 0 }, counts: { records: 0, failed: 1, deadLettered: 0, skipped: 0 } };
  const keys = [...new Set(toUserRecords([record]).map((u) => u.partitionKey))];
  const items = await Promise.all(keys.map(async (key) => ({ key, item: await deps.state.get(key) })));
  // The whole Kinesis record (a mark without a sub-sequence number) is behind every key's mark: all applied.
  const open = items.filter(({ item }) => {
    const mark = item === undefined ? undefined : item.appliedByShard ? item.appliedByShard[request.shardId] : item.lastSequenceNumber;
    return mark === undefined || comparePosition(record.sequenceNumber, mark) > 0;
  });
  if (open.length === 0) {
    return { response: { batchItemFailures: [], processed: 0 }, counts: { records: 0, failed: 0, deadLettered: 0, skipped: 1 } };
  }
  if ((await countFailedAttempt(request, deps, record, error)) === 'retry') return retry;
  for (const { key, item } of open) {
    const written = await deps.state.put(key, item?.value, record.sequenceNumber, item?.version ?? 0, appliedByShard(item?.appliedByShard, request.shardId, record.sequenceNumber));
    // Someone wrote the key meanwhile: deliver the record again; the next crash sends it once more (at least once).
    if (!written.ok) return retry;
  }
  return { response: { batchItemFailures: [], processed: 0 }, counts: { records: 0, failed: 0, deadLettered: 1, skipped: 0 } };
}
