import { describe, expect, it } from 'vitest';
import { evenRanges, reconcileWorkerPool, type PartitionMetadata, type ShadowPartition, type WorkerNodeMetadata } from '../../../core/model/index.js';

const worker = (workerId: string, slots: number, memoryMb = 1024): WorkerNodeMetadata => ({
  workerId,
  workerClass: workerId,
  speed: memoryMb / 1024,
  memoryMb,
  slots,
  utilization: 0,
  predictedCapacity: slots,
});

const ranges = evenRanges(4);
const partition = (i: number, owner: string, state: PartitionMetadata['state'] = 'OPEN'): PartitionMetadata => ({
  shardId: `shardId-00000000000${i}`,
  hashKeyRange: ranges[i]!,
  parentShardIds: [],
  state,
  ownerWorkerId: owner,
  epoch: 3 + i,
  ingestRecordsPerSec: 0,
  ingestBytesPerSec: 0,
  utilization: 0,
  utilizationTrendPerSec: 0,
});

describe('reconciling the registered worker pool with the deployment', () => {
  it('adds new classes, rewrites resized ones, removes the ones no longer deployed', () => {
    const registered = [worker('small', 2, 512), worker('large', 4, 2048)];
    const deployed = [worker('large', 16, 2048), worker('xl', 8, 4096)];
    const plan = reconcileWorkerPool(registered, deployed, [], []);
    expect(plan.put).toEqual([worker('large', 16, 2048), worker('xl', 8, 4096)]);
    expect(plan.removed).toEqual(['small']);
    expect(plan.moves).toEqual([]);
  });

  it('writes nothing when the pool is as deployed', () => {
    const pool = [worker('small', 2), worker('large', 4)];
    expect(reconcileWorkerPool(pool, pool, [partition(0, 'small')], [])).toEqual({ put: [], removed: [], moves: [], drops: [] });
  });

  it('moves every shard of a removed class, closed parents included, to the deployed workers with the fewest shards per slot', () => {
    const deployed = [worker('a', 1), worker('b', 4)];
    const partitions = [partition(0, 'gone'), partition(1, 'gone', 'CLOSED'), partition(2, 'gone'), partition(3, 'a')];
    const plan = reconcileWorkerPool([worker('gone', 2), ...deployed], deployed, partitions, []);
    expect(plan.moves.map((m) => [m.shardId, m.fromWorkerId, m.toWorkerId, m.expectedEpoch])).toEqual([
      ['shardId-000000000000', 'gone', 'b', 3],
      ['shardId-000000000001', 'gone', 'b', 4],
      ['shardId-000000000002', 'gone', 'b', 5],
    ]);
    expect(plan.moves[0]!.reason).toContain('worker gone is no longer deployed');
  });

  it('also moves shards whose owner was never registered (a worker item deleted by an earlier tick)', () => {
    const plan = reconcileWorkerPool([worker('a', 2)], [worker('a', 2)], [partition(0, 'ghost')], []);
    expect(plan.moves).toHaveLength(1);
    expect(plan.moves[0]).toMatchObject({ fromWorkerId: 'ghost', toWorkerId: 'a' });
  });

  it('drops the shadows that sit on a worker no longer deployed', () => {
    const shadow: ShadowPartition = { shadowId: 's0@gone', shardId: 'shardId-000000000000', workerId: 'gone', kind: 'forward', rate: 0.05, createdAtMs: 1 };
    const kept: ShadowPartition = { ...shadow, shadowId: 's0@a', workerId: 'a' };
    const plan = reconcileWorkerPool([worker('a', 2), worker('gone', 2)], [worker('a', 2)], [], [shadow, kept]);
    expect(plan.drops).toEqual([{ type: 'drop-shadow', shadowId: 's0@gone', shardId: 'shardId-000000000000', reason: 'worker gone is no longer deployed' }]);
  });

  it('leaves everything alone when the deployment names no worker (nothing to move to)', () => {
    expect(reconcileWorkerPool([worker('a', 2)], [], [partition(0, 'a')], [])).toEqual({ put: [], removed: [], moves: [], drops: [] });
  });
});

describe('leftovers of an interrupted promotion', () => {
  it('drops a forward shadow that sits on its shard\'s owner, and keeps a reverse one there', () => {
    const pool = [worker('a', 2), worker('b', 2)];
    const forward: ShadowPartition = { shadowId: 's0@b', shardId: 'shardId-000000000000', workerId: 'b', kind: 'forward', rate: 0.05, createdAtMs: 1 };
    const reverse: ShadowPartition = { ...forward, shadowId: 's0@a~reverse', workerId: 'a', kind: 'reverse' };
    const plan = reconcileWorkerPool(pool, pool, [partition(0, 'b')], [forward, reverse]);
    expect(plan.drops.map((d) => d.shadowId)).toEqual(['s0@b']);
    expect(plan.drops[0]!.reason).toContain('interrupted promotion');
    expect(reconcileWorkerPool(pool, pool, [partition(0, 'a')], [forward]).drops).toEqual([]);
  });
});
