import { describe, expect, it } from 'vitest';
import { shadowIdFor } from '../../core/model/index.js';
import { InjectedCrash } from '../../core/ports/index.js';
import { crashOnceAt, middleSplitKey, records, scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators({ splitShardMs: 200 });
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/**
 * Fault matrix, SPM rows: the SPM run dies between two writes of one action (core/ports/crash-points.port.ts).
 * Each test keeps records flowing through the real dispatcher and workers on kinesis-local + dynalite, then
 * checks the ledger: nothing lost, nothing applied twice, per-key order kept. Recovery bound: the next tick.
 */
describe('the SPM dies in the middle of an action', () => {
  it('mid-promote (after the owner change, before the shadow clean-up): the next tick drops the leftover shadow', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }] });
    try {
      await p.tick();
      const shard = (await p.metadata.listPartitions())[0]!;
      const shadowId = shadowIdFor(shard.shardId, 'w2');
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId, shardId: shard.shardId, workerId: 'w2', kind: 'forward', rate: 0.5, reason: 'test' }]));
      p.esm.start();
      await p.produce(records(100, 8, { prefix: 'a-' }));
      expect((await p.settle()).verdicts).toEqual([]);

      const crash = crashOnceAt('spm.move.after-owner-change');
      const promote = scriptedPolicy((view) => {
        const now = view.partitions.find((x) => x.shardId === shard.shardId)!;
        return [{ type: 'move', shardId: shard.shardId, fromWorkerId: 'w1', toWorkerId: 'w2', expectedEpoch: now.epoch, promotesShadowId: shadowId, reason: 'test: promote' }];
      });
      await expect(p.tick(promote, p.metadata, crash)).rejects.toBeInstanceOf(InjectedCrash);
      expect(crash.fired()).toBe(1);
      // Half done: the owner changed, the shadow (now on the owner) and the partition's pointer to it remain.
      expect(await p.metadata.getPartition(shard.shardId)).toMatchObject({ ownerWorkerId: 'w2', shadowPartitionId: shadowId });
      expect((await p.metadata.listShadows()).map((s) => s.shadowId)).toEqual([shadowId]);
      await p.produce(records(100, 8, { prefix: 'b-' }));

      const next = await p.tick();
      expect(next.reconciled.map((r) => [r.action.type, r.applied])).toEqual([['drop-shadow', true]]);
      expect(await p.metadata.listShadows()).toEqual([]);
      expect((await p.metadata.getPartition(shard.shardId))?.shadowPartitionId).toBeUndefined();
      await p.produce(records(100, 8, { prefix: 'c-' }));
      const { verdicts } = await p.settle();
      expect(verdicts).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
    }
  });

  it('mid-split (after SplitShard, before the children are placed): the next tick places them on the parent owner', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }, { workerId: 'w3' }] });
    try {
      await p.tick();
      const parent = (await p.metadata.listPartitions())[0]!;
      const splitKey = middleSplitKey(16);
      p.esm.start();
      await p.produce(records(200, 16));

      const crash = crashOnceAt('spm.split.after-split-shard');
      const split = scriptedPolicy((view) => {
        const now = view.partitions.find((x) => x.shardId === parent.shardId)!;
        return [{ type: 'split', shardId: parent.shardId, expectedEpoch: now.epoch, newStartingHashKey: splitKey, lowChildWorkerId: 'w2', highChildWorkerId: 'w3', lowLoadShare: 0.5, reason: 'test: split' }];
      });
      await expect(p.tick(split, p.metadata, crash)).rejects.toBeInstanceOf(InjectedCrash);
      // The stream split; the metadata knows only the parent. Records now go to the unplaced children.
      await p.stream.waitUntilActive(10_000);
      expect((await p.stream.listShards()).length).toBe(3);
      expect((await p.metadata.listPartitions()).map((x) => x.shardId)).toEqual([parent.shardId]);
      await p.produce(records(200, 16).map((r) => ({ ...r, v: r.v + 200 })));

      const next = await p.tick();
      expect(next.discovered).toHaveLength(2);
      const children = (await p.metadata.listPartitions()).filter((x) => x.parentShardIds.includes(parent.shardId));
      expect(children.map((c) => c.ownerWorkerId)).toEqual(['w1', 'w1']);
      const { verdicts } = await p.settle(25_000);
      expect(verdicts).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
