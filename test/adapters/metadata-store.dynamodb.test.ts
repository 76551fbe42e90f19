import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { AwsCallError } from '../../adapters/aws/errors.js';
import { shadowToItem } from '../../adapters/aws/items.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { shadowIdFor } from '../../core/model/shadow.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import type { AuditEntry } from '../../core/ports/metadata-store.port.js';
import { TABLES } from '../../definitions/resources.js';
import { useDynalite, uniqueName } from '../support/emulators.js';
import { aPartition, aSample, aShadow, aWorker, anAuditEntry } from '../support/fixtures.js';

const dynalite = useDynalite();
let client: DynamoDBClient;

beforeAll(() => {
  client = dynamoDbClient({ endpoint: dynalite.endpoint, maxAttempts: 1 });
});
afterAll(() => client.destroy());

/** Fresh tables per test, so tests never see each other's items. */
async function newStore(): Promise<{ store: DynamoDbMetadataStore; auditTable: string; metadataTable: string }> {
  const metadataTable = uniqueName('meta');
  const auditTable = uniqueName('audit');
  await ensureTable(client, metadataTable, TABLES.metadata);
  await ensureTable(client, auditTable, TABLES.audit);
  return { store: new DynamoDbMetadataStore(client, { metadataTable, auditTable, auditRetentionDays: 7 }), auditTable, metadataTable };
}

