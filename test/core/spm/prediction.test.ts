import { describe, expect, it } from 'vitest';
import type { ShardForecast } from '../../../core/forecast/shard-forecast.js';
import { emptySeries } from '../../../core/forecast/shard-forecast.js';
import type { ShadowStats } from '../../../core/model/metrics.js';
import type { ShadowPartition } from '../../../core/model/shadow.js';
import type { ShardTick } from '../../../core/policies/spm/spm.context.js';
import { predictFromShadow } from '../../../core/policies/spm/prediction.js';
import type { ShadowSnapshot } from '../../../core/policies/spm/spm.state.js';
import { initialSpmState } from '../../../core/policies/spm/spm.state.js';
import { config, NOW_MS, partition, shadow, uniformHistogram, view } from './factories.js';

/**
 * Worked setup: the shard writes 500 records/s, the shadow samples 5 % of them (25/s, 1500 per minute) and
 * its stats began 6 minutes ago. Snapshots were taken 5, 4, 3, 2 and 1 minutes ago; the current stats close
 * the last minute. `costs[i]` is the mean cost of minute i (oldest first), each with CV 0.2. The recent
 * sample is the last two minutes (measurement window 120 s), centred 60 s ago; the prediction is judged
 * 60 s from now (settlePeriods 2 × 60 s / 2) and the horizon is 600 s from now.
 */
const MIN = 60_000;
const PER_MIN = 1500;
const CV = 0.2;
const undamped = config({ spm: { trendDampingPerPeriod: 1 } }).spm;

function measured(s: ShadowPartition, costs: readonly number[], snapshotMinutes: number): { stats: ShadowStats; snapshots: ShadowSnapshot[] } {
  const fromMs = NOW_MS - costs.length * MIN;
  const cumulative = costs.map((_, k) => {
    const upTo = costs.slice(0, k + 1);
    return { atMs: fromMs + (k + 1) * MIN, fromMs, records: PER_MIN * (k + 1), busyMs: upTo.reduce((a, c) => a + PER_MIN * c, 0), busyMsSquared: upTo.reduce((a, c) => a + PER_MIN * c * c * (1 + CV * CV), 0) };
  });
  const now = cumulative[cumulative.length - 1]!;
  const stats: ShadowStats = { shadowId: s.shadowId, shardId: s.shardId, workerId: s.workerId, rate: s.rate, fromMs, toMs: NOW_MS, records: now.records, busyMs: now.busyMs, busyMsSquared: now.busyMsSquared, histogram: uniformHistogram() };
  return { stats, snapshots: cumulative.slice(0, -1).slice(-snapshotMinutes) };
}

/** The owner's forecast: `utilization` now, `growth` times that at the horizon (3 points: a trusted trend). */
function tick(growth = 1, utilization = 1): ShardTick {
  const forecast: ShardForecast = { utilization, utilizationAtHorizon: utilization * growth, trendPerSec: 0, recordsPerSec: 500, recordsPerSecAtHorizon: 500, bytesPerSec: 0, bytesPerSecAtHorizon: 0, points: 3 };
  return {
    partition: partition('s0', 'w1'),
    state: { ownerWorkerId: 'w1', series: emptySeries(0), hotTicks: 3, coolTicks: 0, hot: true, rateMultiplier: 1, hits: 0 },
    forecast,
    utilization,
    utilizationAtHorizon: utilization * growth,
    ingestFractionAtHorizon: 0.5,
    hot: true,
  };
}

function predict(costs: readonly number[], opts: { snapshotMinutes?: number; kind?: ShadowPartition['kind']; growth?: number; spm?: typeof undamped } = {}) {
  const s = shadow('s0', 'w2', { kind: opts.kind ?? 'forward' });
  const { stats, snapshots } = measured(s, costs, opts.snapshotMinutes ?? 5);
  const state = { ...initialSpmState(), snapshots: { [s.shadowId]: snapshots } };
  const result = predictFromShadow(view({ shadowStats: [stats] }), opts.spm ?? undamped, state, tick(opts.growth), s);
  if (result.kind !== 'ok') throw new Error(result.reason);
  return result.value;
}

