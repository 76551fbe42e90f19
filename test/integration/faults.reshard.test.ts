import { describe, expect, it } from 'vitest';
import { awsServiceError } from '../../local/runtime/chaos.js';
import { skipOnMoto } from '../support/moto/infidelities.js';
import { middleSplitKey, records, scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators({ splitShardMs: 100 });
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/**
 * Fault matrix: a shard merged while its batches are held. A slow parent is split; its children's batches
 * are held by the dispatcher while the parent drains (the local mapping delivers them early, as a mapping
 * may); the two children are merged at once. The merged shard must wait for both children, which wait for
 * the parent: three generations in flight. Ledger: nothing lost, nothing applied twice, per-key order kept.
 */
describe('a shard merged while its batches are held behind a draining parent', () => {
  it('delivers all three generations in order', async (context) => {
    skipOnMoto(context, 'splitShardRePutsParentRecords');
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], esm: { parentsFirst: false } });
    try {
      await p.tick();
      const parent = (await p.metadata.listPartitions())[0]!;
      const splitKey = middleSplitKey(16);
      p.esm.start();
      await p.produce(records(300, 16, { costMs: 100 }));

      const split = await p.tick(
        scriptedPolicy((view) => {
          const now = view.partitions.find((x) => x.shardId === parent.shardId)!;
          return [{ type: 'split', shardId: parent.shardId, expectedEpoch: now.epoch, newStartingHashKey: splitKey, lowChildWorkerId: 'w1', highChildWorkerId: 'w2', lowLoadShare: 0.5, reason: 'test: split' }];
        }),
      );
      expect(split.results.map((r) => r.applied)).toEqual([true]);
      const children = (await p.metadata.listPartitions()).filter((x) => x.parentShardIds.includes(parent.shardId)).sort((a, b) => (a.hashKeyRange.start < b.hashKeyRange.start ? -1 : 1));
      expect(children).toHaveLength(2);
      await p.produce(records(100, 16, { costMs: 1 }).map((r) => ({ ...r, v: r.v + 300 })));

      // Merge the children while the parent still drains (its 300 records take about 2 s even with every key in parallel).
      const merge = await p.tick(scriptedPolicy(() => [{ type: 'merge', shardId: children[0]!.shardId, adjacentShardId: children[1]!.shardId, workerId: 'w2', reason: 'test: merge while held' }]));
      expect(merge.results.map((r) => [r.applied, r.detail])).toEqual([[true, expect.anything()]]);
      await p.produce(records(100, 16).map((r) => ({ ...r, v: r.v + 400 })));

      const { verdicts } = await p.settle(30_000);
      expect(verdicts).toEqual([]);
      const merged = (await p.metadata.listPartitions()).find((x) => x.parentShardIds.length === 2);
      expect(merged?.ownerWorkerId).toBe('w2');
      expect(p.ledger.all().some((r) => r.shardId === merged!.shardId)).toBe(true);
      expect(p.esm.stats.discardedBatches).toBe(0);
      const held = new Set(p.telemetry.dispatches.filter((d) => d.held || d.heldMs > 0).map((d) => d.shardId));
      expect(children.some((c) => held.has(c.shardId))).toBe(true);
    } finally {
      await p.stop();
    }
  });
});

/**
 * Fault matrix: a parent trimmed from retention. After the retention period Kinesis no longer lists a closed
 * parent, and GetShardIterator on it answers ResourceNotFoundException; its children still name it. Injected
 * at the Kinesis API (every reader of this file's client sees the trim), right after the split.
 */
describe('a parent trimmed from retention while its children wait', () => {
  it('counts the parent as drained and delivers the children', async (context) => {
    skipOnMoto(context, 'putRecordsRouteToClosedShards');
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], esm: { parentsFirst: false } });
    const kinesis = emulators.kinesis();
    let trimmed: string | undefined;
    let refused = 0;
    kinesis.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        const target = request.headers?.['x-amz-target'] ?? '';
        const body = String(request.body ?? '');
        if (trimmed !== undefined && /GetShardIterator$/.test(target) && body.includes(trimmed)) {
          refused += 1;
          throw awsServiceError('ResourceNotFoundException', `Shard ${trimmed} in stream ${p.name} under account 000000000000 does not exist (injected trim)`);
        }
        const out = await next(args);
        if (trimmed !== undefined && /ListShards$/.test(target)) {
          const output = out.output as { Shards?: { ShardId?: string }[] };
          if (output.Shards) output.Shards = output.Shards.filter((s) => s.ShardId !== trimmed);
        }
        return out;
      },
      { step: 'deserialize', name: 'injectedTrim', priority: 'high' },
    );
    try {
      // The stream was split before Foreshadow was deployed, and the parent has since aged out: Foreshadow
      // never saw it, has no progress for it, and cannot read it.
      const parent = (await p.stream.listShards())[0]!;
      const split = await p.stream.splitShard(parent.shardId, (parent.hashKeyRange.start + parent.hashKeyRange.end) / 2n);
      expect(split.ok).toBe(true);
      expect(await p.stream.waitUntilActive(10_000)).toBe(true);
      trimmed = parent.shardId;
      await p.tick();
      const children = await p.metadata.listPartitions();
      expect(children.map((c) => c.parentShardIds)).toEqual([[parent.shardId], [parent.shardId]]);
      p.esm.start();
      await p.produce(records(200, 8));
      const { verdicts } = await p.settle(20_000);
      expect(verdicts).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
      expect(refused).toBeGreaterThan(0);
    } finally {
      trimmed = undefined;
      kinesis.middlewareStack.remove('injectedTrim');
      await p.stop();
    }
  });
});
