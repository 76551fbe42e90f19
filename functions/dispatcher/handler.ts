import { dynamoDbClient, kinesisClient, lambdaClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { tableCreatedAtMs } from '../../adapters/aws/tables.dynamodb.js';
import { LambdaWorkerInvoker } from '../../adapters/aws/worker-invoker.lambda.js';
import { InlineThread } from '../../app/dispatch/inline-thread.js';
import { InlineWorkerInvoker } from '../../app/dispatch/inline-worker-invoker.js';
import type { WorkerInvoker } from '../../core/ports/index.js';
import { DEFAULTS, ENV, INLINE_WORKER_BUNDLE } from '../../definitions/resources.js';
import { configFromEnv, requireEnv, startingPositionFromEnv, workersFromEnv } from '../shared/env.js';
import { createDispatcherHandler } from './create-dispatcher-handler.js';

/**
 * The dispatcher Lambda, wired from the environment the CDK app sets (see infra/). Its metadata reads need
 * only the metadata table (ENV.auditTable is not set for it). Owners are invoked on each class's worker
 * function, shadow samples on its shadow function; with ENV.inlineWorkerId set (infra `inlineWorkerClass`),
 * that class's owner batches run in this invocation, in a worker thread running the class's worker handler. With
 * the mapping at LATEST, the metadata table's creation time stands for the earliest the mapping can have
 * started (see tableCreatedAtMs).
 */
export const handler = createDispatcherHandler(() => {
  const workers = new Map(workersFromEnv().map((w) => [w.workerId, w]));
  const dynamo = dynamoDbClient();
  const metadataTable = requireEnv(ENV.metadataTable);
  const position = startingPositionFromEnv();
  const metadata = new DynamoDbMetadataStore(dynamo, { metadataTable, auditTable: process.env[ENV.auditTable] ?? '' });
  const invoker = new LambdaWorkerInvoker(lambdaClient(), {
    functionNameOf: (workerId) => workers.get(workerId)?.functionName,
    // Shadows run on the class's shadow function, never in the owners' reserved concurrency.
    shadowFunctionNameOf: (workerId) => workers.get(workerId)?.shadowFunctionName,
  });
  const inlineId = process.env[ENV.inlineWorkerId];
  return {
    metadata,
    // Each shard's load per minute, for the SPM (app/dispatch/load-recorder.ts).
    load: new DynamoDbShardLoadStore(dynamo, { metadataTable }),
    mappingStart: async () => (position === 'LATEST' ? { position, notBeforeMs: await tableCreatedAtMs(dynamo, metadataTable) } : { position }),
    stream: new KinesisStreamControl(kinesisClient(), requireEnv(ENV.streamName), { drainReadIntervalMs: DEFAULTS.drainReadIntervalMs }),
    invoker: inlineId ? inlineInvoker(invoker, inlineId) : invoker,
    // Burst lanes run on the worker classes by speed (config.lanes; app/dispatch/burst-lanes.ts).
    lanePool: [...workers.values()].map((w) => ({ workerId: w.workerId, speed: w.speed })),
    options: { lanes: configFromEnv().lanes },
  };
});

/**
 * The inline class's owner batches, run in a worker thread of this function that loads the class's worker
 * handler (the example processor's or yours, `workerEntry`) from `INLINE_WORKER_BUNDLE`
 * (app/dispatch/inline-thread.ts): a record that blocks the thread past the class's timeout, or exhausts the
 * thread's heap (60 % of the function's memory), fails its batch and the crash search gives it up, as on the
 * class's worker function; the dispatcher's invocation goes on.
 */
function inlineInvoker(invoker: WorkerInvoker, workerId: string): InlineWorkerInvoker {
  const memoryMb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0);
  const thread = new InlineThread({
    script: new URL(`./${INLINE_WORKER_BUNDLE}`, import.meta.url),
    env: { ...process.env, [ENV.workerId]: workerId },
    ...(memoryMb > 0 ? { maxOldGenerationSizeMb: Math.max(64, Math.floor(memoryMb * 0.6)) } : {}),
  });
  return new InlineWorkerInvoker(invoker, { workerId, handle: thread.handle, abort: (reason) => thread.abort(reason), ready: () => thread.ready(), ...inlineTimeout() });
}

/** The inline class's timeout (ENV.inlineWorkerTimeoutMs), the deadline of an inline batch; none if unset. */
function inlineTimeout(): { timeoutMs?: number } {
  const raw = process.env[ENV.inlineWorkerTimeoutMs];
  if (raw === undefined) return {};
  const timeoutMs = Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`${ENV.inlineWorkerTimeoutMs} is ${JSON.stringify(raw)}: a positive integer (ms) is allowed`);
  return { timeoutMs };
}