const RISING = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];

describe('the shadow prediction carries the per-record cost trend the shadow measured', () => {
  it('projects a rising cost from the centre of its sample to when the prediction is judged and to the horizon', () => {
    const p = predict(RISING);
    // Recent mean 1.45 ms at −60 s; +0.1 ms per minute over 120 s → 1.65 ms × 500/s = 0.825 (0.725 without the trend).
    expect(p.prediction.meanCostMs).toBeCloseTo(1.45, 10);
    expect(p.prediction.projectedCostMs).toBeCloseTo(1.65, 10);
    expect(p.prediction.utilization).toBeCloseTo(0.825, 10);
    // To the horizon: 60 s already past + at most the fitted span ahead (5 intervals, centres 240 s apart),
    // not the 600 s of the horizon: 1.45 + 0.1 × 5 = 1.95 ms → 0.975.
    expect(p.utilizationAtHorizon).toBeCloseTo(0.975, 10);
  });

  it.each([
    ['10 minutes', 600_000],
    ['24 hours', 86_400_000],
  ])('caps the projection ahead of now at the span the trend was fitted over, at damping 1 and a horizon of %s', (_h, horizonMs) => {
    const p = predict(RISING, { spm: config({ spm: { trendDampingPerPeriod: 1, horizonMs } }).spm });
    expect(p.utilizationAtHorizon).toBeCloseTo(0.975, 10);
  });

  it('shifts the interval by the same projection (a trend without scatter adds no uncertainty of its own)', () => {
    const flat = predict([1.45, 1.45, 1.45, 1.45, 1.45, 1.45]);
    const rising = predict(RISING);
    // Same recent sample size and spread, so the same half-width; the trend adds 0.2 ms × 500/s = 0.1 to each end.
    expect(rising.prediction.low - flat.prediction.low).toBeCloseTo(0.1, 2);
    expect(rising.prediction.high - flat.prediction.high).toBeCloseTo(0.1, 2);
    expect(rising.prediction.low).toBeLessThan(rising.prediction.utilization);
    expect(rising.prediction.high).toBeGreaterThan(rising.prediction.utilization);
  });

  // Changed with the fix "damping also shrinks drift that already happened": this test pinned 0.9 + 0.81
  // minutes of trend over the whole 120 s from the sample's centre; the 60 s up to now now count in full.
  it('damps only the projection ahead of now (φ = 0.9 per minute: 60 s already past + 0.9 minutes ahead)', () => {
    const p = predict(RISING, { spm: config().spm });
    expect(p.prediction.utilization).toBeCloseTo(((1.45 + 0.1 * 1.9) * 500) / 1000, 10);
  });

  it('widens the interval by the slope’s own 95 % uncertainty over the projection span', () => {
    // Intervals (minutes 2-6): 1.1, 1.25, 1.3, 1.4, 1.5 ms: slope 0.095 ms/min, residuals −0.02, 0.035,
    // −0.01, −0.005, 0, so SE = √(0.00175 / 3 / 10) ms/min (equal weights); 2 minutes to the judging time.
    const p = predict([1.0, 1.1, 1.25, 1.3, 1.4, 1.5]);
    const se = Math.sqrt(0.00175 / 3 / 10);
    expect(p.prediction.utilization).toBeCloseTo(((1.45 + 0.095 * 2) * 500) / 1000, 10);
    const sampleWidth = ((p.cost.highMs - p.cost.lowMs) * 500) / 1000;
    expect(p.prediction.high - p.prediction.low).toBeCloseTo(sampleWidth + (2 * 1.96 * se * 2 * 500) / 1000, 10);
  });

  it('ignores a slope within two standard errors of zero (a noisy flat cost is not a drift)', () => {
    // Intervals 1.0, 1.4, 1.1, 1.3, 1.2 ms: slope 0.03 ms/min, SE √(0.091 / 3 / 10) = 0.055 ms/min.
    const p = predict([1.2, 1.0, 1.4, 1.1, 1.3, 1.2]);
    expect(p.prediction.projectedCostMs).toBeCloseTo(1.25, 10);
    expect(p.prediction.utilization).toBeCloseTo(0.625, 10);
  });

  it('never projects a falling cost below zero', () => {
    const p = predict([3, 2.4, 1.8, 1.2, 0.6, 0.05]);
    expect(p.prediction.utilization).toBe(0);
    expect(p.prediction.low).toBe(0);
    expect(p.utilizationAtHorizon).toBe(0);
  });

  it('leaves a flat cost unchanged', () => {
    const p = predict([1.2, 1.2, 1.2, 1.2, 1.2, 1.2]);
    expect(p.prediction.utilization).toBeCloseTo(0.6, 10);
    expect(p.utilizationAtHorizon).toBeCloseTo(0.6, 10);
  });

  it('has no cost trend with fewer intervals than MIN_TREND_POINTS (two snapshots: two intervals)', () => {
    const p = predict(RISING, { snapshotMinutes: 2 });
    expect(p.prediction.utilization).toBeCloseTo(0.725, 10);
  });
});

