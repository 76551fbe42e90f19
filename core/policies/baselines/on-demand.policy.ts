import type { Action } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { PartitionMetadata } from '../../model/partition.js';
import type { Deployment } from '../deployment.js';
import type { Policy } from '../policy.js';
import { byValueThenId, fmt, newestPoint } from './baseline-metrics.js';
import { evenSplit, ingestShare } from './reactive-split.policy.js';

/** Stream-wide ingest of one 60-s period, in shards' worth of write limit (the larger of bytes and records). */
export interface OnDemandPeak {
  readonly atMs: number;
  readonly shardsWorth: number;
}

export interface OnDemandState {
  /** Stream ingest of each period seen, newest last, kept for the scale-down window. */
  readonly periods: readonly OnDemandPeak[];
  /** Highest stream ingest seen, in shards' worth (the "previous peak"). */
  readonly peakShardsWorth: number;
  /** Per shard: consecutive periods at or above the hot-shard threshold, and the newest period counted. */
  readonly hotStreak: Readonly<Record<string, { readonly count: number; readonly atMs: number }>>;
}

const RULE = 'on-demand';

/**
 * `on-demand` — re-implementation of Kinesis Data Streams on-demand capacity mode from its documentation
 * (ANCHORS.md, "On-demand mode"): Kinesis keeps write capacity for `peakMultiple` (2) × the peak write rate
 * seen, splitting shards evenly (at the hash-key midpoint, the busiest first) when the shard count falls
 * short of it; a shard whose ingest reaches `hotShardIngestFraction` (~500 KB/s) of its write limit is split
 * evenly too; a hot key is never isolated, it stays whole in one child. AWS gives "within ~15 minutes" as an
 * upper bound: here a split starts after `sustainPoints` (default 1) 60-s points, and several run at once
 * (Kinesis reshards its own streams without the one-at-a-time limit of SplitShard calls). Scale-down: two
 * adjacent shards merge, one pair per minute, once the run has a full `scaleDownWindowMs` (24 h) of history
 * and 2 × that window's peak fits in one shard fewer, when the pair's ingest together is under the
 * hot-shard threshold.
 *
 * Deployment: the user's plain mapping (no dispatcher, one batch per shard at a time), Kinesis' own 60-s
 * figures with no publishing delay (`kinesis-internal`), no function and no metric reads of the user's,
 * billed per stream-hour and per GB written and read.
 */
