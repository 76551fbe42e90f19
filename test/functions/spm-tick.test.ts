import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { startDynalite, type Dynalite } from '../../adapters/local/dynalite.server.js';
import { EmfMetricsStore } from '../../adapters/local/metrics-store.emf.js';
import { runSpmTick } from '../../app/spm/spm-tick.js';
import { parseConfig } from '../../core/config/index.js';
import { evenRanges, type Action, type ClusterView } from '../../core/model/index.js';
import { policyByName, type Policy } from '../../core/policies/index.js';
import { ok, type MetadataStore, type ShardDescription, type StreamControl } from '../../core/ports/index.js';
import { TABLES } from '../../definitions/resources.js';
import { workerNode } from '../../functions/shared/workers.js';

let dynalite: Dynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

/** A stream of `count` shards that records the resharding calls made on it. */
function fakeStream(count: number) {
  const shards: ShardDescription[] = evenRanges(count).map((range, i) => ({ shardId: `shardId-00000000000${i}`, hashKeyRange: range, startingSequenceNumber: '1' }));
  const calls: string[] = [];
  const stream: StreamControl = {
    listShards: async () => shards,
    streamStatus: async () => 'ACTIVE',
    splitShard: async (shardId, key) => {
      calls.push(`split ${shardId}`);
      const parent = shards.find((s) => s.shardId === shardId)!;
      shards.splice(shards.indexOf(parent), 1, { ...parent, endingSequenceNumber: '9' });
      shards.push({ shardId: `${shardId}-low`, parentShardId: shardId, hashKeyRange: { start: parent.hashKeyRange.start, end: key - 1n }, startingSequenceNumber: '10' });
      shards.push({ shardId: `${shardId}-high`, parentShardId: shardId, hashKeyRange: { start: key, end: parent.hashKeyRange.end }, startingSequenceNumber: '10' });
      return ok(undefined);
    },
    mergeShards: async () => ok(undefined),
    updateShardCount: async () => ok(undefined),
    waitUntilActive: async () => true,
    isDrained: async () => true,
  };
  return { stream, calls, shards };
}

let n = 0;
async function setup(shards = 2, wrap: (store: MetadataStore) => MetadataStore = (store) => store) {
  n += 1;
  const client = dynamoDbClient({ endpoint: dynalite.endpoint });
  const tables = { metadataTable: `tick-${n}-metadata`, auditTable: `tick-${n}-audit` };
  await Promise.all([ensureTable(client, tables.metadataTable, TABLES.metadata), ensureTable(client, tables.auditTable, TABLES.audit)]);
  const metadata = new DynamoDbMetadataStore(client, tables);
  const { stream, calls } = fakeStream(shards);
  let now = 100_000;
  const clock = { nowMs: () => now };
  let ticks = 0;
  const workers = ['w1', 'w2', 'w3'].map((workerId) => workerNode({ workerId, functionName: workerId, memoryMb: 1024, slots: 2, speed: 1 }));
  const tick = (policy: Policy<unknown>) => {
    ticks += 1;
    now += 1000;
    const tickId = `t${String(ticks).padStart(3, '0')}`;
    return runSpmTick({ metadata: wrap(metadata), metrics: new EmfMetricsStore({ streamName: 's', clock }), stream, clock, policy, config: parseConfig({}), tickId, workers, metricsPeriodMs: 1000 });
  };
  return { metadata, calls, tick };
}

const scripted = (script: (view: ClusterView) => Action[]): Policy<unknown> => ({ name: 'static', label: 'scripted', initialState: () => ({}), decide: (view, _c, state) => ({ actions: script(view), events: [], nextState: state }) });

