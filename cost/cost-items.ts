import type { CallRow, MeterPath, MeterSnapshot } from '../adapters/meter/meter-snapshot.js';
import { PRICES } from '../definitions/prices.js';
import { MODELLED } from './assumptions.js';
import { DEPLOYED } from './deployment.js';
import type { Measurement } from './measure.js';

/**
 * What an item's quantity is counted per, and so what it is multiplied by for a deployment of N shards:
 * - `shard-record`: per record of every shard (dispatcher and worker paths);
 * - `shadow-record`: per record of a shard with a live shadow (the shadow path);
 * - `shard-tick`: per SPM tick and shard; `tick`: per SPM tick;
 * - `shard-month`: per shard and month; `month`: per month.
 */
export const SCALES = ['shard-record', 'shadow-record', 'shard-tick', 'tick', 'shard-month', 'month'] as const;
export type Scale = (typeof SCALES)[number];

/** One line of the bill: a quantity per scale unit, its unit price, and whether the meter counted it. */
export interface CostItem {
  readonly name: string;
  /** Part of the bill: what the stream and its consumer cost anyway, or what Foreshadow adds. */
  readonly part: 'baseline' | 'overhead';
  readonly scale: Scale;
  /** How many `unit`s per scale unit (e.g. write request units per record). */
  readonly quantity: number;
  /** What the quantity counts, e.g. `WRU`, `request`, `GB-s`, `byte`, `metric`. */
  readonly unit: string;
  /** USD per `unit`. */
  readonly unitPriceUsd: number;
  /** True when the quantity comes from the meter; false when it is modelled (see `note`). */
  readonly measured: boolean;
  /** Where the figure comes from. */
  readonly note: string;
}

const LAMBDA_REQUEST = PRICES.lambdaRequestsPerMillion / 1e6;
const RRU = PRICES.dynamoReadUnitsPerMillion / 1e6;
const WRU = PRICES.dynamoWriteUnitsPerMillion / 1e6;
/** CloudWatch Logs bills ingestion per GB; 10^9 bytes here (2^30 would make it 7 % cheaper). */
const LOG_BYTE = PRICES.logsIngestionPerGb / 1e9;
const GB_SECOND = PRICES.lambdaGbSecond;
const METRIC_REQUESTED = PRICES.getMetricDataPerThousandMetrics / 1000;

function sum(rows: readonly CallRow[], pick: (r: CallRow) => number, where: (r: CallRow) => boolean): number {
  return rows.filter(where).reduce((total, r) => total + pick(r), 0);
}

const onPath = (path: MeterPath) => (r: CallRow) => r.path === path;
const dynamoOn = (path: MeterPath) => (r: CallRow) => r.path === path && r.service === 'DynamoDB';

function invocations(snapshot: MeterSnapshot, path: MeterPath): number {
  return snapshot.invocations.filter((r) => r.path === path).reduce((n, r) => n + r.invocations, 0);
}

function emfBytes(snapshot: MeterSnapshot, paths: readonly MeterPath[]): number {
  return snapshot.emf.filter((r) => paths.includes(r.path)).reduce((n, r) => n + r.bytes, 0);
}

/** Distinct metrics of the run with a `ShardId` dimension per shard, and the rest (per worker class, SPM). */
function metricCounts(m: Measurement): { perShard: number; other: number } {
  const all = [...m.data.metrics, ...m.spm.metrics];
  const unique = [...new Set(all)];
  const perShard = unique.filter((id) => id.includes('ShardId=')).length / m.workload.shards;
  return { perShard, other: unique.filter((id) => !id.includes('ShardId=')).length };
}

/**
 * The cost items of a measurement: the meter's counts turned into quantities per record, per tick or per
 * month, each with its list price (definitions/prices.ts). Items the meter cannot count here (Lambda billed
 * duration on AWS, the baseline's own stream and consumer, the stack's fixed resources) are modelled from
 * cost/assumptions.ts and the deployment's defaults, and say so.
 */
