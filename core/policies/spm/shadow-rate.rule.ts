import { clamp, samplesNeeded } from '../../estimators/cost-estimator.js';
import { estimateCost } from '../../estimators/cost-estimator.js';
import type { SetShadowRateAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShadowPartition } from '../../model/shadow.js';
import { statsOf } from './prediction.js';
import { affordableRate } from './shadow-budget.js';
import type { TickContext } from './spm.context.js';
import { fmt } from './spm.context.js';

/**
 * Adapts a live forward shadow's rate to what it measures: after a full measurement window, a shadow
 * whose interval is still wider than usable gets the rate the observed CV calls for, n = (1.96·CV/e)²
 * over the window. Only raises, and only by a clear step, so that resets of the stats stay rare.
 */
export function shadowRateRule(ctx: TickContext, shadow: ShadowPartition): RuleOutcome<SetShadowRateAction> {
  if (shadow.kind !== 'forward') return { kind: 'not-applicable' };
  const stats = statsOf(ctx.view, shadow);
  const { replication } = ctx.config;
  if (!stats || stats.toMs - stats.fromMs < replication.measurementWindowMs) return { kind: 'not-applicable' };
  // Nothing sampled means the owner processed nothing (a child waiting for its parent, a paused shard):
  // a higher rate would not help.
  if (stats.records <= 0) return { kind: 'not-applicable' };
  const cost = estimateCost(stats.records, stats.busyMs, stats.busyMsSquared);
  const enough = stats.records >= ctx.config.minShadowSamples && cost !== undefined && cost.relativeHalfWidth <= ctx.config.maxPredictionRelativeError;
  if (enough) return { kind: 'not-applicable' };
  if (shadow.rate >= replication.maxRate) {
    return { kind: 'hold', reason: `shadow ${shadow.shadowId} is still imprecise after ${Math.round((stats.toMs - stats.fromMs) / 1000)} s but already at the highest rate ${fmt(replication.maxRate * 100, 1)} %` };
  }
  const spanSec = (stats.toMs - stats.fromMs) / 1000;
  const shardRecordsPerSec = stats.rate > 0 && spanSec > 0 ? stats.records / stats.rate / spanSec : 0;
  const cv = cost?.cv ?? replication.assumedCostCv;
  const n = Math.max(samplesNeeded(cv, replication.targetRelativeError), ctx.config.minShadowSamples);
  const wanted = shardRecordsPerSec > 0 ? n / (shardRecordsPerSec * (replication.measurementWindowMs / 1000)) : replication.maxRate;
  const desired = clamp(Math.max(wanted, shadow.rate * 1.5), replication.minRate, replication.maxRate);
  const rate = Math.min(desired, affordableRate(ctx, shadow.shardId, shadow.workerId, shadow.shadowId));
  if (rate <= shadow.rate) {
    return { kind: 'hold', reason: `shadow ${shadow.shadowId} is still imprecise, but a higher rate than ${fmt(shadow.rate * 100, 1)} % would exceed the shadow overhead budget (${fmt(replication.maxOverheadFraction * 100, 1)} % of the owners' busy time)` };
  }
  return {
    kind: 'act',
    action: {
      type: 'set-shadow-rate',
      shadowId: shadow.shadowId,
      shardId: shadow.shardId,
      rate,
      reason: `shadow ${shadow.shadowId} measured ${stats.records} records in ${Math.round(spanSec)} s (±${fmt((cost?.relativeHalfWidth ?? 1) * 100, 0)} % at CV ${fmt(cv)}); ${n} samples are needed, so r ${fmt(shadow.rate * 100, 1)} % → ${fmt(rate * 100, 1)} %`,
    },
  };
}
