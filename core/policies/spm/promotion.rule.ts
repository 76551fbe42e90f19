import { detectHotKey, MAX_UNPLACED_SHARE, unplacedShare } from '../../estimators/hash-histogram.js';
import type { MoveAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShadowPartition } from '../../model/shadow.js';
import type { ShadowPrediction } from './prediction.js';
import { predictFromShadow, statsOf } from './prediction.js';
import type { ShardTick, TickContext } from './spm.context.js';
import { canAbsorb, fmt, forwardShadowOf, OWNER_ONLY, perSlotLoad } from './spm.context.js';

/**
 * The share of a shard's measured load its busiest burst lane would carry: the heaviest hash-key bucket of
 * the shadow's histogram (a key never spans two buckets, so a hot key's share is at most that), and at least
 * an even spread over `maxLanes`. 1 (no relief) without lanes or without a usable histogram.
 */
export function busiestLaneShare(ctx: TickContext, shadow: ShadowPartition): number {
  if (ctx.maxLanes <= 1) return 1;
  const stats = statsOf(ctx.view, shadow);
  if (!stats || stats.records < ctx.config.minShadowSamples || stats.histogram.buckets.length < 2 || unplacedShare(stats.histogram) > MAX_UNPLACED_SHARE) return 1;
  const check = detectHotKey(stats.histogram, ctx.config.hotKeyMaxShare);
  return check.bucketShare > 0 ? Math.max(check.bucketShare, 1 / ctx.maxLanes) : 1;
}

/** Why a hot shard needs to leave its owner now, or `undefined` when it does not (yet). */
export function overloadTrigger(ctx: TickContext, shard: ShardTick): string | undefined {
  const { overloadThreshold } = ctx.config;
  const peak = Math.max(shard.utilization, shard.utilizationAtHorizon);
  if (peak >= overloadThreshold) {
    return `its forecast ${fmt(shard.utilizationAtHorizon)} (now ${fmt(shard.utilization)}) crosses the overload threshold ${fmt(overloadThreshold)} within ${Math.round(ctx.config.horizonMs / 1000)} s`;
  }
  const owner = ctx.workers.get(shard.partition.ownerWorkerId);
  if (owner && perSlotLoad(owner) >= overloadThreshold) {
    return `its owner ${owner.worker.workerId} is forecast at ${fmt(perSlotLoad(owner))} per slot, above the overload threshold ${fmt(overloadThreshold)}`;
  }
  return undefined;
}

/**
 * How much the move relieves the overload: for a shard overloaded in its own slot, the drop of its
 * utilization; for an overloaded worker, the drop of the worker's per-slot load.
 */
export function expectedImpact(ctx: TickContext, shard: ShardTick, predictedAtHorizon: number): number {
  const peak = Math.max(shard.utilization, shard.utilizationAtHorizon);
  if (peak >= ctx.config.overloadThreshold) return peak - predictedAtHorizon;
  const owner = ctx.workers.get(shard.partition.ownerWorkerId);
  return owner ? shard.utilizationAtHorizon / owner.worker.slots : 0;
}

export type PromotionOutcome = RuleOutcome<MoveAction> & { readonly prediction?: ShadowPrediction };

/**
 * Step 4a, proactive promotion: when the origin's forecast crosses the overload threshold within the
 * horizon and the shadow's worker can absorb the predicted load (its forecast + the prediction at or
 * below the safe threshold), the shadow becomes the owner. Cooldown, the per-tick move budget and a
 * minimum expected impact keep the cluster from churning.
 */
