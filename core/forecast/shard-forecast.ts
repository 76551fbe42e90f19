import type { HoltParams, HoltState, TrendDamping } from '../estimators/holt.js';
import { holtForecast, holtUpdate } from '../estimators/holt.js';
import type { ShardMetricPoint } from '../model/metrics.js';
import { shardLoadPoint } from './shard-load.js';

/**
 * Smoothed series of one shard (utilization on its owner, ingest demand in records and bytes), updated
 * incrementally tick after tick from the metric points not yet seen. Plain numbers: it lives in the
 * policy state, which must survive JSON.
 */
export interface ShardSeries {
  readonly utilization?: HoltState;
  readonly records?: HoltState;
  readonly bytes?: HoltState;
  /** End (atMs + periodMs) of the newest point folded in; later ticks only fold newer points. */
  readonly coveredUntilMs: number;
  /** Start of the newest point folded in. */
  readonly lastPointAtMs: number;
  readonly periodMs: number;
  /** Latest utilization and busy fraction measured (unsmoothed), for reasons and scoring. */
  readonly lastUtilization: number;
  /**
   * Last measured busy ms per record on the owner: a period in which records arrived but none were
   * processed (a child waiting for its parent to drain, a paused handoff) is costed with it instead of
   * reading as zero load.
   */
  readonly costMsPerRecord?: number;
  /** Accepted records per second and busy fraction of the newest point (0 before any point). */
  readonly lastRecordsPerSec?: number;
  readonly lastBusyFraction?: number;
}

export function emptySeries(sinceMs: number): ShardSeries {
  return { coveredUntilMs: sinceMs, lastPointAtMs: sinceMs, periodMs: 0, lastUtilization: 0 };
}

/**
 * Folds in the points that start at or after `series.coveredUntilMs` (earlier ones were seen, or belong to
 * a previous owner). Points are keyed by the end of their period, the time the value is true for.
 */
export function updateSeries(series: ShardSeries, points: readonly ShardMetricPoint[], params: HoltParams): ShardSeries {
  const fresh = points.filter((p) => p.atMs >= series.coveredUntilMs).sort((a, b) => a.atMs - b.atMs);
  if (fresh.length === 0) return series;
  let { utilization, records, bytes, coveredUntilMs, lastPointAtMs, periodMs, lastUtilization, costMsPerRecord, lastRecordsPerSec, lastBusyFraction } = series;
  for (const raw of fresh) {
    const p = shardLoadPoint(raw);
    const at = raw.atMs + raw.periodMs;
    periodMs = raw.periodMs > 0 ? raw.periodMs : params.referencePeriodMs;
    const holt: HoltParams = { levelSmoothing: params.levelSmoothing, trendSmoothing: params.trendSmoothing, referencePeriodMs: periodMs };
    costMsPerRecord = p.costMsPerRecord ?? costMsPerRecord;
    const u = p.costMsPerRecord === undefined && costMsPerRecord !== undefined ? (costMsPerRecord * p.acceptedRecordsPerSec) / 1000 : p.utilization;
    utilization = holtUpdate(utilization, { atMs: at, value: u }, holt);
    records = holtUpdate(records, { atMs: at, value: p.demandRecordsPerSec }, holt);
    bytes = holtUpdate(bytes, { atMs: at, value: p.demandBytesPerSec }, holt);
    coveredUntilMs = at;
    lastPointAtMs = raw.atMs;
    lastUtilization = u;
    lastRecordsPerSec = p.acceptedRecordsPerSec;
    lastBusyFraction = p.busyFraction;
  }
  const next: ShardSeries = { utilization, records, bytes, coveredUntilMs, lastPointAtMs, periodMs, lastUtilization, lastRecordsPerSec, lastBusyFraction };
  return costMsPerRecord === undefined ? next : { ...next, costMsPerRecord };
}

export interface ShardForecast {
  /** Smoothed utilization now (extrapolated over the metric delay), and at the horizon. */
  readonly utilization: number;
  readonly utilizationAtHorizon: number;
  readonly trendPerSec: number;
  readonly recordsPerSec: number;
  readonly recordsPerSecAtHorizon: number;
  readonly bytesPerSec: number;
  readonly bytesPerSecAtHorizon: number;
  /** Points behind the smoothed state (0 = no data yet). */
  readonly points: number;
}

/**
 * Forecasts at `nowMs` and `nowMs + horizonMs`. Metrics arrive late (minutes on AWS), so even "now" is an
 * extrapolation from the newest point along the trend.
 */
/** Points a series needs before its trend is extrapolated: a slope from two noisy points is mostly noise. */
export const MIN_TREND_POINTS = 3;

function trusted(state: HoltState | undefined): HoltState | undefined {
  return state && state.count < MIN_TREND_POINTS ? { ...state, trendPerMs: 0 } : state;
}

export function forecastSeries(series: ShardSeries, nowMs: number, horizonMs: number, dampingPerPeriod = 1): ShardForecast {
  const u = trusted(series.utilization);
  const records = trusted(series.records);
  const bytes = trusted(series.bytes);
  const damping: TrendDamping = { perPeriod: dampingPerPeriod, periodMs: series.periodMs };
  return {
    utilization: holtForecast(u, nowMs, damping),
    utilizationAtHorizon: holtForecast(u, nowMs + horizonMs, damping),
    trendPerSec: (u?.trendPerMs ?? 0) * 1000,
    recordsPerSec: holtForecast(records, nowMs, damping),
    recordsPerSecAtHorizon: holtForecast(records, nowMs + horizonMs, damping),
    bytesPerSec: holtForecast(bytes, nowMs, damping),
    bytesPerSecAtHorizon: holtForecast(bytes, nowMs + horizonMs, damping),
    points: u?.count ?? 0,
  };
}

/** The forecast record rate at any time, with the same damping. */
export function recordsPerSecAt(series: ShardSeries, atMs: number, dampingPerPeriod = 1): number {
  return holtForecast(trusted(series.records), atMs, { perPeriod: dampingPerPeriod, periodMs: series.periodMs });
}
