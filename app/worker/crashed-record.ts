import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { compareSequence } from '../sequence.js';
import { appliedByShard, countFailedAttempt } from './attempts.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * The owner's side of a crashed invocation (WorkerRequest.crashed): the record is not run. Already applied
 * (the crash came after its state write): nothing to count. Otherwise one more failed attempt is counted; at
 * `maxAttempts` the record goes to the failure sink and its key's mark moves past it (the key's value
 * unchanged), so a redelivery skips it and the key's later records follow.
 */
export async function runCrashedRecord(
  request: WorkerRequest,
  deps: WorkerDeps,
  error: string,
): Promise<{ response: Omit<WorkerResponse, 'busyMs'>; counts: { records: number; failed: number; deadLettered: number; skipped: number } }> {
  const [record, ...others] = request.records;
  if (record === undefined || others.length > 0) throw new TypeError(`a crashed request carries exactly one record (given ${request.records.length})`);
  const retry = { response: { batchItemFailures: [{ itemIdentifier: record.sequenceNumber }], processed: 0 }, counts: { records: 0, failed: 1, deadLettered: 0, skipped: 0 } };
  const item = await deps.state.get(record.partitionKey);
  const mark = item === undefined ? undefined : item.appliedByShard ? item.appliedByShard[request.shardId] : item.lastSequenceNumber;
  if (mark !== undefined && compareSequence(record.sequenceNumber, mark) <= 0) {
    return { response: { batchItemFailures: [], processed: 0 }, counts: { records: 0, failed: 0, deadLettered: 0, skipped: 1 } };
  }
  if ((await countFailedAttempt(request, deps, record, error)) === 'retry') return retry;
  const written = await deps.state.put(
    record.partitionKey,
    item?.value,
    record.sequenceNumber,
    item?.version ?? 0,
    appliedByShard(item?.appliedByShard, request.shardId, record.sequenceNumber),
  );
  // Someone wrote the key meanwhile: deliver the record again; the next crash sends it once more (at least once).
  if (!written.ok) return retry;
  return { response: { batchItemFailures: [], processed: 0 }, counts: { records: 0, failed: 0, deadLettered: 1, skipped: 0 } };
}
