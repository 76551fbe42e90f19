import { clamp } from '../../estimators/cost-estimator.js';
import { shardLoadPoint } from '../../forecast/shard-load.js';
import type { SetShadowRateAction } from '../../model/actions.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { ScoredPrediction } from '../../model/prediction.js';
import { predictedCostMs } from '../../model/prediction.js';
import type { TickContext } from './spm.context.js';
import { fmt } from './spm.context.js';
import type { PendingPrediction, SpmShardState } from './spm.state.js';

/** What scoring one pending prediction led to. */
export type ScoreOutcome =
  | { readonly kind: 'wait' }
  | { readonly kind: 'discard'; readonly reason: string }
  | {
      readonly kind: 'scored';
      readonly score: ScoredPrediction;
      readonly costError: number;
      readonly shardState: Pick<SpmShardState, 'rateMultiplier' | 'hits'>;
      readonly events: readonly DecisionEvent[];
      readonly actions: readonly SetShadowRateAction[];
    };

/**
 * Step 5, prediction accountability: once the new owner has reported `settlePeriods` metric periods of
 * its own, the prediction the move relied on is compared with the utilization observed there. The
 * absolute percentage error is recorded; the replication rate adapts to the error of the per-record cost,
 * the part of the prediction sampling controls (a record-rate surprise is a forecasting miss, which a
 * higher r would not fix): raised after a miss of the accuracy target, lowered after `lowerAfterHits`
 * accurate predictions in a row. Live shadows of the shard follow with `set-shadow-rate`.
 */
export function scorePrediction(ctx: TickContext, pending: PendingPrediction, shardState: SpmShardState | undefined): ScoreOutcome {
  const partition = ctx.view.partitions.find((p) => p.shardId === pending.shardId);
  if (!partition) return { kind: 'discard', reason: `prediction for ${pending.shardId} cannot be scored: the shard is gone` };
  if (partition.ownerWorkerId !== pending.toWorkerId) {
    return { kind: 'discard', reason: `prediction for ${pending.shardId} cannot be scored: it is owned by ${partition.ownerWorkerId}, not ${pending.toWorkerId}` };
  }
  // Periods with records arriving and processed; a shard split after the move still has the periods
  // before it closed (after that nothing arrives and the load says nothing about the prediction).
  const settled = (ctx.view.shardMetrics[pending.shardId] ?? [])
    .filter((p) => p.atMs >= pending.movedAtMs && p.processedRecords > 0 && p.incomingRecords > 0)
    .sort((a, b) => a.atMs - b.atMs)
    .slice(0, ctx.config.settlePeriods);
  if (settled.length < ctx.config.settlePeriods) {
    if (partition.state !== 'OPEN' && ctx.view.nowMs - pending.movedAtMs > ctx.config.horizonMs) {
      return { kind: 'discard', reason: `prediction for ${pending.shardId} cannot be scored: the shard closed before ${ctx.config.settlePeriods} settled periods` };
    }
    return { kind: 'wait' };
  }
  const loads = settled.map(shardLoadPoint);
  const observedUtilization = loads.reduce((s, l) => s + l.utilization, 0) / loads.length;
  const busy = settled.reduce((s, p) => s + p.busyMs, 0);
  const processed = settled.reduce((s, p) => s + p.processedRecords, 0);
  const observedCostMs = busy / processed;
  const predicted = pending.prediction.utilization;
  const absolutePercentageError = observedUtilization > 0 ? Math.abs(predicted - observedUtilization) / observedUtilization : predicted > 0 ? 1 : 0;
  // The cost the utilization was predicted from (projected to the settled periods), not the sample mean:
  // scoring the mean against a drifted cost would blame the sampling for a drift the trend already carried.
  const costError = observedCostMs > 0 ? Math.abs(predictedCostMs(pending.prediction) - observedCostMs) / observedCostMs : 0;
  const score: ScoredPrediction = { prediction: pending.prediction, observedUtilization, absolutePercentageError, scoredAtMs: ctx.view.nowMs };
  const events: DecisionEvent[] = [{ type: 'prediction-scored', shardId: pending.shardId, score }];
  const actions: SetShadowRateAction[] = [];

  const { replication } = ctx.config;
  const before = shardState?.rateMultiplier ?? 1;
  const maxMultiplier = replication.maxRate / replication.minRate;
  let multiplier = before;
  let hits = shardState?.hits ?? 0;
  let why: string | undefined;
  if (costError > replication.accuracyTarget) {
    multiplier = clamp(before * replication.raiseFactor, 1 / maxMultiplier, maxMultiplier);
    hits = 0;
    why = `per-record cost missed by ${fmt(costError * 100, 1)} % (target ${fmt(replication.accuracyTarget * 100, 0)} %)`;
  } else {
    hits += 1;
    if (hits >= replication.lowerAfterHits) {
      multiplier = clamp(before * replication.lowerFactor, 1 / maxMultiplier, maxMultiplier);
      hits = 0;
      why = `${replication.lowerAfterHits} predictions in a row inside the ${fmt(replication.accuracyTarget * 100, 0)} % target`;
    }
  }
  if (why && multiplier !== before) {
    events.push({ type: 'rate-adapted', shardId: pending.shardId, from: before, to: multiplier, reason: `replication-rate multiplier of ${pending.shardId} ${fmt(before)} → ${fmt(multiplier)}: ${why}` });
    for (const shadow of ctx.liveShadows.values()) {
      if (shadow.shardId !== pending.shardId || shadow.kind !== 'forward') continue;
      const rate = clamp((shadow.rate * multiplier) / before, replication.minRate, replication.maxRate);
      if (rate === shadow.rate) continue;
      actions.push({ type: 'set-shadow-rate', shadowId: shadow.shadowId, shardId: shadow.shardId, rate, reason: `shadow ${shadow.shadowId} r ${fmt(shadow.rate * 100, 1)} % → ${fmt(rate * 100, 1)} %: ${why}` });
    }
  }
  return { kind: 'scored', score, costError, shardState: { rateMultiplier: multiplier, hits }, events, actions };
}
