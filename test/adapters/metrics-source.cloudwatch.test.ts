import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../adapters/aws/clients.js';
import { AdapterArgumentError, AwsCallError } from '../../adapters/aws/errors.js';
import { CloudWatchMetricsSource } from '../../adapters/aws/metrics-source.cloudwatch.js';
import { freePort } from '../../adapters/local/free-port.js';
import { FORESHADOW_METRICS, KINESIS_SHARD_METRICS, type MetricDefinition } from '../../definitions/metrics.js';
import { startFakeCloudWatch, type Datapoint, type FakeCloudWatch } from '../support/cloudwatch.server.js';

const STREAM = 'source-stream';
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const MIN = 60_000;

let fake: FakeCloudWatch | undefined;
let client: CloudWatchClient | undefined;
afterEach(async () => {
  client?.destroy();
  await fake?.stop();
  fake = undefined;
});
afterAll(async () => {
  await fake?.stop();
});

function shardPoint(def: MetricDefinition, shardId: string, minute: number, value: number, stream = STREAM): Datapoint {
  const dimensions: Record<string, string> = def.namespace === 'AWS/Kinesis' ? { StreamName: stream, ShardId: shardId } : { ShardId: shardId };
  return { namespace: def.namespace, name: def.name, dimensions, atMs: T0 + minute * MIN, value };
}

function workerPoint(def: MetricDefinition, workerId: string, minute: number, value: number): Datapoint {
  return { namespace: def.namespace, name: def.name, dimensions: { WorkerId: workerId }, atMs: T0 + minute * MIN, value };
}

async function sourceOver(datapoints: Datapoint[], options: { maxDatapointsPerPage?: number } = {}): Promise<CloudWatchMetricsSource> {
  fake = await startFakeCloudWatch(datapoints);
  client = cloudWatchClient({ endpoint: fake.endpoint, maxAttempts: 1 });
  return new CloudWatchMetricsSource(client, { streamName: STREAM, ...options });
}

/** Every shard metric at minute `m` for shard `s`, with values derived from both so that mix-ups show. */
function fullMinute(shardIndex: number, m: number): Datapoint[] {
  const s = `shardId-${String(shardIndex).padStart(12, '0')}`;
  const base = shardIndex * 1000 + m * 10;
  return [
    shardPoint(KINESIS_SHARD_METRICS.incomingRecords, s, m, base + 1),
    shardPoint(KINESIS_SHARD_METRICS.incomingBytes, s, m, base + 2),
    shardPoint(KINESIS_SHARD_METRICS.writeThrottled, s, m, base + 3),
    shardPoint(FORESHADOW_METRICS.primaryRecords, s, m, base + 4),
    shardPoint(FORESHADOW_METRICS.primaryBusyMs, s, m, base + 5),
    shardPoint(FORESHADOW_METRICS.iteratorAgeMs, s, m, base + 6),
  ];
}

