import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../adapters/aws/clients.js';
import { CloudWatchMetricsSource } from '../../adapters/aws/metrics-source.cloudwatch.js';
import { FORESHADOW_METRICS, KINESIS_SHARD_METRICS, SHARD_POINT_SOURCES, type MetricDefinition } from '../../definitions/metrics.js';
import { externalEmulator, uniqueName } from '../support/emulators.js';

/**
 * The CloudWatch adapter against moto's CloudWatch (`npm run test:moto`): datapoints go in with PutMetricData
 * and come back through the adapter's own GetMetricData path, so the request it builds (ids, dimensions,
 * periods, statistics, batches of queries) is read by a server that was not written for it. The loopback
 * stub (test/adapters/metrics-source.cloudwatch.test.ts) stays the only check of NextToken paging: moto
 * 5.2.1 answers every GetMetricData in one page (moto/cloudwatch/responses.py get_metric_data reads neither
 * MaxDatapoints nor NextToken).
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Each test reads its own hour, a day back, so tests sharing moto's shard-id dimensions never mix. */
let hourCounter = 0;
function freshHour(): number {
  hourCounter += 1;
  return Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR + hourCounter * HOUR;
}

let client: CloudWatchClient;
beforeAll(() => {
  const moto = externalEmulator();
  if (moto?.engine !== 'moto') throw new Error('test/moto runs under npm run test:moto only (MOTO_ENDPOINT is not set)');
  client = cloudWatchClient({ endpoint: moto.endpoint, maxAttempts: 1 });
});
afterAll(() => client?.destroy());

function datum(def: MetricDefinition, dimensions: Record<string, string>, atMs: number, value: number): MetricDatum {
  return {
    MetricName: def.name,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: new Date(atMs),
    Value: value,
    Unit: def.unit,
  };
}

/** PutMetricData, one call per namespace (as CloudWatch requires), at most 1000 datums per call. */
async function put(points: { def: MetricDefinition; datum: MetricDatum }[]): Promise<void> {
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const p of points) byNamespace.set(p.def.namespace, [...(byNamespace.get(p.def.namespace) ?? []), p.datum]);
  for (const [Namespace, data] of byNamespace) {
    for (let i = 0; i < data.length; i += 1000) await client.send(new PutMetricDataCommand({ Namespace, MetricData: data.slice(i, i + 1000) }));
  }
}

function shardDims(def: MetricDefinition, stream: string, shardId: string): Record<string, string> {
  return def.namespace === KINESIS_SHARD_METRICS.incomingRecords.namespace ? { StreamName: stream, ShardId: shardId } : { ShardId: shardId };
}

/** Every shard field at `atMs`, valued `base + k` for the k-th field so that a mix-up of fields shows. */
function fullShardMinute(stream: string, shardId: string, atMs: number, base: number): { def: MetricDefinition; datum: MetricDatum }[] {
  return Object.values(SHARD_POINT_SOURCES).map((def, k) => ({ def, datum: datum(def, shardDims(def, stream, shardId), atMs, base + k + 1) }));
}

