import { describe, expect, it } from 'vitest';
import { createWorkerService } from '../../app/worker/worker-service.js';
import type { WorkerBatchFigures } from '../../app/telemetry.js';
import { aggregatesProcessor, foldDigest, INITIAL_DIGEST, type Aggregate } from '../../processor/aggregates.processor.js';
import { defineProcessor } from '../../processor/api.js';
import { FakeMetadata, partition, request, wireRecord, workerDeps } from './factories.js';

function setup(overrides: Parameters<typeof workerDeps>[1] = {}) {
  const metadata = new FakeMetadata(partition());
  const deps = workerDeps(metadata, overrides);
  const figures: WorkerBatchFigures[] = [];
  const worker = createWorkerService(aggregatesProcessor, deps, { workerBatch: (f) => figures.push(f), dispatch: () => undefined });
  return { metadata, deps, figures, worker };
}

const aggregate = (store: ReturnType<typeof setup>['deps']['state'], key: string) => store.items.get(key)?.value as Aggregate | undefined;

describe('the worker in primary mode', () => {
  it('applies per-key aggregates in sequence order', async () => {
    const { worker, deps } = setup();
    const records = [wireRecord(1, 'a', { v: 2 }), wireRecord(2, 'b', { v: 5 }), wireRecord(3, 'a', { v: 3 })];
    const response = await worker.handle(request(records));
    expect(response.batchItemFailures).toEqual([]);
    expect(aggregate(deps.state, 'a')).toEqual({ count: 2, sum: 5, lastSequenceNumber: '1000003', digest: foldDigest(foldDigest(INITIAL_DIGEST, 2), 3) });
    expect(aggregate(deps.state, 'b')?.count).toBe(1);
  });

  it('applies nothing twice when a batch is delivered again', async () => {
    const { worker, deps, figures } = setup();
    const records = [wireRecord(1, 'a', { v: 2 }), wireRecord(2, 'a', { v: 3 })];
    await worker.handle(request(records));
    await worker.handle(request([...records, wireRecord(3, 'a', { v: 4 })]));
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 3, sum: 9 });
    expect(figures[1]).toMatchObject({ records: 1, skippedDuplicates: 2 });
  });

  it('applies a key in its child shard even when the child sequence numbers are lower, and skips a late parent redelivery', async () => {
    const { worker, deps, metadata } = setup();
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['shardId-000000000000'] }));
    const parentRecords = [wireRecord(50, 'a', { v: 1 }), wireRecord(51, 'a', { v: 2 })];
    await worker.handle(request(parentRecords));
    await worker.handle(request([wireRecord(3, 'a', { v: 4 })], { shardId: 'child' }));
    await worker.handle(request(parentRecords));
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 3, sum: 7, lastSequenceNumber: '1000003' });
    expect(deps.state.items.get('a')?.appliedByShard).toEqual({ 'shardId-000000000000': '1000051', child: '1000003' });
  });

  it('applies a batch once when two invocations run it at the same time (a zombie and its retry)', async () => {
    const { worker, deps } = setup();
    const records = [wireRecord(1, 'a', { v: 2 }), wireRecord(2, 'a', { v: 3 })];
    const [first, second] = await Promise.all([worker.handle(request(records)), worker.handle(request(records))]);
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 2, sum: 5 });
    expect([first.batchItemFailures, second.batchItemFailures]).toContainEqual([{ itemIdentifier: '1000001' }]);
  });

  it.each([
    ['an older epoch', partition({ epoch: 2 })],
    ['another owner', partition({ ownerWorkerId: 'w2' })],
  ])('rejects a batch sent with %s and applies nothing', async (_what, current) => {
    const { worker, deps, metadata } = setup();
    metadata.partitions.set(current.shardId, current);
    const response = await worker.handle(request([wireRecord(1, 'a', { v: 1 })]));
    expect(response.rejected).toEqual({ reason: 'stale-epoch', currentEpoch: current.epoch, ownerWorkerId: current.ownerWorkerId });
    expect(response.batchItemFailures).toHaveLength(1);
    expect(deps.state.items.size).toBe(0);
  });

  it('applies a burst lane it runs for the owner at its epoch, and rejects one for a worker that is not the owner', async () => {
    // This worker is w1; the partition names w2 as owner. A lane for w2 applies; a lane for w3 does not.
    const { worker, deps, metadata } = setup();
    metadata.partitions.set('shardId-000000000000', partition({ ownerWorkerId: 'w2' }));
    const lane = await worker.handle(request([wireRecord(1, 'a', { v: 1 })], { laneOf: 'w2' }));
    expect(lane.rejected).toBeUndefined();
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 1, sum: 1 });
    const stale = await worker.handle(request([wireRecord(2, 'a', { v: 5 })], { laneOf: 'w3' }));
    expect(stale.rejected).toEqual({ reason: 'stale-epoch', currentEpoch: 1, ownerWorkerId: 'w2' });
    const oldEpoch = await worker.handle(request([wireRecord(2, 'a', { v: 5 })], { laneOf: 'w2', epoch: 0 }));
    expect(oldEpoch.rejected).toBeDefined();
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 1, sum: 1 });
  });

  it('reports a failing record, stops its key there, and keeps other keys flowing', async () => {
    const { worker, deps } = setup();
    const records = [wireRecord(1, 'a', { v: 1 }), wireRecord(2, 'a', { v: 0, poison: true }), wireRecord(3, 'b', { v: 7 }), wireRecord(4, 'a', { v: 9 })];
    const response = await worker.handle(request(records));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '1000002' }]);
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 1, sum: 1 });
    expect(aggregate(deps.state, 'b')).toMatchObject({ count: 1, sum: 7 });
  });

  it('sends a record to the failure sink after the bounded attempts and then moves past it', async () => {
    const { worker, deps } = setup({ maxAttempts: 2 });
    const records = [wireRecord(1, 'a', { v: 1 }), wireRecord(2, 'a', { v: 0, poison: true }), wireRecord(3, 'a', { v: 9 })];
    const first = await worker.handle(request(records));
    const second = await worker.handle(request(records.slice(1)));
    expect(first.batchItemFailures).toHaveLength(1);
    expect(second.batchItemFailures).toEqual([]);
    expect(deps.failures.records).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', sequenceNumber: '1000002', partitionKey: 'a', data: records[1]!.data, attempts: 2 }),
    ]);
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 2, sum: 10, lastSequenceNumber: '1000003' });
  });

  it('writes emitted outputs under ids derived from the record, so a retry overwrites them', async () => {
    const metadata = new FakeMetadata(partition());
    const deps = workerDeps(metadata);
    const echo = defineProcessor<number>({ name: 'echo', process: (r, ctx) => ctx.emit({ seq: r.sequenceNumber }) });
    const worker = createWorkerService(echo, deps, { workerBatch: () => undefined, dispatch: () => undefined });
    deps.state.items.set('a', { value: 0, lastSequenceNumber: '1', version: 1 });
    await worker.handle(request([wireRecord(1, 'a', { v: 1 })]));
    expect([...deps.state.outputs.keys()]).toEqual(['shardId-000000000000:1000001:0']);
  });
});

