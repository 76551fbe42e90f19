import { describe, expect, it } from 'vitest';
import type { ShardMetricPoint, WorkerMetricPoint } from '../../core/model/metrics.js';
import type { MetricsSource } from '../../core/ports/index.js';
import { completePeriodsOnly } from '../../app/metrics/complete-periods.metrics.js';

const shardPoint = (atMs: number): ShardMetricPoint => ({ atMs, periodMs: 5000, incomingRecords: 1, incomingBytes: 1, throttledRecords: 0, processedRecords: 1, busyMs: 1, iteratorAgeMsMax: 0 });
const workerPoint = (atMs: number): WorkerMetricPoint => ({ atMs, periodMs: 5000, primaryBusyMs: 1, shadowBusyMs: 0, invocations: 1, errors: 0 });

const source: MetricsSource = {
  shardMetrics: async () => ({ s: [0, 5000, 10_000].map(shardPoint) }),
  workerMetrics: async () => ({ w: [0, 5000, 10_000].map(workerPoint) }),
};

describe('the SPM view of the local metrics', () => {
  it.each([
    [16_000, 1000, [0, 5000, 10_000]],
    [16_000, 2000, [0, 5000]],
    [14_000, 0, [0, 5000]],
    [9_999, 0, [0]],
  ])('at %d ms with a %d ms delay shows only the periods that are over: %j', async (now, delay, starts) => {
    const metrics = completePeriodsOnly(source, () => now, delay);
    expect((await metrics.shardMetrics(['s'], 0, now, 5000)).s!.map((p) => p.atMs)).toEqual(starts);
    expect((await metrics.workerMetrics(['w'], 0, now, 5000)).w!.map((p) => p.atMs)).toEqual(starts);
  });
});
