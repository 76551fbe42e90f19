/**
 * Every AWS list price Foreshadow's cost figures use, in USD, in one place: the simulator's cost column, the
 * local run's report and `npm run cost` (docs/COST.md) all price their counts with these.
 *
 * Region us-east-1 (N. Virginia), on-demand list prices, free tiers ignored. Checked against the public
 * pricing pages as stored by the project's search tool on PRICES_CHECKED (this machine has no internet
 * access): Kinesis Data Streams (https://aws.amazon.com/kinesis/data-streams/pricing/), Lambda
 * (https://aws.amazon.com/lambda/pricing/, Arm), DynamoDB on-demand, CloudWatch. Where a figure could only be
 * quoted from the long-standing list price, its TSDoc says so. Check them before quoting a bill.
 */
export const PRICES_CHECKED = '2026-12-07';

export const PRICES = {
  // --- Kinesis Data Streams, provisioned mode
  /** Per open shard per hour. */
  shardHour: 0.015,
  /** PUT payload units (each record rounded up to 25 KB), per million. */
  putPayloadUnitsPerMillion: 0.014,
  /** Enhanced fan-out: per consumer per shard per hour. */
  efoConsumerShardHour: 0.015,
  /** Enhanced fan-out data retrieval, per GB. */
  efoRetrievalPerGb: 0.013,

  // --- Kinesis Data Streams, on-demand (Standard) mode; records rounded up to 1 KB
  /** Per stream per hour in on-demand mode. Long-standing list price, not re-checked live. */
  onDemandStreamHour: 0.04,
  /** Data written (ingested), per GB. Long-standing list price, not re-checked live. */
  onDemandIngestPerGb: 0.08,
  /** Data read (retrieved) by shared-throughput consumers, per GB. Long-standing list price, not re-checked live. */
  onDemandRetrievalPerGb: 0.04,

  // --- Lambda (Foreshadow's functions are Arm64: infra/constructs/node-function.ts)
  /** Compute per GB-second, Arm, first 7.5 billion GB-s a month. */
  lambdaGbSecond: 0.0000133334,
  /** Requests, per million invocations. */
  lambdaRequestsPerMillion: 0.2,

  // --- DynamoDB on-demand (standard table class)
  /** Write request units, per million. */
  dynamoWriteUnitsPerMillion: 0.625,
  /** Read request units, per million (a strongly consistent read of up to 4 KB is one unit). */
  dynamoReadUnitsPerMillion: 0.125,

  // --- CloudWatch
  /** GetMetricData, per 1,000 metrics requested. */
  getMetricDataPerThousandMetrics: 0.01,
  /** A custom metric (and a Kinesis shard-level metric) per month, first 10,000. */
  metricMonth: 0.3,
  /** CloudWatch Logs ingestion (EMF lines are log events), per GB. */
  logsIngestionPerGb: 0.5,
  /** A standard-resolution alarm, per alarm metric per month. */
  alarmMetricMonth: 0.1,
  /** A dashboard beyond the free three, per month. */
  dashboardMonth: 3,

  // --- Other
  /** A customer-managed KMS key, per month. */
  kmsKeyMonth: 1,
  /** SQS standard requests, per million (64 KB chunks). */
  sqsRequestsPerMillion: 0.4,
} as const;

export type PriceName = keyof typeof PRICES;

/** Hours in the month every monthly figure is quoted for (AWS bills 730 h as a month). */
export const HOURS_PER_MONTH = 730;