describe('DynamoDbMetadataStore on dynalite: partitions', () => {
  it('round-trips a partition with 128-bit hash keys, parents and a prediction', async () => {
    const { store } = await newStore();
    const partition = aPartition({
      shardId: 'shardId-000000000007',
      hashKeyRange: { start: (1n << 127n) + 1n, end: (1n << 128n) - 1n },
      parentShardIds: ['shardId-000000000001'],
      epoch: 4,
      utilization: 0.73,
      shadowPartitionId: 'shardId-000000000007@large-1',
      shadowReplicationRate: 0.05,
      predictedUtilization: { shardId: 'shardId-000000000007', workerId: 'large-1', utilization: 0.4, low: 0.35, high: 0.45, samples: 250, rate: 0.05, meanCostMs: 1.2, madeAtMs: 9 },
      lastMoveAtMs: 123,
    });
    expect(await store.createPartition(partition)).toEqual({ ok: true, value: undefined });
    expect(await store.getPartition(partition.shardId)).toEqual(partition);
    expect(await store.listPartitions()).toEqual([partition]);
    expect(await store.getPartition('shardId-missing')).toBeUndefined();
  });

  it('refuses to create a partition twice with already-exists and keeps the first', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ ownerWorkerId: 'a' }));
    expect(await store.createPartition(aPartition({ ownerWorkerId: 'b' }))).toMatchObject({ ok: false, reason: 'already-exists' });
    expect((await store.getPartition('shardId-000000000000'))?.ownerWorkerId).toBe('a');
  });

  it('changes the owner at epoch + 1 and returns the new epoch', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 2 }));
    expect(await store.changeOwner('shardId-000000000000', 2, 'large-1', 5_000)).toEqual({ ok: true, value: 3 });
    expect(await store.getPartition('shardId-000000000000')).toMatchObject({ ownerWorkerId: 'large-1', epoch: 3, lastMoveAtMs: 5_000 });
  });

  it.each([
    ['a stale epoch', 'shardId-000000000000', 1, 'stale-epoch', /at epoch 2 \(owner small-1\), not the expected 1/],
    ['a missing shard', 'shardId-000000000042', 2, 'not-found', /shardId-000000000042 does not exist/],
  ] as const)('rejects a change of owner with %s as a value, not an exception', async (_case, shardId, expected, reason, detail) => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 2 }));
    const result = await store.changeOwner(shardId, expected, 'large-1', 1);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.detail).toMatch(detail);
    expect(await store.getPartition('shardId-000000000000')).toMatchObject({ ownerWorkerId: 'small-1', epoch: 2 });
  });

  it('lets exactly one of five concurrent changes of owner with the same expected epoch win', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 0 }));
    const targets = ['w1', 'w2', 'w3', 'w4', 'w5'];
    const results = await Promise.all(targets.map((w) => store.changeOwner('shardId-000000000000', 0, w, 1)));
    const winners = targets.filter((_, i) => results[i]!.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'stale-epoch')).toBe(true);
    expect(await store.getPartition('shardId-000000000000')).toMatchObject({ ownerWorkerId: winners[0], epoch: 1 });
  });

  it('keeps ownership a chain under any interleaving of concurrent changes of owner (fast-check scheduler)', async () => {
    const { store } = await newStore();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.record({ to: fc.constantFrom('a', 'b', 'c'), expected: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 8 }), async (s, calls) => {
        run += 1;
        const shardId = `shard-${run}`;
        await store.createPartition(aPartition({ shardId, epoch: 0 }));
        const change = s.scheduleFunction((to: string, expected: number) => store.changeOwner(shardId, expected, to, run));
        const pending = calls.map((c) => change(c.to, c.expected));
        await s.waitFor(Promise.all(pending));
        const results = await Promise.all(pending);
        const won = calls.filter((_, i) => results[i]!.ok);
        // Every success moved the epoch by one from the value it expected: the winners' expected epochs are 0..n-1.
        expect(won.map((c) => c.expected).sort()).toEqual(won.map((_, i) => i));
        expect(results.filter((r) => r.ok).map((r) => (r.ok ? r.value : -1)).sort()).toEqual(won.map((_, i) => i + 1));
        const final = await store.getPartition(shardId);
        expect(final?.epoch).toBe(won.length);
        expect(final?.ownerWorkerId).toBe(won.length === 0 ? 'small-1' : won.find((c) => c.expected === won.length - 1)?.to);
      }),
      { numRuns: 15 },
    );
  });

  it('updates stats fields at the expected epoch and removes a field patched to undefined', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 1, shadowPartitionId: 's', shadowReplicationRate: 0.1 }));
    const patched = await store.updatePartition('shardId-000000000000', 1, { utilization: 0.9, state: 'CLOSED', shadowPartitionId: undefined, shadowReplicationRate: undefined });
    expect(patched.ok).toBe(true);
    const after = await store.getPartition('shardId-000000000000');
    expect(after).toMatchObject({ utilization: 0.9, state: 'CLOSED', epoch: 1 });
    expect(after).not.toHaveProperty('shadowPartitionId');
    expect(after).not.toHaveProperty('shadowReplicationRate');
  });

  it('refuses a patch that would change ownership fields, which only changeOwner may write', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 1 }));
    const sneaky = { utilization: 0.5, ownerWorkerId: 'thief', epoch: 9 } as unknown as Parameters<DynamoDbMetadataStore['updatePartition']>[2];
    await expect(store.updatePartition('shardId-000000000000', 1, sneaky)).rejects.toThrow(/patch must be limited to .* \(given \["ownerWorkerId","epoch"\]\)/);
    expect(await store.getPartition('shardId-000000000000')).toMatchObject({ ownerWorkerId: 'small-1', epoch: 1, utilization: 0 });
  });

  it('rejects a stats update at a stale epoch and leaves the item unchanged', async () => {
    const { store } = await newStore();
    await store.createPartition(aPartition({ epoch: 3, utilization: 0.1 }));
    expect(await store.updatePartition('shardId-000000000000', 2, { utilization: 0.9 })).toMatchObject({ ok: false, reason: 'stale-epoch' });
    expect((await store.getPartition('shardId-000000000000'))?.utilization).toBe(0.1);
  });
});