describe('the worker told that a record crashed its invocation', () => {
  const crashed = { error: 'Task timed out after 60.00 seconds' };

  it('counts the attempt without running the record, and asks for it again below maxAttempts', async () => {
    const { worker, deps } = setup();
    const response = await worker.handle(request([wireRecord(2, 'a', { v: 3 })], { crashed }));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '1000002' }]);
    expect(aggregate(deps.state, 'a')).toBeUndefined();
    expect(deps.failures.records).toEqual([]);
  });

  it('sends the record with its data to the failure sink at maxAttempts, moves its key past it and keeps the value', async () => {
    const { worker, deps, figures } = setup();
    await worker.handle(request([wireRecord(1, 'a', { v: 2 })]));
    await deps.state.countAttempt('shardId-000000000000:1000002');
    await deps.state.countAttempt('shardId-000000000000:1000002');
    const response = await worker.handle(request([wireRecord(2, 'a', { v: 3 })], { crashed }));
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.failures.records).toEqual([expect.objectContaining({ sequenceNumber: '1000002', partitionKey: 'a', attempts: 3, error: crashed.error, data: wireRecord(2, 'a', { v: 3 }).data })]);
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 1, sum: 2 });
    expect(figures.at(-1)).toMatchObject({ deadLettered: 1 });
    // A redelivery skips it; the key's next record is applied.
    await worker.handle(request([wireRecord(2, 'a', { v: 3 }), wireRecord(3, 'a', { v: 4 })]));
    expect(aggregate(deps.state, 'a')).toMatchObject({ count: 2, sum: 6, lastSequenceNumber: '1000003' });
  });

  it('counts nothing for a record already applied (the crash came after its state write)', async () => {
    const { worker, deps } = setup();
    await worker.handle(request([wireRecord(1, 'a', { v: 2 })]));
    const response = await worker.handle(request([wireRecord(1, 'a', { v: 2 })], { crashed }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await deps.state.countAttempt('shardId-000000000000:1000001')).toBe(1);
  });
});

