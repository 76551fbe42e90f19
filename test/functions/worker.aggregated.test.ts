import { describe, expect, it } from 'vitest';
import { comparePosition, toUserRecords } from '../../app/worker/user-records.js';
import { createWorkerService } from '../../app/worker/worker-service.js';
import type { WorkerBatchFigures } from '../../app/telemetry.js';
import { hashKeyOf } from '../../app/sequence.js';
import type { WireRecord } from '../../core/ports/index.js';
import { aggregatesProcessor, foldDigest, INITIAL_DIGEST, type Aggregate } from '../../processor/aggregates.processor.js';
import { kplAggregate, type KplUserRecord } from '../support/kpl.js';
import { FakeMetadata, partition, request, wireRecord, workerDeps } from './factories.js';

const user = (key: string, payload: object, explicitHashKey?: string): KplUserRecord => ({ partitionKey: key, data: Buffer.from(JSON.stringify(payload)), ...(explicitHashKey ? { explicitHashKey } : {}) });

/** A Kinesis record carrying `users` in the KPL format, as the event source mapping delivers it. */
function aggregated(seq: number, users: readonly KplUserRecord[]): WireRecord {
  const built = kplAggregate(users);
  return { sequenceNumber: String(1_000_000 + seq), partitionKey: built.partitionKey, data: built.data.toString('base64'), approximateArrivalMs: 1_000 };
}

function setup(overrides: Parameters<typeof workerDeps>[1] = {}) {
  const metadata = new FakeMetadata(partition());
  const deps = workerDeps(metadata, overrides);
  const figures: WorkerBatchFigures[] = [];
  const worker = createWorkerService(aggregatesProcessor, deps, { workerBatch: (f) => figures.push(f), dispatch: () => undefined });
  return { metadata, deps, figures, worker };
}
const stateOf = (deps: ReturnType<typeof setup>['deps'], key: string) => deps.state.items.get(key)?.value as Aggregate | undefined;
const digestOf = (...values: number[]) => values.reduce(foldDigest, INITIAL_DIGEST);