describe('DynamoDbMetadataStore on dynalite: workers, shadows and their stats', () => {
  it("keeps a shard's suspect range apart from its progress: put, read back, overwritten, deleted", async () => {
    const { store } = await newStore();
    const range = { shardId: 's0', startSequenceNumber: '49600000000000000000000000000000000000000000000000000001', span: 25, updatedAtMs: 7 };
    await store.putShardProgress({ shardId: 's0', lastSequenceNumber: '1', updatedAtMs: 1 });
    await store.putSuspectRange(range);
    expect(await store.getSuspectRange('s0')).toEqual(range);
    await store.putSuspectRange({ ...range, span: 1 });
    expect((await store.getSuspectRange('s0'))?.span).toBe(1);
    await store.deleteSuspectRange('s0');
    expect(await store.getSuspectRange('s0')).toBeUndefined();
    expect(await store.getShardProgress('s0')).toMatchObject({ lastSequenceNumber: '1' });
  });

  it('puts and lists workers, overwriting by id', async () => {
    const { store } = await newStore();
    await store.putWorker(aWorker({ workerId: 'a', utilization: 0.1 }));
    await store.putWorker(aWorker({ workerId: 'b' }));
    await store.putWorker(aWorker({ workerId: 'a', utilization: 0.6 }));
    expect(await store.listWorkers()).toEqual([aWorker({ workerId: 'a', utilization: 0.6 }), aWorker({ workerId: 'b' })]);
  });

  it('adds twenty concurrent samples to a shadow without losing any count or histogram bucket', async () => {
    const { store } = await newStore();
    const shadow = aShadow();
    await store.putShadow(shadow);
    const samples = Array.from({ length: 20 }, (_, i) =>
      aSample({ records: 3, busyMs: 1.5, busyMsSquared: 0.75, atMs: 2_000 + i, histogram: { buckets: [{ records: 1, costMs: 0.5 }, { records: 0, costMs: 0 }, { records: 2, costMs: 1 }] } }),
    );
    await Promise.all(samples.map((s) => store.recordShadowSample(shadow, s)));
    const [stats] = await store.listShadowStats();
    expect(stats).toMatchObject({ shadowId: shadow.shadowId, shardId: shadow.shardId, workerId: 'large-1', rate: 0.05, records: 60, busyMs: 30, busyMsSquared: 15 });
    expect(stats?.histogram.buckets).toEqual([
      { records: 20, costMs: 10 },
      { records: 0, costMs: 0 },
      { records: 40, costMs: 20 },
    ]);
    expect(stats?.fromMs).toBeGreaterThanOrEqual(2_000);
  });

  it('counts the Kinesis records of aggregated samples beside their user records (a plain sample counts its own), and the records no bucket could place', async () => {
    const { store } = await newStore();
    const shadow = aShadow();
    await store.putShadow(shadow);
    await store.recordShadowSample(shadow, aSample({ records: 24, kinesisRecords: 2, atMs: 2_000 }));
    await store.recordShadowSample(shadow, aSample({ records: 3, atMs: 2_001 }));
    expect((await store.listShadowStats())[0]).toMatchObject({ records: 27, kinesisRecords: 5 });
    expect((await store.listShadowStats())[0]?.histogram.unplaced).toBeUndefined();
    await store.recordShadowSample(shadow, aSample({ records: 5, atMs: 2_002, histogram: { buckets: [{ records: 1, costMs: 1 }], unplaced: 4 } }));
    await store.recordShadowSample(shadow, aSample({ records: 2, atMs: 2_003, histogram: { buckets: [{ records: 0, costMs: 0 }], unplaced: 2 } }));
    expect((await store.listShadowStats())[0]?.histogram.unplaced).toBe(6);
  });

  it('drops a sample taken at another rate than the stats were gathered at', async () => {
    const { store } = await newStore();
    await store.putShadow(aShadow({ rate: 0.05 }));
    await store.recordShadowSample(aShadow({ rate: 0.05 }), aSample({ records: 10 }));
    await store.recordShadowSample(aShadow({ rate: 0.2 }), aSample({ records: 99 }));
    expect((await store.listShadowStats())[0]?.records).toBe(10);
  });

  it('restarts the stats when the shadow is re-rated, and keeps them when it is put again unchanged', async () => {
    const { store } = await newStore();
    await store.putShadow(aShadow({ rate: 0.05 }));
    await store.recordShadowSample(aShadow({ rate: 0.05 }), aSample({ records: 10 }));
    await store.putShadow(aShadow({ rate: 0.05 }));
    expect((await store.listShadowStats())[0]?.records).toBe(10);
    await store.putShadow(aShadow({ rate: 0.1 }));
    expect(await store.listShadowStats()).toEqual([]);
    await store.recordShadowSample(aShadow({ rate: 0.1 }), aSample({ records: 4 }));
    expect((await store.listShadowStats())[0]).toMatchObject({ rate: 0.1, records: 4 });
    expect(await store.listShadows()).toEqual([aShadow({ rate: 0.1 })]);
  });

  it('refuses a late sample at the old rate after a re-rate, so the stats keep counting at the new rate', async () => {
    const { store } = await newStore();
    await store.putShadow(aShadow({ rate: 0.05 }));
    await store.recordShadowSample(aShadow({ rate: 0.05 }), aSample({ records: 10 }));
    await store.putShadow(aShadow({ rate: 0.1 }));
    // A worker still caching the old rate finishes a batch after the re-rate.
    await store.recordShadowSample(aShadow({ rate: 0.05 }), aSample({ records: 7 }));
    await store.recordShadowSample(aShadow({ rate: 0.1 }), aSample({ records: 4 }));
    await store.recordShadowSample(aShadow({ rate: 0.1 }), aSample({ records: 5 }));
    expect(await store.listShadowStats()).toEqual([expect.objectContaining({ rate: 0.1, records: 9 })]);
  });

  it('deletes a shadow together with its stats, and ignores a late sample that arrives after the delete', async () => {
    const { store } = await newStore();
    await store.putShadow(aShadow());
    await store.recordShadowSample(aShadow(), aSample());
    await store.deleteShadow(aShadow().shadowId);
    expect(await store.listShadows()).toEqual([]);
    expect(await store.listShadowStats()).toEqual([]);
    await store.recordShadowSample(aShadow(), aSample({ atMs: 500 }));
    expect(await store.listShadowStats()).toEqual([]);
    await store.putShadow(aShadow({ createdAtMs: 1_000 }));
    expect(await store.listShadowStats()).toEqual([]);
  });
});

