import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { ShardMetricField, ShardMetricPoint, WorkerMetricField, WorkerMetricPoint } from '../../core/model/metrics.js';
import type { MetricsSource, StreamThrottleSource } from '../../core/ports/metrics-source.port.js';
import { DIMENSIONS, KINESIS_NAMESPACE, KINESIS_SHARD_METRICS, SHARD_POINT_SOURCES, WORKER_POINT_SOURCES, shardPoint, workerPoint, type MetricDefinition } from '../../definitions/metrics.js';
import { AdapterArgumentError, AwsCallError } from './errors.js';

/** GetMetricData accepts at most this many queries per call (CloudWatch API reference, GetMetricData). */
export const MAX_QUERIES_PER_CALL = 500;
/** Standard-resolution metrics exist per minute; periods must be multiples of it. */
export const STANDARD_PERIOD_MS = 60_000;

export interface CloudWatchMetricsSourceOptions {
  /** The source stream, the StreamName dimension of the Kinesis shard-level metrics. */
  readonly streamName: string;
  /** Queries per GetMetricData call (1..500). @default 500 */
  readonly maxQueriesPerCall?: number;
  /** Data points per page before CloudWatch paginates (MaxDatapoints). @default 100800 (CloudWatch's default) */
  readonly maxDatapointsPerPage?: number;
}

/** One query: which metric for which entity, and which point field its values fill. */
interface Planned<F extends string> {
  readonly id: string;
  readonly entity: string;
  readonly field: F;
  readonly query: MetricDataQuery;
}

/** Points per entity, keyed by period start, each a partial record of fields. */
type Collected<F extends string> = Map<string, Map<number, Partial<Record<F, number>>>>;

/**
 * `MetricsSource` on CloudWatch GetMetricData. Every (entity, field) pair is one query with a generated id
 * (`m0`, `m1`, …: CloudWatch ids must start with a lower-case letter and hold only letters, digits and
 * `_`, which shard ids do not), sent in calls of at most 500 queries, each followed through `NextToken`.
 * The window is aligned to whole periods: `fromMs` rounds down and `toMs` up, so every point covers one
 * full period and `atMs` is its start (CloudWatch's timestamp convention).
 *
 * A point exists for a period in which at least one of the entity's metrics has a datapoint; its other
 * fields are 0 (CloudWatch reports no datapoint for a period with no samples). Periods with no datapoint at
 * all are left out rather than reported as zero, since the newest periods are usually not yet available.
 */
/** The sources of `fields` only (all of them without a list): a field not asked for is not read, nor billed. */
export function only<F extends string>(sources: Readonly<Record<F, MetricDefinition>>, fields: readonly F[] | undefined): Readonly<Partial<Record<F, MetricDefinition>>> {
  if (fields === undefined) return sources;
  return Object.fromEntries((Object.entries(sources) as [F, MetricDefinition][]).filter(([field]) => fields.includes(field))) as Partial<Record<F, MetricDefinition>>;
}