export const onDemandPolicy: Policy<OnDemandState> = {
  name: 'on-demand',
  label: 'on-demand (re-implementation of Kinesis on-demand capacity mode as documented: 2x previous peak, even splits, 24-h scale-down)',
  deployment: {
    dataPath: 'kinesis-internal',
    dataPlane: 'plain-esm',
    capacityMode: 'on-demand',
    decisionFunction: false,
    metricsPerDecision: () => 0,
    lanesPerShard: () => 1,
  } satisfies Deployment,
  initialState: () => ({ periods: [], peakShardsWorth: 0, hotStreak: {} }),
  decide(view, config, state) {
    const cfg = config.baselines.onDemand;
    const windowMs = cfg.scaleDownWindowMs ?? 1440 * config.tickIntervalMs;
    const open = view.partitions.filter((p) => p.state === 'OPEN');
    const latest = Math.max(-1, ...view.partitions.map((p) => newestPoint(view.shardMetrics[p.shardId])?.atMs ?? -1));
    const lastSeen = state.periods[state.periods.length - 1]?.atMs ?? -1;
    let periods = state.periods;
    let peakShardsWorth = state.peakShardsWorth;
    if (latest > lastSeen) {
      const shardsWorth = streamShardsWorth(view, latest);
      periods = [...periods, { atMs: latest, shardsWorth }].filter((p) => p.atMs > latest - windowMs);
      peakShardsWorth = Math.max(peakShardsWorth, shardsWorth);
    }
    const hotStreak: Record<string, { count: number; atMs: number }> = {};
    const shareOf = (p: PartitionMetadata): number => {
      const point = newestPoint(view.shardMetrics[p.shardId]);
      return point ? ingestShare(point, view.shardLimits) : 0;
    };
    for (const p of open) {
      const point = newestPoint(view.shardMetrics[p.shardId]);
      const before = state.hotStreak[p.shardId];
      if (!point) continue;
      if (before && before.atMs >= point.atMs) hotStreak[p.shardId] = before;
      else if (shareOf(p) >= cfg.hotShardIngestFraction) hotStreak[p.shardId] = { count: (before?.count ?? 0) + 1, atMs: point.atMs };
    }
    const nextState: OnDemandState = { periods, peakShardsWorth, hotStreak };

    const needed = Math.ceil(cfg.peakMultiple * peakShardsWorth - 1e-9);
    const splitting = new Set<string>();
    for (const p of open) if ((hotStreak[p.shardId]?.count ?? 0) >= cfg.sustainPoints) splitting.add(p.shardId);
    const busiestFirst = [...open].sort(byValueThenId(shareOf, (p) => p.shardId, 'desc'));
    for (const p of busiestFirst) {
      if (open.length + splitting.size >= needed) break;
      splitting.add(p.shardId);
    }
    const actions: Action[] = busiestFirst
      .filter((p) => splitting.has(p.shardId))
      .map((p) =>
        evenSplit(
          p,
          (hotStreak[p.shardId]?.count ?? 0) >= cfg.sustainPoints
            ? `ingest ${fmt(shareOf(p) * 100, 1)} % of the shard's write limit ≥ ${fmt(cfg.hotShardIngestFraction * 100, 1)} % for ${hotStreak[p.shardId]!.count} period(s): even split`
            : `${open.length} shards < ${cfg.peakMultiple} × peak ${fmt(peakShardsWorth, 2)} shards' worth (${needed} needed): even split of the busiest`,
        ),
      );
    if (actions.length > 0) return { actions, events: [], nextState };

    const fullWindow = periods.length > 0 && periods[0]!.atMs <= latest - windowMs + (periods.length > 1 ? periods[1]!.atMs - periods[0]!.atMs : 0);
    const windowPeak = Math.max(0, ...periods.map((p) => p.shardsWorth));
    if (!fullWindow || Math.ceil(cfg.peakMultiple * windowPeak - 1e-9) > open.length - 1 || open.length < 2) {
      return { actions: [], events: [{ type: 'hold', rule: RULE, reason: `${open.length} shards for ${cfg.peakMultiple} × peak ${fmt(peakShardsWorth, 2)} shards' worth; no scale-down (${fullWindow ? `window peak ${fmt(windowPeak, 2)}` : 'less than a full scale-down window of history'})` }], nextState };
    }
    const byStart = [...open].sort((a, b) => (a.hashKeyRange.start < b.hashKeyRange.start ? -1 : 1));
    const pairs = byStart.slice(1).map((hi, i) => ({ lo: byStart[i]!, hi })).filter(({ lo, hi }) => lo.hashKeyRange.end + 1n === hi.hashKeyRange.start);
    const coldest = pairs.map((x) => ({ ...x, share: shareOf(x.lo) + shareOf(x.hi) })).sort(byValueThenId((x) => x.share, (x) => x.lo.shardId, 'asc'))[0];
    if (!coldest || coldest.share >= cfg.hotShardIngestFraction || view.streamStatus !== 'ACTIVE') {
      return { actions: [], events: [{ type: 'hold', rule: RULE, reason: 'scale-down allowed, but no adjacent pair is cold enough or the stream is not ACTIVE' }], nextState };
    }
    const merge: Action = {
      type: 'merge',
      shardId: coldest.lo.shardId,
      adjacentShardId: coldest.hi.shardId,
      workerId: coldest.lo.ownerWorkerId,
      reason: `${cfg.peakMultiple} × window peak ${fmt(windowPeak, 2)} shards' worth fits in ${open.length - 1} shards; pair ingest ${fmt(coldest.share * 100, 1)} % of one shard`,
    };
    return { actions: [merge], events: [], nextState };
  },
};

/** Stream-wide ingest of the period starting at `atMs`, in shards' worth of write limit. */
function streamShardsWorth(view: ClusterView, atMs: number): number {
  let bytes = 0;
  let records = 0;
  let periodMs = 0;
  for (const p of view.partitions) {
    const point = (view.shardMetrics[p.shardId] ?? []).find((x) => x.atMs === atMs);
    if (!point) continue;
    bytes += point.incomingBytes;
    records += point.incomingRecords;
    periodMs = point.periodMs;
  }
  if (periodMs <= 0) return 0;
  const seconds = periodMs / 1000;
  return Math.max(bytes / (view.shardLimits.bytesPerSec * seconds), records / (view.shardLimits.recordsPerSec * seconds));
}
