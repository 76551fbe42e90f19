import { CloudWatchMetricsSource } from '../../adapters/aws/metrics-source.cloudwatch.js';
import { cloudWatchClient, dynamoDbClient, kinesisClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { policyByName } from '../../core/policies/index.js';
import { ENV } from '../../definitions/resources.js';
import { configFromEnv, requireEnv, workersFromEnv } from '../shared/env.js';
import { workerNode } from '../shared/workers.js';
import { createSpmHandler } from './create-spm-handler.js';

/** The scheduled SPM Lambda, wired from the environment the CDK app sets (see infra/). */
export const handler = createSpmHandler(() => {
  const streamName = requireEnv(ENV.streamName);
  const config = configFromEnv();
  return {
    metadata: new DynamoDbMetadataStore(dynamoDbClient(), { metadataTable: requireEnv(ENV.metadataTable), auditTable: requireEnv(ENV.auditTable) }),
    metrics: new CloudWatchMetricsSource(cloudWatchClient(), { streamName }),
    stream: new KinesisStreamControl(kinesisClient(), streamName),
    policy: policyByName(process.env[ENV.policy] ?? 'spm', ENV.policy),
    config,
    workers: workersFromEnv().map(workerNode),
    metricsPeriodMs: Math.max(60_000, config.tickIntervalMs),
  };
});