describe('the horizon bound from the owner forecast', () => {
  const young = { snapshotMinutes: 2, growth: 2 };
  it.each([
    ['a young forward shadow keeps it (no cost trend of its own yet)', { ...young, kind: 'forward' as const }, 1.2],
    ['a reverse shadow never takes it: its owner slowing down says nothing about the old owner', { ...young, kind: 'reverse' as const }, 0.6],
    ['a forward shadow with a trend on fewer than 5 intervals keeps it (three intervals)', { snapshotMinutes: 3, growth: 2, kind: 'forward' as const }, 1.2],
    ['a forward shadow with its own cost trend on 5 intervals replaces it by that trend', { snapshotMinutes: 5, growth: 2, kind: 'forward' as const }, 0.6],
  ])('%s (flat 1.2 ms at 500/s, owner forecast to double)', (_why, opts, expected) => {
    expect(predict([1.2, 1.2, 1.2, 1.2, 1.2, 1.2], opts).utilizationAtHorizon).toBeCloseTo(expected, 10);
  });
});

describe('KPL aggregates: the shadow counts user records, the shard Kinesis records', () => {
  /** Flat 1 ms per user record at 500 user records/s; the stats say 12 user records per Kinesis record. */
  function aggregated(kinesisRecordsPer: number, limitRecordsPerSec: number) {
    const s = shadow('s0', 'w2');
    const { stats, snapshots } = measured(s, [1, 1, 1, 1, 1, 1], 5);
    const state = { ...initialSpmState(), snapshots: { [s.shadowId]: snapshots } };
    const v = view({ shadowStats: [{ ...stats, kinesisRecords: stats.records / kinesisRecordsPer }] });
    const result = predictFromShadow({ ...v, shardLimits: { ...v.shardLimits, recordsPerSec: limitRecordsPerSec } }, undamped, state, tick(), s);
    if (result.kind !== 'ok') throw new Error(result.reason);
    return result.value;
  }

  it('states the cost per Kinesis record (what the owner’s load counts) and keeps the utilization', () => {
    const p = aggregated(12, 1000);
    expect(p.prediction.meanCostMs).toBeCloseTo(12, 9);
    expect(p.prediction.utilization).toBeCloseTo(0.5, 9); // 1 ms × 500 user records/s, as without aggregates
    expect(aggregated(1, 1000).prediction.utilization).toBeCloseTo(0.5, 9);
  });

  it('caps the rate at the write limit in Kinesis records, not in user records', () => {
    // 500 user records/s are ~42 Kinesis records/s: under a 100-record limit. Capped in user records it read 0.1.
    expect(aggregated(12, 100).prediction.utilization).toBeCloseTo(0.5, 9);
    expect(aggregated(1, 100).prediction.utilization).toBeCloseTo(0.1, 9);
  });
});
