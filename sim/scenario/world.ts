import type { HashKeyRange } from '../../core/model/hash-key.js';
import { seededRandom } from '../../core/random.js';
import { curveAt } from './curves.js';
import { buildKeyPools, skewWeights, type PoolKey } from './keys.js';
import type { Curve, Scenario } from './schema.js';

const MS_PER_MIN = 60_000;

/** A hot key of the scenario: one pool key with its own extra rate over time. */
export interface HotKey {
  readonly region: number;
  readonly key: PoolKey;
  readonly atMs: number;
  readonly rampMs: number;
  readonly endMs: number;
  readonly recordsPerSec: number;
  readonly costFactor: number;
}

/**
 * The scenario's world, independent of any policy: which keys exist, how popular they are, how fast each
 * region produces records and what they cost. The simulator and the local runtime's load generator both
 * play a scenario through this, so they see the same traffic.
 */
export interface ScenarioWorld {
  readonly scenario: Scenario;
  /** Initial shard ranges (one region each). */
  readonly regionRanges: readonly HashKeyRange[];
  readonly pools: readonly (readonly PoolKey[])[];
  /** Popularity weights of each region's pool (same order as the pool, summing to 1). */
  readonly weights: readonly number[];
  readonly rateCurves: readonly Curve[];
  readonly costCurves: readonly Curve[];
  readonly hotKeys: readonly HotKey[];
}

/** The id of the `index`-th (0-based) worker of a scenario's worker class: the simulator and `npm start` name them alike. */
export function scenarioWorkerId(workerClass: string, index: number): string {
  return `${workerClass}-${index + 1}`;
}

export function buildWorld(scenario: Scenario, seed: number): ScenarioWorld {
  const n = scenario.shards.count;
  const { ranges, pools } = buildKeyPools(n, scenario.keys.poolSize, seed);
  const rateCurves = Array.from({ length: n }, () => scenario.shards.rate);
  const costCurves = Array.from({ length: n }, () => scenario.shards.cost);
  for (const o of scenario.shards.overrides) {
    if (o.rate) rateCurves[o.shard] = o.rate;
    if (o.cost) costCurves[o.shard] = o.cost;
  }
  const random = seededRandom(seed ^ 0x40e7);
  const hotKeys: HotKey[] = [];
  for (const e of scenario.events) {
    if (e.kind !== 'hot-key') continue;
    const pool = pools[e.shard]!;
    hotKeys.push({
      region: e.shard,
      key: pool[Math.floor(random.next() * pool.length)]!,
      atMs: e.atMin * MS_PER_MIN,
      rampMs: e.rampMin * MS_PER_MIN,
      endMs: e.endMin === undefined ? Number.POSITIVE_INFINITY : e.endMin * MS_PER_MIN,
      recordsPerSec: e.recordsPerSec,
      costFactor: e.costFactor,
    });
  }
  return { scenario, regionRanges: ranges, pools, weights: skewWeights(scenario.keys.poolSize, scenario.keys.skew), rateCurves, costCurves, hotKeys };
}

/** Base records per second of a region at `tMs` (hot keys not included). */
export function regionRateAt(world: ScenarioWorld, region: number, tMs: number): number {
  return curveAt(world.rateCurves[region]!, tMs);
}

/** Mean per-record cost of a region at `tMs`, in ms on a worker of speed 1. */
export function regionCostAt(world: ScenarioWorld, region: number, tMs: number): number {
  return curveAt(world.costCurves[region]!, tMs);
}

/** Extra records per second of a hot key at `tMs`. */
export function hotKeyRateAt(hot: HotKey, tMs: number): number {
  if (tMs < hot.atMs || tMs >= hot.endMs) return 0;
  if (hot.rampMs <= 0 || tMs >= hot.atMs + hot.rampMs) return hot.recordsPerSec;
  return (hot.recordsPerSec * (tMs - hot.atMs)) / hot.rampMs;
}

/** One key's share of the traffic at a time. */
export interface KeyLoad {
  readonly partitionKey: string;
  readonly hashKey: bigint;
  readonly recordsPerSec: number;
  readonly costMsPerRecord: number;
}

/**
 * Everything about region (initial shard) `region` at scenario time `tMs`: its total record rate, mean cost,
 * and the rate and cost of each of its keys (pool keys by popularity, plus active hot keys). This is what a
 * load generator needs to play the scenario: pick keys by `recordsPerSec`, burn `costMsPerRecord` / speed.
 */
export function shardLoadAt(world: ScenarioWorld, region: number, tMs: number): { recordsPerSec: number; costMsPerRecord: number; keys: KeyLoad[] } {
  const base = regionRateAt(world, region, tMs);
  const cost = regionCostAt(world, region, tMs);
  const keys: KeyLoad[] = world.pools[region]!.map((k, i) => ({ ...k, recordsPerSec: base * world.weights[i]!, costMsPerRecord: cost }));
  let total = base;
  let costSum = base * cost;
  for (const hot of world.hotKeys) {
    if (hot.region !== region) continue;
    const rate = hotKeyRateAt(hot, tMs);
    if (rate <= 0) continue;
    keys.push({ partitionKey: hot.key.partitionKey, hashKey: hot.key.hashKey, recordsPerSec: rate, costMsPerRecord: cost * hot.costFactor });
    total += rate;
    costSum += rate * cost * hot.costFactor;
  }
  return { recordsPerSec: total, costMsPerRecord: total > 0 ? costSum / total : cost, keys };
}
