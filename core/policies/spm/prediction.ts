import type { SpmConfig } from '../../config/spm.config.js';
import type { CostEstimate } from '../../estimators/cost-estimator.js';
import { estimateCost } from '../../estimators/cost-estimator.js';
import { recordsPerSecAt } from '../../forecast/shard-forecast.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { ShadowStats } from '../../model/metrics.js';
import type { Prediction } from '../../model/prediction.js';
import type { ShadowPartition } from '../../model/shadow.js';
import type { ShardTick } from './spm.context.js';
import type { ShadowSnapshot, SpmState } from './spm.state.js';

/**
 * Step 3, prediction: the shadow's measured per-record cost on the target times the shard's forecast
 * record rate. This is the design's "busy time scaled by 1/r" (r a fraction), written as mean cost ×
 * rate so that a trend in the record rate carries into the forecast; the interval comes from the sample
 * variance of the per-record cost.
 */
export interface ShadowPrediction {
  readonly prediction: Prediction;
  /** Predicted utilization on the target at the horizon (capacity checks use this). */
  readonly utilizationAtHorizon: number;
  readonly cost: CostEstimate;
}

export function statsOf(view: ClusterView, shadow: ShadowPartition): ShadowStats | undefined {
  return view.shadowStats.find((s) => s.shadowId === shadow.shadowId && s.workerId === shadow.workerId);
}

/**
 * The sample to use: the records measured within the last measurement window when there are enough of
 * them (so that a shift in per-record cost shows up), otherwise everything since the stats began.
 */
export function recentSample(stats: ShadowStats, history: readonly ShadowSnapshot[], config: SpmConfig, nowMs: number): { records: number; busyMs: number; busyMsSquared: number } {
  const whole = { records: stats.records, busyMs: stats.busyMs, busyMsSquared: stats.busyMsSquared };
  const base = [...history]
    .filter((s) => s.fromMs === stats.fromMs && s.atMs <= nowMs - config.replication.measurementWindowMs && s.records <= stats.records)
    .sort((a, b) => b.atMs - a.atMs)[0];
  if (!base) return whole;
  const recent = { records: stats.records - base.records, busyMs: stats.busyMs - base.busyMs, busyMsSquared: stats.busyMsSquared - base.busyMsSquared };
  return recent.records >= config.minShadowSamples ? recent : whole;
}

/** Records per second the target would process: the forecast demand, capped at the shard's write limit. */
export function processedRate(view: ClusterView, recordsPerSec: number): number {
  const limit = view.shardLimits.recordsPerSec;
  return limit > 0 ? Math.min(recordsPerSec, limit) : recordsPerSec;
}

export function predictFromShadow(
  view: ClusterView,
  config: SpmConfig,
  state: SpmState,
  shard: ShardTick,
  shadow: ShadowPartition,
): { kind: 'ok'; value: ShadowPrediction } | { kind: 'wait'; reason: string } {
  const stats = statsOf(view, shadow);
  if (!stats) return { kind: 'wait', reason: `shadow ${shadow.shadowId} has reported no measurements yet` };
  const sample = recentSample(stats, state.snapshots[shadow.shadowId] ?? [], config, view.nowMs);
  if (sample.records < config.minShadowSamples) {
    return { kind: 'wait', reason: `shadow ${shadow.shadowId} has measured ${sample.records} of the ${config.minShadowSamples} records a prediction needs` };
  }
  const cost = estimateCost(sample.records, sample.busyMs, sample.busyMsSquared);
  if (!cost) return { kind: 'wait', reason: `shadow ${shadow.shadowId} has no usable measurements` };
  // Without the owner's metrics yet (a new child shard), the shadow's own sample gives the rate: r·rate
  // records arrived over its span.
  const spanSec = (stats.toMs - stats.fromMs) / 1000;
  const sampledRate = spanSec > 0 && stats.rate > 0 ? stats.records / stats.rate / spanSec : 0;
  // "Now" is when the prediction will be judged: the middle of the first settled periods after a move.
  const judgedAtMs = view.nowMs + (config.settlePeriods * (shard.state.series.periodMs || 60_000)) / 2;
  const hasRates = shard.state.series.records !== undefined;
  const rateNow = processedRate(view, hasRates ? recordsPerSecAt(shard.state.series, judgedAtMs, config.trendDampingPerPeriod) : sampledRate);
  const rateAtHorizon = processedRate(view, hasRates ? shard.forecast.recordsPerSecAtHorizon : sampledRate);
  const toUtil = (costMs: number, recordsPerSec: number): number => (costMs * recordsPerSec) / 1000;
  const prediction: Prediction = {
    shardId: shard.partition.shardId,
    workerId: shadow.workerId,
    utilization: toUtil(cost.meanMs, rateNow),
    low: toUtil(cost.lowMs, rateNow),
    high: toUtil(cost.highMs, rateNow),
    samples: sample.records,
    rate: stats.rate,
    meanCostMs: cost.meanMs,
    madeAtMs: view.nowMs,
  };
  return { kind: 'ok', value: { prediction, utilizationAtHorizon: toUtil(cost.meanMs, rateAtHorizon), cost } };
}
