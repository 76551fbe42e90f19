import type { SpmConfig } from '../../config/spm.config.js';
import type { CostEstimate } from '../../estimators/cost-estimator.js';
import { estimateCost } from '../../estimators/cost-estimator.js';
import type { TrendDamping } from '../../estimators/holt.js';
import { dampedSpanMs } from '../../estimators/holt.js';
import type { ShardSeries } from '../../forecast/shard-forecast.js';
import { MIN_TREND_POINTS, recordsPerSecAt } from '../../forecast/shard-forecast.js';
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
export function recentSample(
  stats: ShadowStats,
  history: readonly ShadowSnapshot[],
  config: SpmConfig,
  nowMs: number,
): { records: number; busyMs: number; busyMsSquared: number; fromMs: number; toMs: number } {
  const whole = { records: stats.records, busyMs: stats.busyMs, busyMsSquared: stats.busyMsSquared, fromMs: stats.fromMs, toMs: stats.toMs };
  const base = [...history]
    .filter((s) => s.fromMs === stats.fromMs && s.atMs <= nowMs - config.replication.measurementWindowMs && s.records <= stats.records)
    .sort((a, b) => b.atMs - a.atMs)[0];
  if (!base) return whole;
  const recent = {
    records: stats.records - base.records,
    busyMs: stats.busyMs - base.busyMs,
    busyMsSquared: stats.busyMsSquared - base.busyMsSquared,
    fromMs: base.atMs,
    toMs: stats.toMs,
  };
  return recent.records >= config.minShadowSamples ? recent : whole;
}

/**
 * The shard's record rate at `atMs`. Metrics arrive minutes late, so the freshest figure is the shadow's
 * own sample: r·rate records per second of its window, without delay. The sample follows what the owner
 * processes, though, so when the owner is saturated (it processes less than arrives) the newest metric
 * point's accepted rate is the floor. The trend of the metric series carries the figure forward.
 */
export function recordRateAt(series: ShardSeries, sample: { records: number; fromMs: number; toMs: number }, rate: number, atMs: number, config: SpmConfig): number {
  const spanMs = sample.toMs - sample.fromMs;
  const sampled = spanMs > 0 && rate > 0 ? sample.records / rate / (spanMs / 1000) : 0;
  const damping: TrendDamping = { perPeriod: config.trendDampingPerPeriod, periodMs: series.periodMs || 60_000 };
  const trendPerMs = (series.records?.count ?? 0) >= MIN_TREND_POINTS ? (series.records?.trendPerMs ?? 0) : 0;
  if (sampled <= 0) return recordsPerSecAt(series, atMs, config.trendDampingPerPeriod);
  const centreMs = sample.toMs - spanMs / 2;
  const fromShadow = sampled + trendPerMs * dampedSpanMs(Math.max(0, atMs - centreMs), damping);
  const saturated = (series.lastBusyFraction ?? 0) >= 0.95;
  return Math.max(0, saturated ? Math.max(fromShadow, series.lastRecordsPerSec ?? 0) : fromShadow);
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
  // "Now" is when the prediction will be judged: the middle of the first settled periods after a move.
  const judgedAtMs = view.nowMs + (config.settlePeriods * (shard.state.series.periodMs || 60_000)) / 2;
  const series = shard.state.series;
  const rateNow = processedRate(view, recordRateAt(series, sample, stats.rate, judgedAtMs, config));
  const rateAtHorizon = processedRate(view, recordRateAt(series, sample, stats.rate, view.nowMs + config.horizonMs, config));
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
  // The owner's own forecast sees the per-record cost drift too (a cost that triples at a flat record
  // rate); its growth to the horizon bounds the target's forecast from below.
  const owner = shard.forecast;
  const growth = owner.points >= MIN_TREND_POINTS && owner.utilization > 0 ? owner.utilizationAtHorizon / owner.utilization : 1;
  const utilizationAtHorizon = Math.max(toUtil(cost.meanMs, rateAtHorizon), prediction.utilization * growth);
  return { kind: 'ok', value: { prediction, utilizationAtHorizon, cost } };
}
