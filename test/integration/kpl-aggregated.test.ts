import { describe, expect, it } from 'vitest';
import { shadowIdFor } from '../../core/model/index.js';
import { skipOnMoto } from '../support/moto/infidelities.js';
import { scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const GROUPS = 4;
const KEYS_PER_GROUP = 6;
const USERS_PER_AGGREGATE = 12;
/** Each key group is routed by one explicit hash key, spread over the key space (as a KPL producer routing by shard does). */
const groupHashKey = (g: number) => ((1n << 128n) / BigInt(GROUPS)) * BigInt(g) + 12345n;

/**
 * `count` aggregates; aggregate i carries USERS_PER_AGGREGATE user records of key group i % GROUPS (many user keys
 * per aggregate, two records of each key), each with the group's explicit hash key, values from `first` on.
 */
function aggregates(count: number, first: number): { key: string; v: number; explicitHashKey: string }[][] {
  let v = first;
  return Array.from({ length: count }, (_, i) => {
    const g = i % GROUPS;
    return Array.from({ length: USERS_PER_AGGREGATE }, (_, j) => ({ key: `g${g}-k${j % KEYS_PER_GROUP}`, v: v++, explicitHashKey: String(groupHashKey(g)) }));
  });
}

describe('KPL-aggregated records through a move and a split', () => {
  it('applies every user record once, in order per user key, and the shadow counts user records', async (context) => {
    skipOnMoto(context, 'splitShardRePutsParentRecords');
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }, { workerId: 'w3' }], esm: { parentsFirst: false } });
    try {
      await p.tick();
      const parent = (await p.metadata.listPartitions())[0]!;
      const target = parent.ownerWorkerId === 'w1' ? 'w2' : 'w1';
      const observer = 'w3';
      // A shadow sampling every record, so that each aggregate's cost is measured.
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId: shadowIdFor(parent.shardId, observer), shardId: parent.shardId, workerId: observer, kind: 'forward', rate: 1, reason: 'test' }]));
      p.esm.start();
      await p.produceAggregated(aggregates(40, 1));
      await until(() => p.telemetry.batches.some((b) => b.mode === 'primary' && b.records > 0));

      const moved = await p.tick(
        scriptedPolicy((view) => {
          const shard = view.partitions[0]!;
          return [{ type: 'move', shardId: shard.shardId, fromWorkerId: shard.ownerWorkerId, toWorkerId: target, expectedEpoch: shard.epoch, reason: 'test: move' }];
        }),
      );
      expect(moved.results.map((r) => r.applied)).toEqual([true]);
      await p.produceAggregated(aggregates(40, 1_000));
      await until(() => p.telemetry.batches.some((b) => b.mode === 'primary' && b.records > 0 && b.workerId === target));

      // Groups 0 and 1 go to the low child, 2 and 3 to the high one.
      const split = await p.tick(
        scriptedPolicy((view) => {
          const shard = view.partitions.find((x) => x.shardId === parent.shardId)!;
          return [{ type: 'split', shardId: shard.shardId, expectedEpoch: shard.epoch, newStartingHashKey: 1n << 127n, lowChildWorkerId: 'w1', highChildWorkerId: 'w3', lowLoadShare: 0.5, reason: 'test: split' }];
        }),
      );
      expect(split.results.map((r) => r.applied)).toEqual([true]);
      await p.produceAggregated(aggregates(40, 2_000));

      const { verdicts } = await p.settle(30_000);
      await p.stop();
      expect(p.ledger.size).toBe(120 * USERS_PER_AGGREGATE);
      expect(p.ledger.byKey.size).toBe(GROUPS * KEYS_PER_GROUP);
      // 0 lost, 0 applied twice, per-key order kept (the ledger's digest), over user records.
      expect(verdicts).toEqual([]);
      // Both children carried aggregates: the split happened mid-stream.
      const children = (await p.metadata.listPartitions()).filter((x) => x.parentShardIds.includes(parent.shardId));
      expect(children.map((c) => p.ledger.all().some((r) => r.shardId === c.shardId))).toEqual([true, true]);

      // The shadow measured user records: every sampled batch counts whole aggregates of USERS_PER_AGGREGATE.
      const shadowBatches = p.telemetry.batches.filter((b) => b.mode === 'shadow' && b.records > 0);
      expect(shadowBatches.length).toBeGreaterThan(0);
      for (const b of shadowBatches) expect(b.records % USERS_PER_AGGREGATE).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