describe('DynamoDbMetadataStore on dynalite: one live shadow per shard and kind', () => {
  it('refuses a second live shadow of the same kind on a shard with already-exists naming the first, and allows the other kind', async () => {
    const { store } = await newStore();
    expect(await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }))).toEqual({ ok: true, value: undefined });
    const second = await store.createShadow(aShadow({ shadowId: 's0@b', workerId: 'b' }));
    expect(second).toMatchObject({ ok: false, reason: 'already-exists' });
    expect(second.ok ? '' : second.detail).toContain('s0@a');
    expect(await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }))).toMatchObject({ ok: false, reason: 'already-exists' });
    expect(await store.createShadow(aShadow({ shadowId: 's0@c', workerId: 'c', kind: 'reverse', expiresAtMs: 9_000 }))).toMatchObject({ ok: true });
    expect((await store.listShadows()).map((s) => s.shadowId).sort()).toEqual(['s0@a', 's0@c']);
  });

  it('lets exactly one of five concurrent creations of a shard\'s forward shadow win', async () => {
    const { store } = await newStore();
    const outcomes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((w) => store.createShadow(aShadow({ shadowId: `s0@${w}`, workerId: w }))));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'already-exists')).toHaveLength(4);
    expect(await store.listShadows()).toHaveLength(1);
  });

  it('replaces a shadow that expired by the new one\'s creation, and deletes the expired one\'s stats', async () => {
    const { store, metadataTable } = await newStore();
    const old = aShadow({ shadowId: 's0@a', workerId: 'a', kind: 'reverse', createdAtMs: 1_000, expiresAtMs: 5_000 });
    await store.createShadow(old);
    await store.recordShadowSample(old, aSample());
    expect(await store.createShadow(aShadow({ shadowId: 's0@b', workerId: 'b', kind: 'reverse', createdAtMs: 4_999 }))).toMatchObject({ ok: false });
    expect(await store.createShadow(aShadow({ shadowId: 's0@b', workerId: 'b', kind: 'reverse', createdAtMs: 5_000 }))).toMatchObject({ ok: true });
    expect((await store.listShadows()).map((s) => s.shadowId)).toEqual(['s0@b']);
    const raw = await client.send(new GetItemCommand({ TableName: metadataTable, Key: { pk: { S: 'SHADOW_STATS' }, sk: { S: 's0@a' } } }));
    expect(raw.Item).toBeUndefined();
  });

  it('re-rates a shadow in place but refuses to overwrite another shadow holding its place', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }));
    expect(await store.putShadow(aShadow({ shadowId: 's0@a', workerId: 'a', rate: 0.1 }))).toEqual({ ok: true, value: undefined });
    expect(await store.putShadow(aShadow({ shadowId: 's0@b', workerId: 'b', rate: 0.2 }))).toMatchObject({ ok: false, reason: 'already-exists' });
    expect(await store.listShadows()).toEqual([aShadow({ shadowId: 's0@a', workerId: 'a', rate: 0.1 })]);
  });

  it('refuses a re-rate of a shadow deleted meanwhile with not-found, and does not bring it back', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }));
    await store.deleteShadow('s0@a');
    expect(await store.putShadow(aShadow({ shadowId: 's0@a', workerId: 'a', rate: 0.1 }), { requireExisting: true })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await store.listShadows()).toEqual([]);
  });

  it('moves a shadow item of the earlier layout (keyed by its id) to its slot when it is re-rated', async () => {
    const { store, metadataTable } = await newStore();
    const earlier = aShadow({ shadowId: 's0@a', workerId: 'a' });
    await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: metadataTable, Item: { ...shadowToItem(earlier), sk: earlier.shadowId } }));
    expect(await store.putShadow({ ...earlier, rate: 0.1 }, { requireExisting: true })).toEqual({ ok: true, value: undefined });
    expect(await store.listShadows()).toEqual([{ ...earlier, rate: 0.1 }]);
  });

  it('keeps a shard\'s forward and reverse shadows on the same worker apart: own ids, own stats, deleted one at a time', async () => {
    const { store } = await newStore();
    const forward = aShadow({ shadowId: shadowIdFor('s0', 'a'), workerId: 'a', kind: 'forward', rate: 0.05 });
    const reverse = aShadow({ shadowId: shadowIdFor('s0', 'a', 'reverse'), workerId: 'a', kind: 'reverse', rate: 0.01 });
    expect(reverse.shadowId).not.toBe(forward.shadowId);
    await store.createShadow(reverse);
    await store.recordShadowSample(reverse, aSample({ records: 3 }));
    expect(await store.createShadow(forward)).toEqual({ ok: true, value: undefined });
    expect((await store.listShadowStats()).map((s) => [s.shadowId, s.records])).toEqual([[reverse.shadowId, 3]]);
    await store.deleteShadow(reverse.shadowId);
    expect((await store.listShadows()).map((s) => s.shadowId)).toEqual([forward.shadowId]);
  });

  it('deletes a shadow by id, leaving a shadow of the same shard and kind created since untouched', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }));
    await store.deleteShadow('s0@a');
    await store.createShadow(aShadow({ shadowId: 's0@b', workerId: 'b' }));
    await store.deleteShadow('s0@a');
    expect((await store.listShadows()).map((s) => s.shadowId)).toEqual(['s0@b']);
    expect(await store.createShadow(aShadow({ shadowId: 's0@a', workerId: 'a' }))).toMatchObject({ ok: false, reason: 'already-exists' });
  });
});