describe('KPL-aggregated records', () => {
  it('are expanded into user records with their own partition keys, positions and data, in order', () => {
    const records = toUserRecords([aggregated(1, [user('a', { v: 1 }), user('b', { v: 2 }), user('a', { v: 3 })]), wireRecord(2, 'c', { v: 4 })]);
    expect(records.map((r) => [r.partitionKey, r.sequenceNumber, r.subSequenceNumber, JSON.parse(Buffer.from(r.data, 'base64').toString()).v])).toEqual([
      ['a', '1000001', 0, 1],
      ['b', '1000001', 1, 2],
      ['a', '1000001', 2, 3],
      ['c', '1000002', undefined, 4],
    ]);
  });

  it('place every user record of an aggregate at the hash key Kinesis routed the aggregate by', () => {
    const ehk = String(1n << 100n);
    const [plainKeyed, explicit] = [toUserRecords([aggregated(1, [user('a', { v: 1 }), user('b', { v: 2 })])]), toUserRecords([aggregated(2, [user('a', { v: 1 }, ehk), user('b', { v: 2 })])])];
    expect(plainKeyed.map((r) => r.routingHashKey)).toEqual([hashKeyOf('a'), hashKeyOf('a')]);
    expect(explicit.map((r) => r.routingHashKey)).toEqual([BigInt(ehk), BigInt(ehk)]);
  });

  it.each([
    ['1000:2', '1000:10', -1],
    ['1000:2', '1000', -1],
    ['1000', '1000:2', 1],
    ['999:5', '1000:0', -1],
    ['1000', '1000', 0],
  ])('order position %s against %s as %d (a whole record after its sub-records)', (a, b, expected) => {
    expect(Math.sign(comparePosition(a, b))).toBe(expected);
  });

  it('apply each user record to its own key, in order, in primary mode', async () => {
    const { worker, deps, figures } = setup();
    const response = await worker.handle(request([aggregated(1, [user('a', { v: 1 }), user('b', { v: 2 }), user('a', { v: 3 })]), aggregated(2, [user('b', { v: 4 }), user('a', { v: 5 })])]));
    expect(response.batchItemFailures).toEqual([]);
    expect(stateOf(deps, 'a')).toMatchObject({ count: 3, sum: 9, digest: digestOf(1, 3, 5) });
    expect(stateOf(deps, 'b')).toMatchObject({ count: 2, sum: 6, digest: digestOf(2, 4) });
    expect(deps.state.items.get('a')?.appliedByShard).toEqual({ 'shardId-000000000000': '1000002:1' });
    expect(figures[0]).toMatchObject({ records: 5 });
  });

  it('report a failing user record as its Kinesis record, and apply none of the others twice when it comes again', async () => {
    const { worker, deps } = setup({ maxAttempts: 5 });
    let poisoned = true;
    const batch = () => [aggregated(1, [user('a', { v: 1 }), user('b', { v: 2 }), user('a', { v: 3, poison: poisoned }), user('c', { v: 4 })]), aggregated(2, [user('a', { v: 5 }), user('b', { v: 6 })])];
    const first = await worker.handle(request(batch()));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1000001' }]);
    expect(stateOf(deps, 'a')).toMatchObject({ count: 1, sum: 1 });
    poisoned = false;
    const again = await worker.handle(request(batch()));
    expect(again.batchItemFailures).toEqual([]);
    expect(stateOf(deps, 'a')).toMatchObject({ count: 3, sum: 9, digest: digestOf(1, 3, 5) });
    expect(stateOf(deps, 'b')).toMatchObject({ count: 2, sum: 8, digest: digestOf(2, 6) });
    expect(stateOf(deps, 'c')).toMatchObject({ count: 1, sum: 4 });
  });

  it('dead-letter exactly the failing user record at maxAttempts and let its key continue after it', async () => {
    const { worker, deps } = setup({ maxAttempts: 2 });
    const batch = [aggregated(1, [user('a', { v: 1 }), user('a', { v: 0, poison: true }), user('a', { v: 7 })])];
    await worker.handle(request(batch));
    const second = await worker.handle(request(batch));
    expect(second.batchItemFailures).toEqual([]);
    expect(deps.failures.records).toHaveLength(1);
    expect(deps.failures.records[0]).toMatchObject({ sequenceNumber: '1000001', subSequenceNumber: 1, partitionKey: 'a', attempts: 2 });
    expect(JSON.parse(Buffer.from(deps.failures.records[0]!.data, 'base64').toString())).toEqual({ v: 0, poison: true });
    expect(stateOf(deps, 'a')).toMatchObject({ count: 2, sum: 8 });
  });

  it('give outputs of user records in one aggregate distinct ids', async () => {
    const { deps } = setup();
    const emitting = createWorkerService(
      { name: 'emit', process: (r, ctx) => ctx.emit(r.partitionKey) },
      deps,
      { workerBatch: () => undefined, dispatch: () => undefined },
    );
    await emitting.handle(request([aggregated(1, [user('a', { v: 1 }), user('b', { v: 2 }), user('c', { v: 3 })])]));
    expect(deps.state.outputs.size).toBe(3);
  });

  it('are measured per user record in shadow mode: records, cost and histogram count user records', async () => {
    const shadow = { shadowId: 'shardId-000000000000@w2', shardId: 'shardId-000000000000', workerId: 'w2', kind: 'forward' as const, rate: 0.5, createdAtMs: 0 };
    const { worker, metadata, figures } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    const users = Array.from({ length: 20 }, (_, i) => user(`k${i}`, { v: i }));
    await worker.handle(request([aggregated(1, users), aggregated(2, users.slice(0, 5))], { mode: 'shadow', shadowId: shadow.shadowId, hashKeyStart: '0', hashKeyEnd: String((1n << 128n) - 1n) }));
    const sample = metadata.samples[0]!.sample;
    expect(sample.records).toBe(25);
    expect(sample.kinesisRecords).toBe(2); // what the SPM scales the per-user-record cost by (12.5 per Kinesis record)
    expect(figures[0]).toMatchObject({ mode: 'shadow', records: 25 });
    const buckets = sample.histogram.buckets;
    expect(buckets.reduce((n, b) => n + b.records, 0)).toBe(25);
    // All 25 sit in the bucket of the aggregates' routing key (MD5 of their partition key k0), not spread by user keys.
    expect(buckets.filter((b) => b.records > 0)).toHaveLength(1);
  });

  it('leave plain records that hash outside the shard\u2019s range (routed by an explicit hash key) out of every bucket, counted unplaced', async () => {
    const shadow = { shadowId: 'shardId-000000000000@w2', shardId: 'shardId-000000000000', workerId: 'w2', kind: 'forward' as const, rate: 0.5, createdAtMs: 0 };
    const { worker, metadata } = setup({ workerId: 'w2' });
    metadata.shadows.push(shadow);
    const inside = hashKeyOf('k0');
    const records = ['k0', 'k1', 'k2', 'k0'].map((k, i) => wireRecord(i + 1, k, { v: i }));
    await worker.handle(request(records, { mode: 'shadow', shadowId: shadow.shadowId, hashKeyStart: String(inside), hashKeyEnd: String(inside + 1000n) }));
    const sample = metadata.samples[0]!.sample;
    expect(sample.records).toBe(4);
    expect(sample.histogram.unplaced).toBe(2);
    expect(sample.histogram.buckets.reduce((n, b) => n + b.records, 0)).toBe(2);
  });

  it('that crash their invocation are counted once per Kinesis record, dead-lettered whole, and every key in them moves past', async () => {
    const { worker, deps } = setup({ maxAttempts: 2 });
    const crashed = { error: 'Task timed out after 60.00 seconds' };
    // Key a already applied its first user record of the aggregate in an earlier, partly successful run.
    await worker.handle(request([aggregated(1, [user('a', { v: 1 })])]));
    const bad = aggregated(2, [user('a', { v: 2 }), user('b', { v: 3 })]);
    expect((await worker.handle(request([bad], { crashed }))).batchItemFailures).toEqual([{ itemIdentifier: '1000002' }]);
    expect((await worker.handle(request([bad], { crashed }))).batchItemFailures).toEqual([]);
    expect(deps.failures.records).toEqual([expect.objectContaining({ sequenceNumber: '1000002', partitionKey: bad.partitionKey, data: bad.data, attempts: 2 })]);
    // Delivered again after that: nothing of the dead-lettered aggregate is applied, later records are.
    await worker.handle(request([bad, aggregated(3, [user('b', { v: 4 }), user('a', { v: 5 })])]));
    expect(stateOf(deps, 'a')).toMatchObject({ count: 2, sum: 6 });
    expect(stateOf(deps, 'b')).toMatchObject({ count: 1, sum: 4 });
  });
});
