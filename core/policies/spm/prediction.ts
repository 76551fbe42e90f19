import type { SpmConfig } from '../../config/spm.config.js';
import type { CostEstimate } from '../../estimators/cost-estimator.js';
import type { CostTrend } from '../../estimators/cost-trend.js';
import { estimateCost, Z_95 } from '../../estimators/cost-estimator.js';
import { costTrend, intervalCosts, isSignificant } from '../../estimators/cost-trend.js';
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
 * variance of the per-record cost. When the shadow has measured a significant trend of its per-record
 * cost (see `shadowCostTrend`), the trend carries the mean from the centre of its sample to when the
 * prediction is judged and to the horizon (see `costProjectionSpanMs`): a cost still rising when the
 * shard moves is otherwise under-predicted by the drift over that lag. The interval is shifted alike and
 * widened by the slope's own uncertainty over the same span.
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
 * An interval between two snapshots needs this share of `minShadowSamples` records for its mean cost to
 * count in the trend: at the default 200, 50 records, whose mean has a relative standard error of CV/√50
 * (7 % at CV 0.5); the fit then averages several such intervals, weighted by their records.
 */
export const MIN_INTERVAL_SAMPLES_SHARE = 0.25;

/**
 * The trend of the per-record cost the shadow measured on its own worker: the mean cost of each interval
 * between consecutive snapshots of its stats (the current stats close the last interval), fitted by a
 * weighted least-squares line; none with fewer than `MIN_TREND_POINTS` usable intervals, as for the
 * metric series, and none when the slope is within `TREND_SIGNIFICANCE_SE` standard errors of zero (a
 * young fit's slope is mostly noise; projecting it would move the prediction either way at random).
 * Snapshots of earlier stats (another `fromMs`, a reset at a new rate) are ignored.
 */
export function shadowCostTrend(stats: ShadowStats, history: readonly ShadowSnapshot[], config: SpmConfig, nowMs: number): CostTrend | undefined {
  const reads = [...history.filter((s) => s.fromMs === stats.fromMs && s.atMs < nowMs && s.records <= stats.records), { atMs: nowMs, records: stats.records, busyMs: stats.busyMs }];
  const trend = costTrend(intervalCosts(reads, Math.ceil(config.minShadowSamples * MIN_INTERVAL_SAMPLES_SHARE)), MIN_TREND_POINTS);
  return trend && isSignificant(trend) ? trend : undefined;
}

/**
 * Intervals a forward shadow's cost trend must rest on before it replaces the owner's growth as the bound
 * of the horizon forecast. With three or four intervals the residuals leave one or two degrees of freedom,
 * so even a "significant" slope is often noise (at 1 degree of freedom |t| ≥ 2 happens 30 % of the time on
 * a flat cost); the owner's growth stays the floor until five.
 */
export const MIN_OWN_TREND_INTERVALS = 5;

/**
 * The time span the cost slope is multiplied by to carry the sample's mean (measured at `centreMs`) to
 * `atMs`. The drift from the centre of the sample to now has already happened, so it counts in full; only
 * the part ahead of now is damped, like the record-rate trend. The part ahead is also capped at the time
 * span the line was fitted over (`trend.spanMs`, the centres of its first and last intervals): a line is
 * only known over the range of its data, and beyond it the error of the projection grows with the square
 * of the distance, so a slope fitted over 5 minutes is not run over a 24 h horizon at damping 1. The cap
 * is the fit's own span rather than k × the measurement window because the snapshots kept (two windows and
 * a tick) and the intervals that pass the minimum records vary per shadow; the span is what was measured.
 */
