import { clamp, replicationRateFor, samplesNeeded } from '../../estimators/cost-estimator.js';
import type { CreateShadowAction, DropShadowAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import { shadowIdFor } from '../../model/shadow.js';
import type { ShardTick, TickContext } from './spm.context.js';
import { canAbsorb, fmt, forwardShadowOf, OWNER_ONLY, predictedCapacity } from './spm.context.js';
import { processedRate } from './prediction.js';
import { overloadTrigger } from './promotion.rule.js';
import { affordableRate } from './shadow-budget.js';
import { utilizationOn } from './split.rule.js';

/**
 * The replication rate for a new shadow of this shard: the samples needed for the target interval
 * (from the cost CV last measured on the shard, or an assumed CV) over the measurement window, raised so
 * that one tick gathers the minimum sample, times the multiplier learned from scored predictions.
 */
export function initialRate(ctx: TickContext, shard: ShardTick): { rate: number; why: string } {
  const { replication } = ctx.config;
  const cv = shard.state.lastCostCv ?? replication.assumedCostCv;
  const n = Math.max(samplesNeeded(cv, replication.targetRelativeError), ctx.config.minShadowSamples);
  const recordsPerSec = processedRate(ctx.view, shard.forecast.recordsPerSec);
  if (!(recordsPerSec > 0)) {
    const rate = clamp(replication.initialRate * shard.state.rateMultiplier, replication.minRate, replication.maxRate);
    return { rate, why: `r=${fmt(rate * 100, 1)} %: the shard's record rate is not known yet, so the initial rate` };
  }
  const base = replicationRateFor(n, recordsPerSec, replication.measurementWindowMs, replication.minRate, replication.maxRate);
  const floor = replicationRateFor(ctx.config.minShadowSamples, recordsPerSec, ctx.tickIntervalMs, replication.minRate, replication.maxRate);
  const rate = clamp(Math.max(base, floor) * shard.state.rateMultiplier, replication.minRate, replication.maxRate);
  return {
    rate,
    why: `r=${fmt(rate * 100, 1)} %: ${n} samples for ±${fmt(replication.targetRelativeError * 100, 0)} % at CV ${fmt(cv)} over ${Math.round(replication.measurementWindowMs / 1000)} s at ${fmt(recordsPerSec, 0)} records/s${shard.state.rateMultiplier !== 1 ? `, ×${fmt(shard.state.rateMultiplier)} learned from past predictions` : ''}`,
  };
}

/**
 * Step 2, shadow creation: a hot shard without a shadow gets one on the worker with the largest predicted
 * capacity (never its owner) that could absorb it. When no worker could, the shadow still goes to the
 * roomiest one: its hash-key histogram is what a load-balanced split needs. Budget: `maxShadows` live.
 */
export function shadowCreationRule(ctx: TickContext, shard: ShardTick): RuleOutcome<CreateShadowAction> {
  const { partition } = shard;
  const id = partition.shardId;
  if (partition.state !== 'OPEN' || !shard.hot) return { kind: 'not-applicable' };
  if (ctx.touchedShards.has(id)) return { kind: 'not-applicable' };
  if (forwardShadowOf(ctx, id, partition.ownerWorkerId)) return { kind: 'not-applicable' };
  if (ctx.config.shadowing === 'owner-only') return { kind: 'hold', reason: `shard ${id} is hot; ${OWNER_ONLY}` };
  if (ctx.liveShadows.size >= ctx.config.maxShadows) {
    return { kind: 'hold', reason: `shard ${id} is hot but the shadow budget (${ctx.config.maxShadows} live) is spent` };
  }
  const safe = ctx.config.safeThreshold;
  const candidates = [...ctx.workers.values()]
    .filter((w) => w.worker.workerId !== partition.ownerWorkerId)
    .map((w) => ({ w, u: utilizationOn(ctx, shard, w.worker.workerId), capacity: predictedCapacity(w, safe) }))
    .sort((a, b) => b.capacity - a.capacity || (a.w.worker.workerId < b.w.worker.workerId ? -1 : 1));
  if (candidates.length === 0) return { kind: 'hold', reason: `shard ${id} is hot but there is no other worker to shadow it on` };
  const absorbing = candidates.find((c) => canAbsorb(c.w, c.u, safe));
  const chosen = absorbing ?? candidates[0]!;
  const wanted = initialRate(ctx, shard);
  const affordable = affordableRate(ctx, id, chosen.w.worker.workerId);
  const budgetPercent = fmt(ctx.config.replication.maxOverheadFraction * 100, 1);
  if (affordable < ctx.config.replication.minRate) {
    return { kind: 'hold', reason: `shard ${id} is hot but the shadow overhead budget (${budgetPercent} % of the owners' busy time) leaves less than the lowest rate ${fmt(ctx.config.replication.minRate * 100, 1)} % for it` };
  }
  const rate = Math.min(wanted.rate, affordable);
  const why = rate < wanted.rate ? `${wanted.why}, capped at r=${fmt(rate * 100, 1)} % by the shadow overhead budget (${budgetPercent} % of the owners' busy time)` : wanted.why;
  const where = absorbing
    ? `${chosen.w.worker.workerId} has the largest predicted capacity (${fmt(chosen.capacity)} slots) among workers that could absorb it (about ${fmt(chosen.u)} by speed hint)`
    : `no worker could absorb it whole by speed hint, so the shadow measures on the roomiest worker ${chosen.w.worker.workerId} (${fmt(chosen.capacity)} slots free) for a load-balanced split`;
  return {
    kind: 'act',
    action: {
      type: 'create-shadow',
      shadowId: shadowIdFor(id, chosen.w.worker.workerId),
      shardId: id,
      workerId: chosen.w.worker.workerId,
      kind: 'forward',
      rate,
      reason: `shadow hot shard ${id} (utilization ${fmt(shard.utilization)}, forecast ${fmt(shard.utilizationAtHorizon)}): ${where}; ${why}`,
    },
  };
}

/**
 * When the shadow budget is spent and a shard at risk of overload has no shadow, the shadow of a shard
 * that is hot but not at risk (the least loaded one) makes room: measuring where a move is due comes
 * first.
 */
export function shadowEvictionRule(ctx: TickContext, shard: ShardTick): RuleOutcome<DropShadowAction> {
  const { partition } = shard;
  if (partition.state !== 'OPEN' || !shard.hot || ctx.touchedShards.has(partition.shardId)) return { kind: 'not-applicable' };
  if (ctx.liveShadows.size < ctx.config.maxShadows || forwardShadowOf(ctx, partition.shardId, partition.ownerWorkerId)) return { kind: 'not-applicable' };
  const trigger = overloadTrigger(ctx, shard);
  if (!trigger) return { kind: 'not-applicable' };
  const peak = (s: ShardTick): number => Math.max(s.utilization, s.utilizationAtHorizon);
  const victim = [...ctx.liveShadows.values()]
    .filter((sh) => sh.kind === 'forward')
    .map((sh) => ({ sh, owner: ctx.shards.get(sh.shardId) }))
    .filter((c) => !c.owner || !overloadTrigger(ctx, c.owner))
    .sort((a, b) => (a.owner ? peak(a.owner) : 0) - (b.owner ? peak(b.owner) : 0) || (a.sh.shadowId < b.sh.shadowId ? -1 : 1))[0];
  if (!victim) return { kind: 'hold', reason: `shard ${partition.shardId} needs a shadow because ${trigger}, but every live shadow measures a shard at risk` };
  return {
    kind: 'act',
    action: {
      type: 'drop-shadow',
      shadowId: victim.sh.shadowId,
      shardId: victim.sh.shardId,
      reason: `drop shadow ${victim.sh.shadowId} to make room in the shadow budget (${ctx.config.maxShadows}): shard ${partition.shardId} must move because ${trigger}, while ${victim.sh.shardId} is not at risk (forecast ${fmt(victim.owner?.utilizationAtHorizon ?? 0)})`,
    },
  };
}