describe('the worker in shadow mode', () => {
  const shadow = { shadowId: 'shardId-000000000000@w2', shardId: 'shardId-000000000000', workerId: 'w2', kind: 'forward' as const, rate: 0.5, createdAtMs: 0 };
  const shadowRequest = (records: ReturnType<typeof wireRecord>[]) =>
    request(records, { mode: 'shadow', shadowId: shadow.shadowId, hashKeyStart: '0', hashKeyEnd: String((1n << 128n) - 1n) });

  it('discards state writes and outputs but records the measured sample', async () => {
    const { worker, deps, metadata, figures } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    const response = await worker.handle(shadowRequest([wireRecord(1, 'a', { v: 1 }), wireRecord(2, 'b', { v: 2 })]));
    expect(response).toMatchObject({ batchItemFailures: [], processed: 2 });
    expect(deps.state.items.size).toBe(0);
    expect(figures[0]).toMatchObject({ mode: 'shadow', records: 2, discardedStateWrites: 2 });
    expect(metadata.samples).toHaveLength(1);
    const sample = metadata.samples[0]!.sample;
    expect(sample.records).toBe(2);
    expect(sample.histogram.buckets.reduce((n, b) => n + b.records, 0)).toBe(2);
    expect(sample.busyMsSquared).toBeGreaterThanOrEqual(0);
  });

  it('counts a failing record without retrying or dead-lettering it', async () => {
    const { worker, deps, metadata } = setup({ workerId: 'w2', maxAttempts: 1 });
    metadata.shadows.push(shadow);
    const response = await worker.handle(shadowRequest([wireRecord(1, 'a', { v: 0, poison: true })]));
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.failures.records).toEqual([]);
    expect(deps.state.attempts.size).toBe(0);
  });

  it('adds the records of a shadow batch delivered twice once, and counts the second copy as skipped', async () => {
    const { worker, metadata, figures } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    const batch = shadowRequest([wireRecord(1, 'a', { v: 1 }), wireRecord(2, 'b', { v: 2 })]);
    await worker.handle(batch);
    await worker.handle(batch);
    expect(metadata.samples.map((s) => s.sample.records)).toEqual([2]);
    expect(figures.map((f) => f.skippedDuplicates)).toEqual([0, 2]);
    expect(metadata.highWater.get(shadow.shadowId)).toBe('1000002');
  });

  it.each([
    ['a later batch adds all its records', [3, 4], [2], 0],
    ['a batch that overlaps the counted records adds only the new ones', [2, 3, 4], [2], 1],
    ['a late lower batch (out of order) adds nothing', [0, 1], [], 2],
  ])('after a batch of records 1..2: %s', async (_what, seqs, added, skipped) => {
    const { worker, metadata, figures } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    await worker.handle(shadowRequest([wireRecord(1, 'a', { v: 1 }), wireRecord(2, 'b', { v: 2 })]));
    await worker.handle(shadowRequest(seqs.map((n) => wireRecord(n, `k${n}`, { v: n }))));
    expect(metadata.samples.slice(1).map((s) => s.sample.records)).toEqual(added);
    expect(figures[1]?.skippedDuplicates).toBe(skipped);
  });

  it('compares sequence numbers as integers, so a longer one is above a shorter one', async () => {
    const { worker, metadata } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    const at = (sequenceNumber: string) => ({ ...wireRecord(0, `k${sequenceNumber}`, { v: 1 }), sequenceNumber });
    await worker.handle(shadowRequest([at('998'), at('999')]));
    await worker.handle(shadowRequest([at('999'), at('1000')]));
    expect(metadata.samples.map((s) => [s.sample.records, s.sample.firstSequenceNumber, s.sample.lastSequenceNumber])).toEqual([
      [2, '998', '999'],
      [1, '1000', '1000'],
    ]);
  });

  it('measures nothing for a shadow that no longer exists', async () => {
    const { worker, metadata } = setup({ workerId: 'w2' });
    await worker.handle(shadowRequest([wireRecord(1, 'a', { v: 1 })]));
    expect(metadata.samples).toEqual([]);
  });
});