export function costProjectionSpanMs(trend: CostTrend, centreMs: number, nowMs: number, atMs: number, damping: TrendDamping): number {
  const aheadMs = Math.min(Math.max(0, atMs - nowMs), trend.spanMs);
  return Math.max(0, Math.min(atMs, nowMs) - centreMs) + dampedSpanMs(aheadMs, damping);
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

/**
 * User records per Kinesis record the shadow has seen: how many a KPL aggregate packs on this shard, 1 for
 * plain records or stats from before the count existed.
 */
export function userRecordsPerKinesisRecord(stats: Pick<ShadowStats, 'records' | 'kinesisRecords'>): number {
  const kinesis = stats.kinesisRecords;
  return kinesis !== undefined && kinesis > 0 && stats.records >= kinesis ? stats.records / kinesis : 1;
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
  const perUserRecord = estimateCost(sample.records, sample.busyMs, sample.busyMsSquared);
  if (!perUserRecord) return { kind: 'wait', reason: `shadow ${shadow.shadowId} has no usable measurements` };
  // The shadow measures user records; the shard's load, its write limit and the owner's cost count Kinesis
  // records. k user records per Kinesis record (1 without KPL aggregates) puts the shadow's figures in those.
  const k = userRecordsPerKinesisRecord(stats);
  const cost = k === 1 ? perUserRecord : { ...perUserRecord, meanMs: perUserRecord.meanMs * k, stdDevMs: perUserRecord.stdDevMs * k, varianceMs2: perUserRecord.varianceMs2 * k * k, lowMs: perUserRecord.lowMs * k, highMs: perUserRecord.highMs * k };
  // "Now" is when the prediction will be judged: the middle of the first settled periods after a move.
  const judgedAtMs = view.nowMs + (config.settlePeriods * (shard.state.series.periodMs || 60_000)) / 2;
  const series = shard.state.series;
  const inKinesisRecords = { ...sample, records: sample.records / k };
  const rateNow = processedRate(view, recordRateAt(series, inKinesisRecords, stats.rate, judgedAtMs, config));
  const horizonAtMs = view.nowMs + config.horizonMs;
  const rateAtHorizon = processedRate(view, recordRateAt(series, inKinesisRecords, stats.rate, horizonAtMs, config));
  const userTrend = shadowCostTrend(stats, state.snapshots[shadow.shadowId] ?? [], config, view.nowMs);
  const trend = userTrend && k !== 1 ? { ...userTrend, slopePerMs: userTrend.slopePerMs * k, standardErrorPerMs: userTrend.standardErrorPerMs * k } : userTrend;
  const damping: TrendDamping = { perPeriod: config.trendDampingPerPeriod, periodMs: series.periodMs || 60_000 };
  // The sample's mean cost is what the worker measured at the centre of the sample, not now.
  const centreMs = (sample.fromMs + sample.toMs) / 2;
  const spanAt = (atMs: number): number => (trend ? costProjectionSpanMs(trend, centreMs, view.nowMs, atMs, damping) : 0);
  const shifted = (costMs: number, shiftMs: number): number => Math.max(0, costMs + shiftMs);
  const toUtil = (costMs: number, recordsPerSec: number): number => (costMs * recordsPerSec) / 1000;
  const judgedSpanMs = spanAt(judgedAtMs);
  const judgedShift = (trend?.slopePerMs ?? 0) * judgedSpanMs;
  // The slope's own 95 % uncertainty over the span, added to the sample's: both come from the same
  // records, so they are summed (the wider, safe side) rather than added in quadrature.
  const judgedSpread = trend ? Z_95 * trend.standardErrorPerMs * judgedSpanMs : 0;
  const projectedCostMs = shifted(cost.meanMs, judgedShift);
  const prediction: Prediction = {
    shardId: shard.partition.shardId,
    workerId: shadow.workerId,
    utilization: toUtil(projectedCostMs, rateNow),
    low: toUtil(shifted(cost.lowMs, judgedShift - judgedSpread), rateNow),
    high: toUtil(shifted(cost.highMs, judgedShift + judgedSpread), rateNow),
    samples: sample.records,
    rate: stats.rate,
    meanCostMs: cost.meanMs,
    projectedCostMs,
    madeAtMs: view.nowMs,
  };
  const ownAtHorizon = toUtil(shifted(cost.meanMs, (trend?.slopePerMs ?? 0) * spanAt(horizonAtMs)), rateAtHorizon);
  const utilizationAtHorizon = Math.max(ownAtHorizon, prediction.utilization * ownerGrowthBound(shard, shadow, trend));
  return { kind: 'ok', value: { prediction, utilizationAtHorizon, cost } };
}

/**
 * The owner's forecast growth to the horizon, as a lower bound of the target's, or 1 (no bound).
 *
 * The owner's utilization is its per-record cost × the record rate, so its growth mixes three causes: more
 * records (the target's rate forecast already carries it), records that cost more to process (the shadow
 * sees that too) and the owner itself slowing down (the target does not). Only the first two apply to the
 * target, and the owner's series cannot tell them from the third. So:
 * - once the shadow has a significant cost trend of its own resting on `MIN_OWN_TREND_INTERVALS`
 *   intervals, the target's figure is its own record-rate trend × its own cost trend, and the owner adds
 *   nothing (it could only add an owner slowdown);
 * - a reverse shadow never takes the owner's growth: its owner is the worker a move just put the shard on,
 *   and a slowdown there is exactly what a rollback must judge; inflating the old owner's prediction by it
 *   delays the rollback (fixture wrong-move);
 * - any other forward shadow (no significant trend, or one on fewer intervals) keeps the owner's growth,
 *   the conservative bound for a capacity check while the shadow cannot see a cost drift reliably: a
 *   noisy falling slope cannot then pass a capacity check the owner's forecast would fail.
 */
export function ownerGrowthBound(shard: ShardTick, shadow: ShadowPartition, trend: CostTrend | undefined): number {
  if (shadow.kind === 'reverse' || (trend && trend.intervals >= MIN_OWN_TREND_INTERVALS)) return 1;
  const owner = shard.forecast;
  return owner.points >= MIN_TREND_POINTS && owner.utilization > 0 ? owner.utilizationAtHorizon / owner.utilization : 1;
}