export function promotionRule(ctx: TickContext, shard: ShardTick): PromotionOutcome {
  const { partition } = shard;
  const id = partition.shardId;
  if (partition.state !== 'OPEN' || !shard.hot) return { kind: 'not-applicable' };
  const trigger = overloadTrigger(ctx, shard);
  if (!trigger) {
    return { kind: 'hold', reason: `shard ${id} is hot but not at risk: forecast ${fmt(shard.utilizationAtHorizon)} stays below the overload threshold ${fmt(ctx.config.overloadThreshold)}` };
  }
  if (ctx.touchedShards.has(id)) return { kind: 'hold', reason: `shard ${id} already has an ownership change this tick` };
  const lastMove = shard.state.lastMoveAtMs ?? partition.lastMoveAtMs;
  if (lastMove !== undefined && ctx.view.nowMs - lastMove < ctx.config.cooldownMs) {
    return { kind: 'hold', reason: `shard ${id} moved ${Math.round((ctx.view.nowMs - lastMove) / 1000)} s ago; cooldown is ${Math.round(ctx.config.cooldownMs / 1000)} s` };
  }
  const shadow = forwardShadowOf(ctx, id, partition.ownerWorkerId);
  if (!shadow && ctx.config.shadowing === 'owner-only') {
    return { kind: 'hold', reason: `shard ${id} must move because ${trigger}, but it is ${OWNER_ONLY}: no target is measured, so it does not move` };
  }
  if (!shadow) return { kind: 'hold', reason: `shard ${id} must move because ${trigger}, but has no shadow to measure a target yet` };
  const measured = predictFromShadow(ctx.view, ctx.config, ctx.previous, shard, shadow);
  if (measured.kind === 'wait') return { kind: 'hold', reason: `shard ${id} must move because ${trigger}, but ${measured.reason}` };
  const p = measured.value;
  if (p.cost.relativeHalfWidth > ctx.config.maxPredictionRelativeError) {
    return {
      kind: 'hold',
      reason: `the prediction for shard ${id} on ${shadow.workerId} is not precise yet (±${fmt(p.cost.relativeHalfWidth * 100, 0)} % at 95 %, ${p.prediction.samples} samples; at most ±${fmt(ctx.config.maxPredictionRelativeError * 100, 0)} %)`,
      prediction: p,
    };
  }
  const target = ctx.workers.get(shadow.workerId);
  if (!target) return { kind: 'hold', reason: `the shadow of ${id} runs on ${shadow.workerId}, which is no longer a worker` };
  const safe = ctx.config.safeThreshold;
  // A shard whose ingest nears the write limit will be split right after (the split halves it), so the
  // target only has to absorb it as it is now; otherwise it must absorb the horizon's forecast.
  const splitFollows = shard.ingestFractionAtHorizon >= ctx.config.splitIngestFraction;
  const needed = splitFollows ? p.prediction.utilization : p.utilizationAtHorizon;
  if (!canAbsorb(target, needed, safe, busiestLaneShare(ctx, shadow))) {
    return {
      kind: 'hold',
      reason: `${shadow.workerId} cannot absorb shard ${id}: predicted ${fmt(needed)} of a slot, worker at ${fmt(perSlotLoad(target))} per slot would reach ${fmt(perSlotLoad(target, needed))} (safe at most ${fmt(safe)})`,
      prediction: p,
    };
  }
  if (ctx.movesLeft <= 0) return { kind: 'hold', reason: `shard ${id} should move to ${shadow.workerId}, but this tick's move budget (${ctx.config.maxMovesPerTick}) is spent`, prediction: p };
  const impact = expectedImpact(ctx, shard, p.utilizationAtHorizon);
  if (impact < ctx.config.minImpact) {
    return { kind: 'hold', reason: `moving shard ${id} to ${shadow.workerId} would relieve only ${fmt(impact, 3)} utilization (minimum ${fmt(ctx.config.minImpact)})`, prediction: p };
  }
  return {
    kind: 'act',
    prediction: p,
    action: {
      type: 'move',
      shardId: id,
      fromWorkerId: partition.ownerWorkerId,
      toWorkerId: shadow.workerId,
      expectedEpoch: partition.epoch,
      prediction: p.prediction,
      promotesShadowId: shadow.shadowId,
      reason: `promote shadow ${shadow.shadowId}: shard ${id} must move because ${trigger}; the shadow measured ${fmt(p.prediction.meanCostMs, 3)} ms/record over ${p.prediction.samples} samples (r=${fmt(p.prediction.rate * 100, 1)} %), so it predicts ${fmt(p.prediction.utilization)} [${fmt(p.prediction.low)}–${fmt(p.prediction.high)}] now and ${fmt(p.utilizationAtHorizon)} at the horizon on ${shadow.workerId}, whose load would be ${fmt(perSlotLoad(target, p.utilizationAtHorizon))} per slot (safe ≤ ${fmt(safe)})`,
    },
  };
}
