import { CloudWatchMetricsSource } from '../../adapters/aws/metrics-source.cloudwatch.js';
import { cloudWatchClient, dynamoDbClient, kinesisClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { policyByName } from '../../core/policies/index.js';
import { ENV } from '../../definitions/resources.js';
import { configFromEnv, requireEnv, workersFromEnv } from '../shared/env.js';
import { workerNode } from '../shared/workers.js';
import { completePeriodsOnly } from '../../app/metrics/complete-periods.metrics.js';
import { createSpmHandler } from './create-spm-handler.js';

/**
 * How long after a metric period ends the SPM trusts its CloudWatch datapoint to be complete, in ms. EMF
 * datapoints of a minute keep arriving for a while after it; third-party reports put shard metrics at
 * about 2 min (ANCHORS.md), the same delay the simulator's `aws` profile models.
 * @default 120000
 */
const METRIC_AVAILABILITY_DELAY_MS = 120_000;

/** The scheduled SPM Lambda, wired from the environment the CDK app sets (see infra/). */
export const handler = createSpmHandler(() => {
  const streamName = requireEnv(ENV.streamName);
  const config = configFromEnv();
  return {
    metadata: new DynamoDbMetadataStore(dynamoDbClient(), { metadataTable: requireEnv(ENV.metadataTable), auditTable: requireEnv(ENV.auditTable) }),
    metrics: completePeriodsOnly(new CloudWatchMetricsSource(cloudWatchClient(), { streamName }), () => Date.now(), METRIC_AVAILABILITY_DELAY_MS),
    stream: new KinesisStreamControl(kinesisClient(), streamName),
    policy: policyByName(process.env[ENV.policy] ?? 'spm', ENV.policy),
    config,
    workers: workersFromEnv().map(workerNode),
    metricsPeriodMs: Math.max(60_000, config.tickIntervalMs),
  };
});