describe('CloudWatchMetricsSource against a GetMetricData endpoint on loopback', () => {
  it('assembles one point per minute from the Kinesis and Foreshadow metrics of each shard', async () => {
    const source = await sourceOver([
      ...fullMinute(1, 0),
      ...fullMinute(1, 1),
      ...fullMinute(2, 1),
      shardPoint(FORESHADOW_METRICS.iteratorAgeMs, 'shardId-000000000001', 1, 9_999),
      shardPoint(KINESIS_SHARD_METRICS.incomingRecords, 'shardId-000000000001', 1, 5_000, 'another-stream'),
    ]);
    const points = await source.shardMetrics(['shardId-000000000001', 'shardId-000000000002'], T0, T0 + 2 * MIN, MIN);
    expect(points['shardId-000000000001']).toEqual([
      { atMs: T0, periodMs: MIN, incomingRecords: 1001, incomingBytes: 1002, throttledRecords: 1003, processedRecords: 1004, busyMs: 1005, iteratorAgeMsMax: 1006 },
      { atMs: T0 + MIN, periodMs: MIN, incomingRecords: 1011, incomingBytes: 1012, throttledRecords: 1013, processedRecords: 1014, busyMs: 1015, iteratorAgeMsMax: 9_999 },
    ]);
    expect(points['shardId-000000000002']).toEqual([
      { atMs: T0 + MIN, periodMs: MIN, incomingRecords: 2011, incomingBytes: 2012, throttledRecords: 2013, processedRecords: 2014, busyMs: 2015, iteratorAgeMsMax: 2016 },
    ]);
    expect(fake!.calls).toHaveLength(1);
    expect(fake!.calls[0]).toMatchObject({ queries: 12, scanBy: 'TimestampAscending', periods: [60] });
  });

  it('reads only the fields it is asked for (one query each per shard), the others 0', async () => {
    const source = await sourceOver([...fullMinute(1, 0)]);
    const points = await source.shardMetrics(['shardId-000000000001'], T0, T0 + MIN, MIN, ['incomingRecords', 'busyMs']);
    expect(points['shardId-000000000001']).toEqual([{ atMs: T0, periodMs: MIN, incomingRecords: 1001, incomingBytes: 0, throttledRecords: 0, processedRecords: 0, busyMs: 1005, iteratorAgeMsMax: 0 }]);
    expect(fake!.calls[0]).toMatchObject({ queries: 2 });
  });

  it('aligns an unaligned window to whole periods and sums counts over a 5-minute period', async () => {
    const datapoints = [0, 1, 2, 3, 4, 5, 6].flatMap((m) => fullMinute(3, m));
    const source = await sourceOver(datapoints);
    const points = await source.shardMetrics(['shardId-000000000003'], T0 + 2 * MIN + 17_000, T0 + 5 * MIN + 1, 5 * MIN);
    expect(fake!.calls[0]).toMatchObject({ startSec: T0 / 1000, endSec: (T0 + 10 * MIN) / 1000, periods: [300] });
    expect(points['shardId-000000000003']).toEqual([
      { atMs: T0, periodMs: 5 * MIN, incomingRecords: 5 * 3001 + 100, incomingBytes: 5 * 3002 + 100, throttledRecords: 5 * 3003 + 100, processedRecords: 5 * 3004 + 100, busyMs: 5 * 3005 + 100, iteratorAgeMsMax: 3046 },
      { atMs: T0 + 5 * MIN, periodMs: 5 * MIN, incomingRecords: 3051 + 3061, incomingBytes: 3052 + 3062, throttledRecords: 3053 + 3063, processedRecords: 3054 + 3064, busyMs: 3055 + 3065, iteratorAgeMsMax: 3066 },
    ]);
  });

  it('splits 540 queries into calls of at most 500 with valid, unique ids and reads the shards of the second call', async () => {
    const shards = Array.from({ length: 90 }, (_, i) => i);
    const source = await sourceOver(shards.flatMap((i) => fullMinute(i, 0)));
    const ids = shards.map((i) => `shardId-${String(i).padStart(12, '0')}`);
    const points = await source.shardMetrics(ids, T0, T0 + MIN, MIN);
    expect(fake!.rejected).toEqual([]);
    expect(fake!.calls.map((c) => c.queries)).toEqual([500, 40]);
    expect(new Set(fake!.calls.flatMap((c) => c.ids)).size).toBe(540);
    expect(points['shardId-000000000089']).toEqual([
      { atMs: T0, periodMs: MIN, incomingRecords: 89_001, incomingBytes: 89_002, throttledRecords: 89_003, processedRecords: 89_004, busyMs: 89_005, iteratorAgeMsMax: 89_006 },
    ]);
  });

  it('follows NextToken across pages and returns the same points as one unpaged call', async () => {
    const datapoints = [0, 1, 2, 3, 4].flatMap((m) => [...fullMinute(1, m), ...fullMinute(2, m)]);
    const ids = ['shardId-000000000001', 'shardId-000000000002'];
    const unpaged = await (await sourceOver(datapoints)).shardMetrics(ids, T0, T0 + 5 * MIN, MIN);
    client?.destroy();
    await fake!.stop();
    const paged = await (await sourceOver(datapoints, { maxDatapointsPerPage: 7 })).shardMetrics(ids, T0, T0 + 5 * MIN, MIN);
    expect(fake!.calls.length).toBe(Math.ceil(60 / 7));
    expect(fake!.calls.slice(1).every((c) => c.nextToken !== undefined)).toBe(true);
    expect(paged).toEqual(unpaged);
    expect(paged['shardId-000000000002']).toHaveLength(5);
  });

  it('reads worker points from the WorkerId metrics only, with missing fields as 0 and empty minutes left out', async () => {
    const source = await sourceOver([
      workerPoint(FORESHADOW_METRICS.primaryBusyMs, 'large-1', 0, 30_000),
      workerPoint(FORESHADOW_METRICS.shadowBusyMs, 'large-1', 0, 1_200),
      workerPoint(FORESHADOW_METRICS.batches, 'large-1', 0, 60),
      workerPoint(FORESHADOW_METRICS.workerErrors, 'large-1', 2, 2),
      shardPoint(FORESHADOW_METRICS.primaryBusyMs, 'shardId-000000000001', 0, 77),
    ]);
    const points = await source.workerMetrics(['large-1', 'small-1'], T0, T0 + 3 * MIN, MIN);
    expect(points).toEqual({
      'large-1': [
        { atMs: T0, periodMs: MIN, primaryBusyMs: 30_000, shadowBusyMs: 1_200, invocations: 60, errors: 0 },
        { atMs: T0 + 2 * MIN, periodMs: MIN, primaryBusyMs: 0, shadowBusyMs: 0, invocations: 0, errors: 2 },
      ],
      'small-1': [],
    });
  });

  it.each([
    ['a period of 30 s', 30_000, T0 + MIN, /periodMs must be a positive multiple of 60000 .*\(given 30000\)/],
    ['a period of 90 s', 90_000, T0 + MIN, /\(given 90000\)/],
    ['an empty window', MIN, T0, /toMs must be greater than fromMs/],
  ] as const)('rejects %s before calling CloudWatch', async (_case, periodMs, toMs, message) => {
    const source = await sourceOver([]);
    await expect(source.shardMetrics(['s'], T0, toMs, periodMs)).rejects.toThrow(AdapterArgumentError);
    await expect(source.shardMetrics(['s'], T0, toMs, periodMs)).rejects.toThrow(message);
    expect(fake!.calls).toEqual([]);
  });

  it('refuses a batch size above the GetMetricData limit of 500', async () => {
    const source = (): CloudWatchMetricsSource => new CloudWatchMetricsSource(cloudWatchClient({ endpoint: 'http://127.0.0.1:1' }), { streamName: STREAM, maxQueriesPerCall: 501 });
    expect(source).toThrow('maxQueriesPerCall must be an integer between 1 and 500 (given 501)');
  });

  it('throws an AwsCallError when CloudWatch cannot be reached', async () => {
    client = cloudWatchClient({ endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 });
    const source = new CloudWatchMetricsSource(client, { streamName: STREAM });
    await expect(source.workerMetrics(['w'], T0, T0 + MIN, MIN)).rejects.toThrow(AwsCallError);
    await expect(source.workerMetrics(['w'], T0, T0 + MIN, MIN)).rejects.toThrow(/CloudWatch\.GetMetricData failed for 4 queries on source-stream/);
  });
});
