import { CloudWatchMetricsSource } from '../../adapters/aws/metrics-source.cloudwatch.js';
import { cloudWatchClient, dynamoDbClient, kinesisClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { policyByName } from '../../core/policies/index.js';
import { ENV } from '../../definitions/resources.js';
import { configFromEnv, requireEnv, workersFromEnv } from '../shared/env.js';
import { workerNode } from '../shared/workers.js';
import { completePeriodsOnly } from '../../app/metrics/complete-periods.metrics.js';
import { shardLoadMetrics } from '../../app/metrics/shard-load.metrics.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { createSpmHandler } from './create-spm-handler.js';

/**
 * How long after a metric period ends the SPM trusts its CloudWatch datapoint to be complete, in ms (worker
 * metrics and per-shard write throttles; each shard's load comes from the metadata table, ~15 s after its
 * minute: app/metrics/shard-load.metrics.ts). EMF
 * datapoints of a minute keep arriving for a while after it; third-party reports put shard metrics at
 * about 2 min (ANCHORS.md), the same delay the simulator's `aws` profile models.
 * @default 120000
 */
const METRIC_AVAILABILITY_DELAY_MS = 120_000;

/** The scheduled SPM Lambda, wired from the environment the CDK app sets (see infra/). */
export const handler = createSpmHandler(() => {
  const streamName = requireEnv(ENV.streamName);
  const config = configFromEnv();
  const metadataTable = requireEnv(ENV.metadataTable);
  const cloudwatch = new CloudWatchMetricsSource(cloudWatchClient(), { streamName });
  return {
    metadata: new DynamoDbMetadataStore(dynamoDbClient(), { metadataTable, auditTable: requireEnv(ENV.auditTable) }),
    metrics: shardLoadMetrics({
      load: new DynamoDbShardLoadStore(dynamoDbClient(), { metadataTable }),
      cloudwatch: completePeriodsOnly(cloudwatch, () => Date.now(), METRIC_AVAILABILITY_DELAY_MS),
      throttles: cloudwatch,
      now: () => Date.now(),
    }),
    stream: new KinesisStreamControl(kinesisClient(), streamName),
    policy: policyByName(process.env[ENV.policy] ?? 'spm', ENV.policy),
    config,
    workers: workersFromEnv().map(workerNode),
    metricsPeriodMs: Math.max(60_000, config.tickIntervalMs),
  };
});
