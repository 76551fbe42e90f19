import { describe, expect, it } from 'vitest';
import { emptySeries, forecastSeries, updateSeries } from '../../../core/forecast/shard-forecast.js';
import { shardLoadPoint } from '../../../core/forecast/shard-load.js';
import type { ShardMetricPoint } from '../../../core/model/metrics.js';

const point = (atMs: number, o: Partial<ShardMetricPoint> = {}): ShardMetricPoint => ({
  atMs,
  periodMs: 60_000,
  incomingRecords: 30_000,
  incomingBytes: 3_000_000,
  throttledRecords: 0,
  processedRecords: 30_000,
  busyMs: 30_000,
  iteratorAgeMsMax: 0,
  ...o,
});
const params = { levelSmoothing: 0.5, trendSmoothing: 0.3, referencePeriodMs: 60_000 };

describe('shard load from one metric period', () => {
  it('measures demand as per-record cost × accepted records, not the saturated busy fraction', () => {
    // 40,000 processed in a full minute (1 ms each) while 60,000 arrived: the owner needs 1.5 slots.
    const p = shardLoadPoint(point(0, { incomingRecords: 60_000, processedRecords: 40_000, busyMs: 40_000 }));
    expect(p.busyFraction).toBeCloseTo(40_000 / 60_000, 9);
    expect(p.costMsPerRecord).toBe(1);
    expect(p.utilization).toBeCloseTo(1, 9);
    expect(p.acceptedRecordsPerSec).toBe(1000);
  });

  it('counts throttled records in the demand rate and prices their bytes at the period’s mean size', () => {
    const p = shardLoadPoint(point(0, { throttledRecords: 6_000 }));
    expect(p.demandRecordsPerSec).toBe(600);
    expect(p.demandBytesPerSec).toBeCloseTo((3_000_000 + 6_000 * 100) / 60, 9);
  });

  it('falls back to the busy fraction when nothing was processed', () => {
    expect(shardLoadPoint(point(0, { processedRecords: 0, busyMs: 0 })).utilization).toBe(0);
  });
});

describe('incremental shard series', () => {
  it('folds each point once, however often the same window is handed in', () => {
    const points = [point(0), point(60_000), point(120_000)];
    const once = updateSeries(emptySeries(0), points, params);
    const twice = updateSeries(once, points, params);
    expect(twice).toEqual(once);
    expect(once.utilization?.count).toBe(3);
    expect(once.coveredUntilMs).toBe(180_000);
  });

  it('costs a period with arrivals but no processing at the last known per-record cost', () => {
    const s = updateSeries(emptySeries(0), [point(0), point(60_000, { processedRecords: 0, busyMs: 0 })], params);
    expect(s.lastUtilization).toBeCloseTo(0.5, 9);
  });

  it('extrapolates the trend only from three points on', () => {
    const two = updateSeries(emptySeries(0), [point(0, { busyMs: 30_000 }), point(60_000, { busyMs: 36_000 })], params);
    expect(forecastSeries(two, 120_000, 600_000).utilizationAtHorizon).toBeCloseTo(0.6, 9);
    const three = updateSeries(two, [point(120_000, { busyMs: 42_000 })], params);
    expect(forecastSeries(three, 180_000, 600_000).utilizationAtHorizon).toBeGreaterThan(0.8);
  });

  it('damps the trend over a long horizon', () => {
    const ramp = updateSeries(emptySeries(0), [0, 1, 2, 3].map((k) => point(k * 60_000, { busyMs: 30_000 + k * 6_000 })), params);
    const straight = forecastSeries(ramp, 240_000, 600_000, 1).utilizationAtHorizon;
    const damped = forecastSeries(ramp, 240_000, 600_000, 0.9).utilizationAtHorizon;
    expect(damped).toBeLessThan(straight);
    expect(damped).toBeGreaterThan(ramp.utilization!.level);
  });
});