describe('CloudWatchMetricsSource against moto CloudWatch', () => {
  it('reads back what PutMetricData wrote: one point per minute per shard, each field from its own metric', async () => {
    const t0 = freshHour();
    const stream = uniqueName('cw-stream');
    await put([...fullShardMinute(stream, 'shardId-000000000001', t0, 1000), ...fullShardMinute(stream, 'shardId-000000000001', t0 + MIN, 1010), ...fullShardMinute(stream, 'shardId-000000000002', t0 + MIN, 2010)]);
    const source = new CloudWatchMetricsSource(client, { streamName: stream });
    const points = await source.shardMetrics(['shardId-000000000001', 'shardId-000000000002'], t0, t0 + 2 * MIN, MIN);
    expect(points).toEqual({
      'shardId-000000000001': [
        { atMs: t0, periodMs: MIN, incomingRecords: 1001, incomingBytes: 1002, throttledRecords: 1003, processedRecords: 1004, busyMs: 1005, iteratorAgeMsMax: 1006 },
        { atMs: t0 + MIN, periodMs: MIN, incomingRecords: 1011, incomingBytes: 1012, throttledRecords: 1013, processedRecords: 1014, busyMs: 1015, iteratorAgeMsMax: 1016 },
      ],
      'shardId-000000000002': [{ atMs: t0 + MIN, periodMs: MIN, incomingRecords: 2011, incomingBytes: 2012, throttledRecords: 2013, processedRecords: 2014, busyMs: 2015, iteratorAgeMsMax: 2016 }],
    });
  });

  it('sums counts and takes the maximum iterator age over a 5-minute period, from an unaligned window', async () => {
    const t0 = freshHour();
    const stream = uniqueName('cw-stream');
    const minutes = [0, 1, 2, 3, 4, 5, 6];
    await put(minutes.flatMap((m) => fullShardMinute(stream, 'shardId-000000000003', t0 + m * MIN, 3000 + m * 10)));
    const source = new CloudWatchMetricsSource(client, { streamName: stream });
    const points = await source.shardMetrics(['shardId-000000000003'], t0 + 2 * MIN + 17_000, t0 + 5 * MIN + 1, 5 * MIN);
    const sum = (ms: number[], k: number) => ms.reduce((total, m) => total + 3000 + m * 10 + k, 0);
    expect(points['shardId-000000000003']).toEqual([
      { atMs: t0, periodMs: 5 * MIN, incomingRecords: sum([0, 1, 2, 3, 4], 1), incomingBytes: sum([0, 1, 2, 3, 4], 2), throttledRecords: sum([0, 1, 2, 3, 4], 3), processedRecords: sum([0, 1, 2, 3, 4], 4), busyMs: sum([0, 1, 2, 3, 4], 5), iteratorAgeMsMax: 3046 },
      { atMs: t0 + 5 * MIN, periodMs: 5 * MIN, incomingRecords: sum([5, 6], 1), incomingBytes: sum([5, 6], 2), throttledRecords: sum([5, 6], 3), processedRecords: sum([5, 6], 4), busyMs: sum([5, 6], 5), iteratorAgeMsMax: 3066 },
    ]);
  });

  it('sends the queries in several GetMetricData calls and reads the shards of every call', async () => {
    const t0 = freshHour();
    const stream = uniqueName('cw-stream');
    const shardIds = [4, 5, 6].map((i) => `shardId-${String(i).padStart(12, '0')}`);
    await put(shardIds.flatMap((s, i) => fullShardMinute(stream, s, t0, (i + 4) * 1000)));
    // 3 shards × 6 fields = 18 queries in calls of 5: the last shard's fields come in the third and fourth calls.
    const source = new CloudWatchMetricsSource(client, { streamName: stream, maxQueriesPerCall: 5 });
    const points = await source.shardMetrics(shardIds, t0, t0 + MIN, MIN);
    expect(points['shardId-000000000006']).toEqual([{ atMs: t0, periodMs: MIN, incomingRecords: 6001, incomingBytes: 6002, throttledRecords: 6003, processedRecords: 6004, busyMs: 6005, iteratorAgeMsMax: 6006 }]);
    expect(points['shardId-000000000004']![0]!.incomingRecords).toBe(4001);
  });

  it('leaves out minutes with no datapoint, reads a missing field as 0, and keeps worker and shard dimensions apart', async () => {
    const t0 = freshHour();
    const worker = uniqueName('large');
    const idle = uniqueName('small');
    const at = (m: number) => t0 + m * MIN;
    await put([
      { def: FORESHADOW_METRICS.primaryBusyMs, datum: datum(FORESHADOW_METRICS.primaryBusyMs, { WorkerId: worker }, at(0), 30_000) },
      { def: FORESHADOW_METRICS.shadowBusyMs, datum: datum(FORESHADOW_METRICS.shadowBusyMs, { WorkerId: worker }, at(0), 1_200) },
      { def: FORESHADOW_METRICS.batches, datum: datum(FORESHADOW_METRICS.batches, { WorkerId: worker }, at(0), 60) },
      { def: FORESHADOW_METRICS.workerErrors, datum: datum(FORESHADOW_METRICS.workerErrors, { WorkerId: worker }, at(2), 2) },
      // The same metric name under the shard dimension: not the worker's.
      { def: FORESHADOW_METRICS.primaryBusyMs, datum: datum(FORESHADOW_METRICS.primaryBusyMs, { ShardId: 'shardId-000000000001' }, at(1), 77) },
    ]);
    const source = new CloudWatchMetricsSource(client, { streamName: uniqueName('cw-stream') });
    const points = await source.workerMetrics([worker, idle], t0, t0 + 3 * MIN, MIN);
    expect(points).toEqual({
      [worker]: [
        { atMs: at(0), periodMs: MIN, primaryBusyMs: 30_000, shadowBusyMs: 1_200, invocations: 60, errors: 0 },
        { atMs: at(2), periodMs: MIN, primaryBusyMs: 0, shadowBusyMs: 0, invocations: 0, errors: 2 },
      ],
      [idle]: [],
    });
  });
});
