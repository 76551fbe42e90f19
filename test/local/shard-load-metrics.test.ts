import { describe, expect, it } from 'vitest';
import { shardLoadMetrics } from '../../app/metrics/shard-load.metrics.js';
import type { ShardMetricField } from '../../core/model/metrics.js';
import type { MetricsSource, ShardLoadPoint } from '../../core/ports/index.js';
import { shardPoint } from '../../definitions/metrics.js';

const MINUTE = 60_000;
const load = (shardId: string, minute: number, n: number, meanAgeMs = 0): ShardLoadPoint => ({ shardId, atMs: minute * MINUTE, incomingRecords: n, incomingBytes: n * 10, processedRecords: n, busyMs: n * 2, ageMsSum: n * meanAgeMs });

/** The reader on a fixed table and a CloudWatch stand-in that records what it was asked. */
function setup(options: { streamThrottled?: number; nowMs?: number } = {}) {
  const table = [load('s1', 1, 100), load('s1', 2, 200), load('s2', 2, 7), load('s1', 3, 300), load('s1', 4, 400)];
  const asked: { fields?: readonly ShardMetricField[] }[] = [];
  let gateReads = 0;
  const cloudwatch: MetricsSource = {
    shardMetrics: async (ids, _from, _to, periodMs, fields) => {
      asked.push({ fields });
      return Object.fromEntries(ids.map((id) => [id, [shardPoint(2 * MINUTE, periodMs, { throttledRecords: 9 })]]));
    },
    workerMetrics: async () => ({}),
  };
  const source = shardLoadMetrics({
    load: { listShardLoad: async (atMs) => table.filter((p) => p.atMs === atMs) },
    cloudwatch,
    throttles: {
      streamThrottledRecords: async () => {
        gateReads += 1;
        return options.streamThrottled ?? 0;
      },
    },
    now: () => options.nowMs ?? 4 * MINUTE + 20_000,
    availabilityDelayMs: 15_000,
  });
  return { source, asked, gateReads: () => gateReads };
}

describe('the SPM\u2019s load from the metadata table (shardLoadMetrics)', () => {
  it('gives each shard one point per complete period, summed over the load periods it covers', async () => {
    const { source } = setup();
    const points = await source.shardMetrics(['s1', 's2'], 0, 4 * MINUTE + 20_000, MINUTE);
    // Minute 4 ends at 5:00: not complete yet; minutes 1-3 are.
    expect(points.s1!.map((p) => [p.atMs / MINUTE, p.incomingRecords, p.busyMs])).toEqual([
      [1, 100, 200],
      [2, 200, 400],
      [3, 300, 600],
    ]);
    expect(points.s2!.map((p) => p.incomingRecords)).toEqual([7]);
    const twoMinutes = await source.shardMetrics(['s1'], 0, 4 * MINUTE + 20_000, 2 * MINUTE);
    expect(twoMinutes.s1!.map((p) => [p.atMs / MINUTE, p.processedRecords, p.incomingBytes])).toEqual([
      [0, 100, 1000],
      [2, 500, 5000],
    ]);
  });

  it('waits the availability delay after a period ends', async () => {
    const { source } = setup({ nowMs: 4 * MINUTE + 10_000 });
    expect((await source.shardMetrics(['s1'], 0, 4 * MINUTE + 10_000, MINUTE)).s1!.map((p) => p.atMs / MINUTE)).toEqual([1, 2]);
  });

  it('reads per-shard throttles from CloudWatch only when the stream-level count is not zero', async () => {
    const calm = setup({ streamThrottled: 0 });
    const quiet = await calm.source.shardMetrics(['s1'], 0, 4 * MINUTE, MINUTE);
    expect(calm.asked).toEqual([]);
    expect(quiet.s1!.every((p) => p.throttledRecords === 0)).toBe(true);

    const busy = setup({ streamThrottled: 12 });
    const throttled = await busy.source.shardMetrics(['s1'], 0, 4 * MINUTE, MINUTE);
    expect(busy.asked).toEqual([{ fields: ['throttledRecords'] }]);
    expect(throttled.s1!.find((p) => p.atMs === 2 * MINUTE)).toMatchObject({ incomingRecords: 200, throttledRecords: 9 });
  });

  it('reads neither throttle count when the policy does not decide on throttles', async () => {
    const { source, asked, gateReads } = setup({ streamThrottled: 12 });
    await source.shardMetrics(['s1'], 0, 4 * MINUTE, MINUTE, ['incomingRecords', 'busyMs']);
    expect([asked.length, gateReads()]).toEqual([0, 0]);
  });

  it('gives a lagging shard what arrived, estimated from how the mean age rose, not what its owner could read', async () => {
    // 600 records read a minute while the mean age rises 45 s a minute: records arrive 4 times as fast.
    const table = [load('s1', 1, 600, 10_000), load('s1', 2, 600, 55_000), load('s1', 3, 600, 100_000)];
    const source = shardLoadMetrics({
      load: { listShardLoad: async (atMs) => table.filter((p) => p.atMs === atMs) },
      cloudwatch: { shardMetrics: async () => ({}), workerMetrics: async () => ({}) },
      now: () => 4 * MINUTE + 20_000,
    });
    const points = (await source.shardMetrics(['s1'], 0, 4 * MINUTE, MINUTE, ['incomingRecords', 'processedRecords'])).s1!;
    expect(points.map((p) => [p.atMs / MINUTE, p.incomingRecords, p.incomingBytes, p.processedRecords])).toEqual([
      [1, 600, 6000, 600],
      [2, 2400, 24_000, 600],
      [3, 2400, 24_000, 600],
    ]);
  });

  it('refuses a period that is not a whole number of load periods, naming it', async () => {
    const { source } = setup();
    await expect(source.shardMetrics(['s1'], 0, MINUTE, 90_000)).rejects.toThrow(/periodMs 90000.*multiple of the load period \(60000 ms\)/);
  });
});