describe('DynamoDbMetadataStore on dynalite: the shadow stats\' high-water mark', () => {
  const between = (first: string, last: string, records = 2) => aSample({ records, firstSequenceNumber: first, lastSequenceNumber: last });

  it('adds a sample delivered twice once, answering behind-high-water with the mark the second time', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow());
    expect(await store.recordShadowSample(aShadow(), between('1001', '1002'))).toEqual({ added: true });
    expect(await store.recordShadowSample(aShadow(), between('1001', '1002'))).toEqual({ added: false, reason: 'behind-high-water', highWaterSequenceNumber: '1002' });
    expect(await store.listShadowStats()).toEqual([expect.objectContaining({ records: 2, highWaterSequenceNumber: '1002' })]);
  });

  it('adds a later sample, comparing sequence numbers of different lengths as integers', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow());
    await store.recordShadowSample(aShadow(), between('998', '999'));
    expect(await store.recordShadowSample(aShadow(), between('1000', '1000', 1))).toEqual({ added: true });
    expect(await store.recordShadowSample(aShadow(), between('999', '1001'))).toMatchObject({ added: false, highWaterSequenceNumber: '1000' });
    expect(await store.listShadowStats()).toEqual([expect.objectContaining({ records: 3, highWaterSequenceNumber: '1000' })]);
  });

  it('answers dropped, not behind-high-water, for a sample at another rate, and restarts the mark with the stats', async () => {
    const { store } = await newStore();
    await store.createShadow(aShadow());
    await store.recordShadowSample(aShadow(), between('5', '6'));
    expect(await store.recordShadowSample(aShadow({ rate: 0.2 }), between('7', '8'))).toMatchObject({ added: false, reason: 'dropped' });
    await store.putShadow(aShadow({ rate: 0.2 }));
    expect(await store.recordShadowSample(aShadow({ rate: 0.2 }), between('5', '6'))).toEqual({ added: true });
  });
});