describe('the SPM tick', () => {
  it('registers the workers and places new shards on the least-loaded workers', async () => {
    const { metadata, tick } = await setup(2);
    const report = await tick(policyByName('static'));
    expect(report.discovered).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect((await metadata.listWorkers()).map((w) => w.workerId).sort()).toEqual(['w1', 'w2', 'w3']);
    expect((await metadata.listPartitions()).map((p) => p.ownerWorkerId).sort()).toEqual(['w1', 'w2']);
  });

  it('creates, re-rates and drops a shadow and records each action in the audit log', async () => {
    const { metadata, tick } = await setup(1);
    await tick(policyByName('static'));
    const shardId = 'shardId-000000000000';
    await tick(scripted(() => [{ type: 'create-shadow', shadowId: 's@w2', shardId, workerId: 'w2', kind: 'forward', rate: 0.05, reason: 'hot' }]));
    expect(await metadata.getPartition(shardId)).toMatchObject({ shadowPartitionId: 's@w2', shadowReplicationRate: 0.05 });
    await tick(scripted(() => [{ type: 'set-shadow-rate', shadowId: 's@w2', shardId, rate: 0.1, reason: 'miss' }]));
    expect((await metadata.listShadows()).map((s) => s.rate)).toEqual([0.1]);
    await tick(scripted(() => [{ type: 'drop-shadow', shadowId: 's@w2', shardId, reason: 'cool' }]));
    expect(await metadata.listShadows()).toEqual([]);
    expect((await metadata.getPartition(shardId))?.shadowPartitionId).toBeUndefined();
    const audit = await metadata.listAudit(0);
    expect(audit.map((e) => (e.entry.kind === 'action' ? [e.entry.action.type, e.entry.applied] : []))).toEqual([
      ['create-shadow', true],
      ['set-shadow-rate', true],
      ['drop-shadow', true],
    ]);
  });

  it('skips a create-shadow when the shard already has a live shadow of that kind, keeping the first, and still applies the next action', async () => {
    const { metadata, tick } = await setup(1);
    await tick(policyByName('static'));
    const shardId = 'shardId-000000000000';
    const create = (workerId: string, kind: 'forward' | 'reverse' = 'forward'): Action => ({ type: 'create-shadow', shadowId: `${shardId}@${workerId}`, shardId, workerId, kind, rate: 0.05, reason: 'hot' });
    await tick(scripted(() => [create('w2')]));
    // A second SPM run decided on a view that did not have the first shadow yet.
    const report = await tick(scripted(() => [create('w3'), create('w3', 'reverse')]));
    expect(report.results.map((r) => [r.applied, r.detail?.split(':')[0]])).toEqual([
      [false, 'already-exists'],
      [true, undefined],
    ]);
    expect(report.results[0]?.detail).toContain(`${shardId}@w2`);
    expect((await metadata.listShadows()).map((s) => [s.shadowId, s.kind]).sort()).toEqual([
      [`${shardId}@w2`, 'forward'],
      [`${shardId}@w3`, 'reverse'],
    ]);
  });

  it('records a refused move with its reason and applies the next action anyway', async () => {
    const { metadata, tick } = await setup(1);
    await tick(policyByName('static'));
    const shardId = 'shardId-000000000000';
    const report = await tick(
      scripted((view) => [
        { type: 'move', shardId, fromWorkerId: 'w1', toWorkerId: 'w2', expectedEpoch: view.partitions[0]!.epoch + 5, reason: 'stale view' },
        { type: 'move', shardId, fromWorkerId: 'w1', toWorkerId: 'w3', expectedEpoch: view.partitions[0]!.epoch, reason: 'fresh view' },
      ]),
    );
    expect(report.results.map((r) => [r.applied, r.detail?.split(':')[0]])).toEqual([
      [false, 'stale-epoch'],
      [true, 'epoch 1 -> 2'],
    ]);
    expect(await metadata.getPartition(shardId)).toMatchObject({ ownerWorkerId: 'w3', epoch: 2 });
  });

  it('splits only after claiming the shard, and places the children where the decision said', async () => {
    const { metadata, tick, calls } = await setup(1);
    await tick(policyByName('static'));
    const key = 1n << 127n;
    const split = (view: ClusterView, epochOffset: number): Action[] => [
      { type: 'split', shardId: 'shardId-000000000000', expectedEpoch: view.partitions[0]!.epoch + epochOffset, newStartingHashKey: key, lowChildWorkerId: 'w2', highChildWorkerId: 'w3', lowLoadShare: 0.5, reason: 'hot' },
    ];
    const refused = await tick(scripted((view) => split(view, -1)));
    expect(refused.results[0]?.applied).toBe(false);
    expect(calls).toEqual([]);
    const applied = await tick(scripted((view) => split(view, 0)));
    expect(applied.results[0]?.applied).toBe(true);
    expect(calls).toEqual(['split shardId-000000000000']);
    const partitions = await metadata.listPartitions();
    expect(partitions.map((p) => [p.shardId, p.ownerWorkerId, p.state, p.parentShardIds]).sort()).toEqual([
      ['shardId-000000000000', 'w1', 'CLOSED', []],
      ['shardId-000000000000-high', 'w3', 'OPEN', ['shardId-000000000000']],
      ['shardId-000000000000-low', 'w2', 'OPEN', ['shardId-000000000000']],
    ]);
  });

  it('applies nothing when another run saves the policy state while this tick loads its view', async () => {
    let rivalSaves = 0;
    // A rival SPM run claims its tick (state version + 1) after this tick read the state, while it lists the shadow stats for its view.
    const { metadata, tick } = await setup(1, (store) =>
      Object.assign(Object.create(store) as MetadataStore, {
        listShadowStats: async () => {
          const current = await store.loadPolicyState('static');
          if (current) rivalSaves += (await store.savePolicyState('static', { rival: true }, current.version)).ok ? 1 : 0;
          return store.listShadowStats();
        },
      }),
    );
    const shardId = 'shardId-000000000000';
    expect((await tick(scripted(() => []))).claimed).toBe(true);
    const report = await tick(scripted(() => [{ type: 'move', shardId, fromWorkerId: 'w1', toWorkerId: 'w2', expectedEpoch: 1, reason: 'stale view' }]));
    expect(rivalSaves).toBe(1);
    expect(report).toMatchObject({ claimed: false, results: [] });
    expect(report.events[0]).toMatchObject({ type: 'hold', rule: 'tick-claim' });
    expect(await metadata.getPartition(shardId)).toMatchObject({ ownerWorkerId: 'w1', epoch: 1 });
    expect(await metadata.loadPolicyState('static')).toMatchObject({ state: { rival: true } });
  });

  it('runs the real spm policy tick after tick, its state surviving the metadata store', async () => {
    const { metadata, tick } = await setup(2);
    const spm = policyByName('spm');
    for (let i = 0; i < 3; i += 1) expect((await tick(spm)).claimed).toBe(true);
    expect((await metadata.loadPolicyState('spm'))?.version).toBe(3);
  });
});
