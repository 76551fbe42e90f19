import type { MergeAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { SplitRecord } from './spm.state.js';
import type { ShardTick, TickContext } from './spm.context.js';
import { canAbsorb, fmt, ingestFraction } from './spm.context.js';
import { utilizationOn } from './split.rule.js';

/**
 * Merge two adjacent cold shards into one: a shard-hour saved per hour, which on a stream that idles at night
 * is most of what capacity costs then. The split rule takes the capacity back when the load returns.
 *
 * A pair merges only when the child would be far from every threshold, now and at the horizon: its ingest at
 * most `mergeIngestFraction` of one shard's write limit (0.25, under a third of the split threshold of 0.9, so
 * that a merge and the split that undoes it are far apart, and a step in load has room before it throttles), and its utilization on the child's owner (the pair's
 * roomier owner) cool (`coolThreshold`) and absorbable there. Both must have at least `MIN_MERGE_POINTS`
 * periods of history and a flat or falling forecast (ingest and utilization at the horizon at most 5 % above
 * now): capacity goes back when the load has gone, not before it comes. Neither shard may be hot, moved within the
 * cooldown or just created by a split (no split within the cooldown); the stream must be ACTIVE and no
 * reshard planned this tick. At most one merge per tick, the coldest pair first; `mergeIngestFraction` 0
 * turns merges off.
 */
export function mergeRule(ctx: TickContext, splits: readonly SplitRecord[]): RuleOutcome<MergeAction> {
  const limit = ctx.config.mergeIngestFraction;
  if (limit <= 0) return { kind: 'not-applicable' };
  if (ctx.view.streamStatus !== 'ACTIVE' || ctx.splitsLeft < ctx.config.maxSplitsPerTick) return { kind: 'not-applicable' };
  const recent = splits.find((s) => ctx.view.nowMs - s.atMs < ctx.config.cooldownMs);
  if (recent) return { kind: 'not-applicable' };
  const open = [...ctx.shards.values()]
    .filter((s) => s.partition.state === 'OPEN')
    .sort((a, b) => (a.partition.hashKeyRange.start < b.partition.hashKeyRange.start ? -1 : 1));
  let best: { action: MergeAction; ingest: number } | undefined;
  for (let i = 0; i + 1 < open.length; i++) {
    const [a, b] = [open[i]!, open[i + 1]!];
    if (a.partition.hashKeyRange.end + 1n !== b.partition.hashKeyRange.start) continue;
    const candidate = mergeOf(ctx, a, b, limit);
    if (candidate && (!best || candidate.ingest < best.ingest)) best = candidate;
  }
  return best ? { kind: 'act', action: best.action } : { kind: 'not-applicable' };
}

/** Metric periods of history a shard needs before it may merge: a trend from fewer says little. */
export const MIN_MERGE_POINTS = 10;

function mergeOf(ctx: TickContext, a: ShardTick, b: ShardTick, limit: number): { action: MergeAction; ingest: number } | undefined {
  const { cooldownMs, coolThreshold, safeThreshold } = ctx.config;
  for (const s of [a, b]) {
    if (s.hot || ctx.touchedShards.has(s.partition.shardId) || s.forecast.points < MIN_MERGE_POINTS) return undefined;
    // Capacity goes back when the load has gone, not while it is (still) coming.
    if (s.forecast.recordsPerSecAtHorizon > s.forecast.recordsPerSec * 1.05 || s.forecast.utilizationAtHorizon > s.forecast.utilization * 1.05) return undefined;
    const moved = s.state.lastMoveAtMs ?? s.partition.lastMoveAtMs;
    if (moved !== undefined && ctx.view.nowMs - moved < cooldownMs) return undefined;
  }
  const limits = ctx.view.shardLimits;
  const ingest = Math.max(
    ingestFraction(limits, a.forecast.recordsPerSec + b.forecast.recordsPerSec, a.forecast.bytesPerSec + b.forecast.bytesPerSec),
    ingestFraction(limits, a.forecast.recordsPerSecAtHorizon + b.forecast.recordsPerSecAtHorizon, a.forecast.bytesPerSecAtHorizon + b.forecast.bytesPerSecAtHorizon),
  );
  if (ingest > limit) return undefined;
  // The child goes to the roomier of the two owners, which must take both shards' load, cool.
  const owners = [...new Set([a.partition.ownerWorkerId, b.partition.ownerWorkerId])].map((id) => ctx.workers.get(id)).filter((w) => w !== undefined);
  const target = owners.sort((x, y) => x.loadAtHorizon / x.worker.slots - y.loadAtHorizon / y.worker.slots || (x.worker.workerId < y.worker.workerId ? -1 : 1))[0];
  if (!target) return undefined;
  const id = target.worker.workerId;
  const peak = (s: ShardTick) => Math.max(s.utilization, s.utilizationAtHorizon) * ((ctx.workers.get(s.partition.ownerWorkerId)?.worker.speed ?? 1) / target.worker.speed);
  const merged = peak(a) + peak(b);
  // The target already carries the shard it owns; only the other one is added.
  const added = (a.partition.ownerWorkerId === id ? 0 : utilizationOn(ctx, a, id)) + (b.partition.ownerWorkerId === id ? 0 : utilizationOn(ctx, b, id));
  if (merged > coolThreshold || !canAbsorb(target, added, safeThreshold)) return undefined;
  return {
    ingest,
    action: {
      type: 'merge',
      shardId: a.partition.shardId,
      adjacentShardId: b.partition.shardId,
      workerId: id,
      reason: `merge cold neighbours ${a.partition.shardId} and ${b.partition.shardId}: together ${fmt(ingest * 100, 0)} % of one shard's write limit now and at the horizon (merge at most ${fmt(limit * 100, 0)} %, split above ${fmt(ctx.config.splitIngestFraction * 100, 0)} %), utilization ${fmt(merged)} on ${id} (cool below ${fmt(coolThreshold)}); one shard-hour saved per hour until the split rule takes it back`,
    },
  };
}