export function costItems(m: Measurement): CostItem[] {
  const records = m.records;
  const shadowRecords = m.shadowedShardRecords;
  const ticks = m.workload.ticks;
  const shards = m.workload.shards;
  const data = m.data.calls;
  const spm = m.spm.calls;
  // A batch is one invocation of your consumer without Foreshadow; with it, one of the dispatcher, plus one
  // of a worker function unless the dispatcher processed it inline (infra `inlineWorkerClass`).
  const batches = invocations(m.data, 'dispatcher');
  const invokedBatches = invocations(m.data, 'worker');
  const inlineBatches = batches - invokedBatches;
  const batchesPerRecord = batches / records;
  const inlineClass = DEPLOYED.workers.find((w) => w.name === m.workload.inlineWorkerClass);
  const dispatcherMemoryMb = inlineClass?.memoryMb ?? DEPLOYED.dispatcher.memoryMb;
  const dispatcherGbSeconds = (invokedBatches * MODELLED.dispatcherMsPerBatch + inlineBatches * MODELLED.dispatcherOwnMsPerBatch) / 1000 * (dispatcherMemoryMb / 1024) / records;
  const metrics = metricCounts(m);
  const ticksNote = `${ticks} ticks over ${shards} shards and ${m.workerClasses} worker classes; per shard: the tick's total / shards (conservative)`;
  const measured = (name: string, scale: Scale, quantity: number, unit: string, unitPriceUsd: number, note: string): CostItem => ({ name, part: 'overhead', scale, quantity, unit, unitPriceUsd, measured: true, note });
  const modelled = (name: string, part: CostItem['part'], scale: Scale, quantity: number, unit: string, unitPriceUsd: number, note: string): CostItem => ({ name, part, scale, quantity, unit, unitPriceUsd, measured: false, note });

  return [
    modelled('Kinesis shard-hours', 'baseline', 'shard-month', 730, 'shard-hour', PRICES.shardHour, 'provisioned shard, 730 h a month'),
    modelled('Kinesis PUT payload units', 'baseline', 'shard-record', MODELLED.putUnitsPerRecord, 'unit', PRICES.putPayloadUnitsPerMillion / 1e6, '1 KB records, one 25 KB unit each'),
    {
      ...modelled('processing function requests', 'baseline', 'shard-record', batchesPerRecord, 'request', LAMBDA_REQUEST, 'your consumer, one invocation per batch (batches per record as measured)'),
      measured: true,
    },
    modelled('processing function duration', 'baseline', 'shard-record', batchesPerRecord * (MODELLED.processingMsPerBatch / 1000) * (MODELLED.processingMemoryMb / 1024), 'GB-s', GB_SECOND, `${MODELLED.processingMsPerBatch} ms per batch at ${MODELLED.processingMemoryMb} MB; Lambda duration on AWS cannot be measured here`),

    measured('dispatcher requests (beyond one per batch)', 'shard-record', invokedBatches / records, 'request', LAMBDA_REQUEST, 'dispatcher and worker invocations per record, less the one per batch your consumer makes anyway'),
    modelled('dispatcher duration', 'overhead', 'shard-record', dispatcherGbSeconds, 'GB-s', GB_SECOND, `at ${dispatcherMemoryMb} MB: ${MODELLED.dispatcherMsPerBatch} ms per batch it waits on an invoked owner for, ${MODELLED.dispatcherOwnMsPerBatch} ms per batch it processes inline (its own work; the processing is the baseline's); batches of each kind measured; Lambda duration on AWS cannot be measured here`),
    measured('dispatcher DynamoDB reads (placement, shadows)', 'shard-record', sum(data, (r) => r.readUnits, dynamoOn('dispatcher')) / records, 'RRU', RRU, 'read request units per record'),
    measured('dispatcher DynamoDB writes (shard progress, shard load)', 'shard-record', sum(data, (r) => r.writeUnits, dynamoOn('dispatcher')) / records, 'WRU', WRU, 'write request units per record; the load every 30 s per environment, counted over 10 s of each shard (at least once per environment), so up to 3× what a longer run shows'),
    measured('worker DynamoDB reads (placement fence)', 'shard-record', sum(data, (r) => r.readUnits, dynamoOn('worker')) / records, 'RRU', RRU, 'metadata table only; the output table is your processor\u2019s'),
    measured('worker DynamoDB writes', 'shard-record', sum(data, (r) => r.writeUnits, dynamoOn('worker')) / records, 'WRU', WRU, 'metadata table only'),
    measured('EMF log ingestion (dispatcher, worker)', 'shard-record', emfBytes(m.data, ['dispatcher', 'worker']) / records, 'byte', LOG_BYTE, 'EMF bytes per record as printed'),
    measured('custom metrics per shard', 'shard-month', metrics.perShard, 'metric-month', PRICES.metricMonth, 'distinct metrics with a ShardId dimension the lines defined'),
    modelled('Kinesis shard-level metrics', 'overhead', 'shard-month', DEPLOYED.stream.shardLevelMetrics.length, 'metric-month', PRICES.metricMonth, 'enabled by the stack for the SPM (stream.shardLevelMetrics)'),
    measured('GetMetricData, shard metrics', 'shard-tick', sum(spm, (r) => r.metricsRequested, (r) => r.service === 'CloudWatch' && r.resource === 'shards') / ticks / shards, 'metric', METRIC_REQUESTED, 'metrics requested per tick and shard: write throttles, read only when the stream had some (none in this workload); the load comes from the metadata table'),
    measured('GetMetricData, stream throttles', 'tick', sum(spm, (r) => r.metricsRequested, (r) => r.service === 'CloudWatch' && r.resource === 'stream') / ticks, 'metric', METRIC_REQUESTED, 'the stream-level throttle count that gates the per-shard read, per tick'),
    measured('SPM DynamoDB reads', 'shard-tick', sum(spm, (r) => r.readUnits, dynamoOn('spm')) / ticks / shards, 'RRU', RRU, ticksNote),
    measured('SPM DynamoDB writes', 'shard-tick', sum(spm, (r) => r.writeUnits, dynamoOn('spm')) / ticks / shards, 'WRU', WRU, ticksNote),

    measured('shadow invocations', 'shadow-record', sum(data, (r) => r.calls, (r) => onPath('dispatcher')(r) && r.operation === 'Invoke.Event') / shadowRecords, 'request', LAMBDA_REQUEST, 'asynchronous invocations per record of the shadowed shard'),
    modelled('shadow duration', 'overhead', 'shadow-record', (invocations(m.data, 'shadow') / shadowRecords) * (MODELLED.shadowMsPerInvocation / 1000) * (MODELLED.shadowMemoryMb / 1024), 'GB-s', GB_SECOND, `${MODELLED.shadowMsPerInvocation} ms per invocation at ${MODELLED.shadowMemoryMb} MB (invocations measured)`),
    measured('shadow DynamoDB reads', 'shadow-record', sum(data, (r) => r.readUnits, dynamoOn('shadow')) / shadowRecords, 'RRU', RRU, 'shadow list per record of the shadowed shard'),
    measured('shadow statistics writes', 'shadow-record', sum(data, (r) => r.writeUnits, dynamoOn('shadow')) / shadowRecords, 'WRU', WRU, 'write request units per record of the shadowed shard'),
    measured('shadow EMF log ingestion', 'shadow-record', emfBytes(m.data, ['shadow']) / shadowRecords, 'byte', LOG_BYTE, 'EMF bytes per record of the shadowed shard'),

    measured('GetMetricData, worker metrics', 'tick', sum(spm, (r) => r.metricsRequested, (r) => r.service === 'CloudWatch' && r.resource === 'workers') / ticks, 'metric', METRIC_REQUESTED, `metrics requested per tick for ${m.workerClasses} worker classes`),
    measured('SPM requests', 'tick', invocations(m.spm, 'spm') / ticks, 'request', LAMBDA_REQUEST, 'one invocation per tick'),
    modelled('SPM duration', 'overhead', 'tick', (MODELLED.spmMsPerTick / 1000) * (DEPLOYED.spm.memoryMb / 1024), 'GB-s', GB_SECOND, `${MODELLED.spmMsPerTick} ms per tick at ${DEPLOYED.spm.memoryMb} MB`),
    measured('SPM EMF log ingestion', 'tick', emfBytes(m.spm, ['spm']) / ticks, 'byte', LOG_BYTE, 'EMF bytes per tick'),
    measured('custom metrics per worker class, SPM', 'month', metrics.other, 'metric-month', PRICES.metricMonth, 'distinct metrics without a ShardId dimension the lines defined'),
    modelled('alarms', 'overhead', 'month', MODELLED.alarmMetrics, 'alarm metric-month', PRICES.alarmMetricMonth, 'the stack\u2019s alarms'),
    modelled('dashboard', 'overhead', 'month', MODELLED.dashboards, 'dashboard-month', PRICES.dashboardMonth, 'beyond the account\u2019s free three'),
  ];
}
