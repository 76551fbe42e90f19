import { dynamoDbClient, kinesisClient, lambdaClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { tableCreatedAtMs } from '../../adapters/aws/tables.dynamodb.js';
import { LambdaWorkerInvoker } from '../../adapters/aws/worker-invoker.lambda.js';
import { ENV } from '../../definitions/resources.js';
import { requireEnv, startingPositionFromEnv, workersFromEnv } from '../shared/env.js';
import { createDispatcherHandler } from './create-dispatcher-handler.js';

/**
 * The dispatcher Lambda, wired from the environment the CDK app sets (see infra/). Its metadata reads need
 * only the metadata table (ENV.auditTable is not set for it). Owners are invoked on each class's worker
 * function, shadow samples on its shadow function. With the mapping at LATEST, the metadata table's creation
 * time stands for the earliest the mapping can have started (see tableCreatedAtMs).
 */
export const handler = createDispatcherHandler(() => {
  const workers = new Map(workersFromEnv().map((w) => [w.workerId, w]));
  const metadataTable = requireEnv(ENV.metadataTable);
  const position = startingPositionFromEnv();
  return {
    metadata: new DynamoDbMetadataStore(dynamoDbClient(), { metadataTable, auditTable: process.env[ENV.auditTable] ?? '' }),
    mappingStart: async () => (position === 'LATEST' ? { position, notBeforeMs: await tableCreatedAtMs(dynamoDbClient(), metadataTable) } : { position }),
    stream: new KinesisStreamControl(kinesisClient(), requireEnv(ENV.streamName)),
    invoker: new LambdaWorkerInvoker(lambdaClient(), {
      functionNameOf: (workerId) => workers.get(workerId)?.functionName,
      // Shadows run on the class's shadow function, never in the owners' reserved concurrency.
      shadowFunctionNameOf: (workerId) => workers.get(workerId)?.shadowFunctionName,
    }),
  };
});
