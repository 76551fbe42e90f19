import type { Action } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { ShardMetricPoint } from '../../model/metrics.js';
import type { PartitionMetadata } from '../../model/partition.js';
import type { Deployment } from '../deployment.js';
import type { Policy } from '../policy.js';
import { byValueThenId, fmt } from './baseline-metrics.js';

export interface ReactiveSplitState {
  /** When each shard this policy split was split (the cool-off of its children). */
  readonly splitAtMs: Readonly<Record<string, number>>;
}

const RULE = 'reactive-split';

/** Ingest of a point as a share of the shard's write limit, the larger of bytes and records. */
export function ingestShare(point: ShardMetricPoint, limits: ClusterView['shardLimits']): number {
  const seconds = point.periodMs / 1000;
  if (seconds <= 0) return 0;
  return Math.max(point.incomingBytes / (limits.bytesPerSec * seconds), point.incomingRecords / (limits.recordsPerSec * seconds));
}

/** The first hash key of the upper half of a range (SplitShard's `NewStartingHashKey` for an even split). */
export function midpointHashKey(range: PartitionMetadata['hashKeyRange']): bigint {
  return range.start + (range.end - range.start + 1n) / 2n;
}

/** SplitShard at the hash-key midpoint, both children kept on the parent's owner (the splitters' action). */
export function evenSplit(p: PartitionMetadata, reason: string): Action {
  return {
    type: 'split',
    shardId: p.shardId,
    expectedEpoch: p.epoch,
    newStartingHashKey: midpointHashKey(p.hashKeyRange),
    lowChildWorkerId: p.ownerWorkerId,
    highChildWorkerId: p.ownerWorkerId,
    lowLoadShare: 0.5,
    reason,
  };
}

/**
 * `reactive-split` — re-implementation of a per-shard splitter in the style of
 * awslabs/amazon-kinesis-scaling-utils (its README: scale on a metric threshold sustained for N minutes,
 * with a cool-off): a shard whose ingest stayed at or above `ingestThresholdPercent` of its write limit, or
 * whose iterator age stayed at or above `iteratorAgeThresholdMs`, in each of its last `highPeriods` 60-s
 * CloudWatch points is split at the midpoint of its hash-key range (even split: it never looks for hot keys,
 * so a hot key stays whole in one child). One split at a time (SplitShard needs an ACTIVE stream), the
 * highest ingest first; a child of a shard split less than `coolOffMs` ago waits. No merges (the tool's
 * scale-down is left out: no built-in scenario would trigger it within its run).
 *
 * Deployment: the user's plain mapping (no dispatcher), a scheduled function reading three series per open
 * shard (IncomingBytes, IncomingRecords, IteratorAgeMilliseconds) with GetMetricData, ~2 min late.
 */
export const reactiveSplitPolicy: Policy<ReactiveSplitState> = {
  name: 'reactive-split',
  label: 'reactive-split (re-implementation in the style of amazon-kinesis-scaling-utils: threshold for N periods, midpoint SplitShard, cool-off)',
  deployment: {
    dataPath: 'cloudwatch',
    dataPlane: 'plain-esm',
    capacityMode: 'provisioned',
    decisionFunction: true,
    metricsPerDecision: (openShards) => openShards * 3,
    lanesPerShard: () => 1,
  } satisfies Deployment,
  initialState: () => ({ splitAtMs: {} }),
  decide(view, config, state) {
    const cfg = config.baselines.reactiveSplit;
    const coolOffMs = cfg.coolOffMs ?? 15 * config.tickIntervalMs;
    const splitAtMs = Object.fromEntries(Object.entries(state.splitAtMs).filter(([, t]) => t > view.nowMs - coolOffMs));
    const hold = (reason: string) => ({ actions: [] as Action[], events: [{ type: 'hold' as const, rule: RULE, reason }], nextState: { splitAtMs } });
    const open = view.partitions.filter((p) => p.state === 'OPEN');
    const high = (p: ShardMetricPoint): boolean => ingestShare(p, view.shardLimits) * 100 >= cfg.ingestThresholdPercent || p.iteratorAgeMsMax >= cfg.iteratorAgeThresholdMs;
    const candidates = open
      .map((p) => ({ p, points: (view.shardMetrics[p.shardId] ?? []).slice(-cfg.highPeriods) }))
      .filter(({ points }) => points.length === cfg.highPeriods && points.every(high));
    if (candidates.length === 0) return hold(`no shard high in each of its last ${cfg.highPeriods} periods`);
    const ready = candidates.filter(({ p }) => !p.parentShardIds.some((id) => splitAtMs[id] !== undefined));
    if (ready.length === 0) return hold(`${candidates.length} high shard(s), all children of a split less than ${coolOffMs} ms ago`);
    if (view.streamStatus !== 'ACTIVE') return hold(`${ready.length} high shard(s), but the stream is ${view.streamStatus}: SplitShard needs ACTIVE`);
    if (open.length >= cfg.maxShardCount) return hold(`${ready.length} high shard(s), but ${open.length} open shards reach maxShardCount ${cfg.maxShardCount}`);
    const newest = (x: (typeof ready)[number]): number => ingestShare(x.points[x.points.length - 1]!, view.shardLimits);
    ready.sort(byValueThenId(newest, (x) => x.p.shardId, 'desc'));
    const { p, points } = ready[0]!;
    const last = points[points.length - 1]!;
    const action = evenSplit(
      p,
      `high in each of its last ${cfg.highPeriods} periods (newest: ingest ${fmt(ingestShare(last, view.shardLimits) * 100, 1)} % of the write limit, iterator age ${last.iteratorAgeMsMax} ms); split at the hash-key midpoint`,
    );
    return { actions: [action], events: [], nextState: { splitAtMs: { ...splitAtMs, [p.shardId]: view.nowMs } } };
  },
};