export class CloudWatchMetricsSource implements MetricsSource, StreamThrottleSource {
  private readonly maxQueries: number;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: CloudWatchMetricsSourceOptions,
  ) {
    this.maxQueries = options.maxQueriesPerCall ?? MAX_QUERIES_PER_CALL;
    if (!Number.isInteger(this.maxQueries) || this.maxQueries < 1 || this.maxQueries > MAX_QUERIES_PER_CALL) {
      throw new AdapterArgumentError('maxQueriesPerCall', `an integer between 1 and ${MAX_QUERIES_PER_CALL}`, options.maxQueriesPerCall);
    }
  }

  async shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly ShardMetricField[]): Promise<Record<string, ShardMetricPoint[]>> {
    const dimensionsOf = (def: MetricDefinition, shardId: string): { Name: string; Value: string }[] =>
      def.namespace === KINESIS_NAMESPACE
        ? [
            { Name: DIMENSIONS.streamName, Value: this.options.streamName },
            { Name: DIMENSIONS.shardId, Value: shardId },
          ]
        : [{ Name: DIMENSIONS.shardId, Value: shardId }];
    const collected = await this.collect(shardIds, only(SHARD_POINT_SOURCES, fields), dimensionsOf, fromMs, toMs, periodMs);
    return assemble(shardIds, collected, (atMs, f) => shardPoint(atMs, periodMs, f));
  }

  async workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly WorkerMetricField[]): Promise<Record<string, WorkerMetricPoint[]>> {
    const collected = await this.collect(workerIds, only(WORKER_POINT_SOURCES, fields), (_def, workerId) => [{ Name: DIMENSIONS.workerId, Value: workerId }], fromMs, toMs, periodMs);
    return assemble(workerIds, collected, (atMs, f) => workerPoint(atMs, periodMs, f));
  }

  /** The stream-level WriteProvisionedThroughputExceeded summed over the window: one metric, one call. */
  async streamThrottledRecords(fromMs: number, toMs: number): Promise<number> {
    if (!(toMs > fromMs)) throw new AdapterArgumentError('toMs', `greater than fromMs (${fromMs})`, toMs);
    const startMs = Math.floor(fromMs / STANDARD_PERIOD_MS) * STANDARD_PERIOD_MS;
    const endMs = Math.ceil(toMs / STANDARD_PERIOD_MS) * STANDARD_PERIOD_MS;
    const def = KINESIS_SHARD_METRICS.writeThrottled;
    const query: MetricDataQuery = {
      Id: 'stream',
      MetricStat: { Metric: { Namespace: def.namespace, MetricName: def.name, Dimensions: [{ Name: DIMENSIONS.streamName, Value: this.options.streamName }] }, Period: STANDARD_PERIOD_MS / 1000, Stat: 'Sum' },
      ReturnData: true,
    };
    const results = await this.fetchAll([query], startMs, endMs);
    return results.flatMap((r) => r.Values ?? []).reduce((sum, v) => sum + v, 0);
  }

  private async collect<F extends string>(
    entities: readonly string[],
    sources: Readonly<Partial<Record<F, MetricDefinition>>>,
    dimensionsOf: (def: MetricDefinition, entity: string) => { Name: string; Value: string }[],
    fromMs: number,
    toMs: number,
    periodMs: number,
  ): Promise<Collected<F>> {
    if (!Number.isInteger(periodMs) || periodMs < STANDARD_PERIOD_MS || periodMs % STANDARD_PERIOD_MS !== 0) {
      throw new AdapterArgumentError('periodMs', `a positive multiple of ${STANDARD_PERIOD_MS} (CloudWatch standard resolution)`, periodMs);
    }
    if (!(toMs > fromMs)) throw new AdapterArgumentError('toMs', `greater than fromMs (${fromMs})`, toMs);
    const startMs = Math.floor(fromMs / periodMs) * periodMs;
    const endMs = Math.ceil(toMs / periodMs) * periodMs;
    const planned: Planned<F>[] = [];
    for (const entity of new Set(entities)) {
      for (const [field, def] of Object.entries(sources) as [F, MetricDefinition][]) {
        const id = `m${planned.length}`;
        planned.push({
          id,
          entity,
          field,
          query: {
            Id: id,
            MetricStat: { Metric: { Namespace: def.namespace, MetricName: def.name, Dimensions: dimensionsOf(def, entity) }, Period: periodMs / 1000, Stat: def.stat },
            ReturnData: true,
          },
        });
      }
    }
    const byId = new Map(planned.map((p) => [p.id, p]));
    const collected: Collected<F> = new Map(entities.map((e) => [e, new Map()]));
    for (let i = 0; i < planned.length; i += this.maxQueries) {
      const batch = planned.slice(i, i + this.maxQueries);
      for (const result of await this.fetchAll(batch.map((p) => p.query), startMs, endMs)) {
        const plan = result.Id === undefined ? undefined : byId.get(result.Id);
        if (plan === undefined) throw new AwsCallError('CloudWatch', 'GetMetricData', this.options.streamName, new Error(`answer for unknown query id ${String(result.Id)}`));
        if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
          throw new AwsCallError('CloudWatch', 'GetMetricData', `${plan.field} of ${plan.entity}`, new Error(`status ${result.StatusCode}`));
        }
        const points = collected.get(plan.entity)!;
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        timestamps.forEach((timestamp, k) => {
          const value = values[k];
          if (value === undefined) return;
          const atMs = Math.floor(timestamp.getTime() / periodMs) * periodMs;
          if (atMs < startMs || atMs >= endMs) return;
          const point: Partial<Record<F, number>> = points.get(atMs) ?? {};
          point[plan.field] = value;
          points.set(atMs, point);
        });
      }
    }
    return collected;
  }

  /** One batch of queries, every page of it (the same id can come back on several pages). */
  private async fetchAll(queries: MetricDataQuery[], startMs: number, endMs: number): Promise<MetricDataResult[]> {
    const results: MetricDataResult[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      let page;
      try {
        page = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            ScanBy: 'TimestampAscending',
            ...(this.options.maxDatapointsPerPage === undefined ? {} : { MaxDatapoints: this.options.maxDatapointsPerPage }),
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        );
      } catch (error) {
        throw new AwsCallError('CloudWatch', 'GetMetricData', `${queries.length} queries on ${this.options.streamName}`, error);
      }
      results.push(...(page.MetricDataResults ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return results;
  }
}

function assemble<F extends string, P>(
  entities: readonly string[],
  collected: Collected<F>,
  build: (atMs: number, fields: Partial<Record<F, number>>) => P,
): Record<string, P[]> {
  const out: Record<string, P[]> = {};
  for (const entity of entities) {
    const points = collected.get(entity) ?? new Map<number, Partial<Record<F, number>>>();
    out[entity] = [...points.entries()].sort(([a], [b]) => a - b).map(([atMs, fields]) => build(atMs, fields));
  }
  return out;
}
