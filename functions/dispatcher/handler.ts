import { dynamoDbClient, kinesisClient, lambdaClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { LambdaWorkerInvoker } from '../../adapters/aws/worker-invoker.lambda.js';
import { ENV } from '../../definitions/resources.js';
import { requireEnv, workersFromEnv } from '../shared/env.js';
import { createDispatcherHandler } from './create-dispatcher-handler.js';

/**
 * The dispatcher Lambda, wired from the environment the CDK app sets (see infra/). Its metadata reads need
 * only the metadata table (ENV.auditTable is not set for it). Owners are invoked on each class's worker
 * function, shadow samples on its shadow function.
 */
export const handler = createDispatcherHandler(() => {
  const workers = new Map(workersFromEnv().map((w) => [w.workerId, w]));
  return {
    metadata: new DynamoDbMetadataStore(dynamoDbClient(), { metadataTable: requireEnv(ENV.metadataTable), auditTable: process.env[ENV.auditTable] ?? '' }),
    stream: new KinesisStreamControl(kinesisClient(), requireEnv(ENV.streamName)),
    invoker: new LambdaWorkerInvoker(lambdaClient(), {
      functionNameOf: (workerId) => workers.get(workerId)?.functionName,
      // Shadows run on the class's shadow function, never in the owners' reserved concurrency.
      shadowFunctionNameOf: (workerId) => workers.get(workerId)?.shadowFunctionName,
    }),
  };
});