describe('DynamoDbMetadataStore on dynalite: audit, progress and policy state', () => {
  it('appends more than one batch of audit entries and lists those since a time, oldest first, bigints intact', async () => {
    const { store, auditTable } = await newStore();
    const split: AuditEntry = {
      atMs: 1_000_040,
      policy: 'spm',
      tickId: 't',
      entry: {
        kind: 'action',
        applied: true,
        action: { type: 'split', shardId: 's', expectedEpoch: 1, newStartingHashKey: (1n << 127n) + 5n, lowChildWorkerId: 'a', highChildWorkerId: 'b', lowLoadShare: 0.5, reason: 'hot' },
      },
    };
    const entries = [...Array.from({ length: 40 }, (_, i) => anAuditEntry(1_000_000 + i)), split];
    await store.appendAudit(entries);
    const since = await store.listAudit(1_000_030);
    expect(since.map((e) => e.atMs)).toEqual([...Array.from({ length: 10 }, (_, i) => 1_000_030 + i), 1_000_040]);
    expect(since.at(-1)).toEqual(split);
    const raw = await client.send(new GetItemCommand({ TableName: auditTable, Key: { pk: { S: 'AUDIT' }, sk: { S: '000000001000040#t#000040' } } }));
    expect(raw.Item?.expiresAtSec?.N).toBe(String(1_000 + 7 * 86_400));
  });

  it('round-trips shard progress and answers undefined for a shard never seen', async () => {
    const { store } = await newStore();
    expect(await store.getShardProgress('shardId-000000000001')).toBeUndefined();
    await store.putShardProgress({ shardId: 'shardId-000000000001', lastSequenceNumber: '4960000000000000000001', updatedAtMs: 5 });
    await store.putShardProgress({ shardId: 'shardId-000000000001', lastSequenceNumber: '4960000000000000000009', drained: true, updatedAtMs: 6 });
    expect(await store.getShardProgress('shardId-000000000001')).toEqual({ shardId: 'shardId-000000000001', lastSequenceNumber: '4960000000000000000009', drained: true, updatedAtMs: 6 });
  });

  it('saves policy state with optimistic versions: a writer at an old version gets version-conflict', async () => {
    const { store } = await newStore();
    expect(await store.loadPolicyState('spm')).toBeUndefined();
    expect((await store.savePolicyState('spm', { hot: { s: 2 }, key: 7n }, 0)).ok).toBe(true);
    expect(await store.savePolicyState('spm', { other: true }, 0)).toMatchObject({ ok: false, reason: 'version-conflict' });
    expect(await store.loadPolicyState('spm')).toEqual({ state: { hot: { s: 2 }, key: 7n }, version: 1 });
    const [a, b] = await Promise.all([store.savePolicyState('spm', 'a', 1), store.savePolicyState('spm', 'b', 1)]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    expect((await store.loadPolicyState('spm'))?.version).toBe(2);
  });

  it('throws an AwsCallError naming the operation for an unexpected failure (a missing table)', async () => {
    const store = new DynamoDbMetadataStore(client, { metadataTable: 'no-such-table', auditTable: 'no-such-audit' });
    await expect(store.listPartitions()).rejects.toThrow(AwsCallError);
    await expect(store.changeOwner('s', 0, 'w', 1)).rejects.toThrow(/DynamoDB\.UpdateItem failed for partition s: ResourceNotFoundException/);
  });
});
