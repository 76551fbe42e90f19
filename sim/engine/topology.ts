import { positionInRange, rangeContains, type HashKeyRange } from '../../core/model/hash-key.js';
import type { ScenarioWorld } from '../scenario/world.js';
import { emptyShardMetrics, type RegionShare, type SimShard } from './state.js';

/** Kinesis-style shard id for the n-th shard the stream ever had. */
export function shardIdFor(n: number): string {
  return `shardId-${String(n).padStart(12, '0')}`;
}

/**
 * Which keys of which regions hash into `range`, bucketed over the range for shadow histograms. Computed
 * only when the topology changes, so no key is hashed or located per record.
 */
export function routeRange(world: ScenarioWorld, range: HashKeyRange, buckets: number): { regionShares: RegionShare[]; hotKeys: SimShard['hotKeys'] } {
  const regionShares: RegionShare[] = [];
  world.regionRanges.forEach((regionRange, region) => {
    if (regionRange.end < range.start || regionRange.start > range.end) return;
    let share = 0;
    const keys: { bucket: number; weight: number; laneKey: number }[] = [];
    world.pools[region]!.forEach((key, i) => {
      if (!rangeContains(range, key.hashKey)) return;
      const weight = world.weights[i]!;
      share += weight;
      keys.push({ bucket: bucketOf(range, key.hashKey, buckets), weight, laneKey: laneKeyOf(key.hashKey) });
    });
    if (keys.length > 0) regionShares.push({ region, share, keys });
  });
  const hotKeys = world.hotKeys.filter((h) => rangeContains(range, h.key.hashKey)).map((hot) => ({ hot, bucket: bucketOf(range, hot.key.hashKey, buckets), laneKey: laneKeyOf(hot.key.hashKey) }));
  return { regionShares, hotKeys };
}

/**
 * A key's lane under ParallelizationFactor N is `laneKey % N`: records go to lanes by partition-key hash
 * (Lambda keeps order per key; its exact lane function is not documented, any hash does). 2520 is the least
 * common multiple of 1..10, so the remainder is uniform for every factor.
 */
function laneKeyOf(hashKey: bigint): number {
  return Number(hashKey % 2520n);
}

function bucketOf(range: HashKeyRange, key: bigint, buckets: number): number {
  return Math.min(buckets - 1, Math.floor(positionInRange(range, key) * buckets));
}

/** A new, empty shard (at creation of the stream or as the child of a reshard). */
export function newShard(input: { id: string; range: HashKeyRange; parentIds: readonly string[]; owner: string; world: ScenarioWorld; buckets: number }): SimShard {
  const route = routeRange(input.world, input.range, input.buckets);
  return {
    id: input.id,
    range: input.range,
    parentIds: input.parentIds,
    childIds: [],
    state: 'OPEN',
    owner: input.owner,
    epoch: 0,
    pausedUntilMs: 0,
    behindSteps: 0,
    burstLanes: 1,
    laneDemand: 0,
    queue: [],
    queueHead: 0,
    headProgressMs: 0,
    nextSeq: 0,
    processedSeq: 0,
    retries: [],
    manualOffered: 0,
    arrivalCarry: 0,
    regionShares: route.regionShares,
    hotKeys: route.hotKeys,
    metrics: emptyShardMetrics(),
    points: [],
  };
}
