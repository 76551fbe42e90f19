import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { dynamoDbClient, sqsClient } from '../../adapters/aws/clients.js';
import { SqsFailureSink } from '../../adapters/aws/failure-sink.sqs.js';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { isInlineThread, serveInlineThread } from '../../app/dispatch/inline-thread.js';
import { AggregatedTelemetry } from '../../app/telemetry.aggregated.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { Telemetry } from '../../app/telemetry.js';
import type { WorkerDeps } from '../../app/worker/worker-deps.js';
import { createWorkerService, type WorkerService } from '../../app/worker/worker-service.js';
import type { FailureSink, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { ENV } from '../../definitions/resources.js';
import type { Processor } from '../../processor/api.js';
import type { BatchHandlerProgram } from '../../processor/from-batch-handler.js';
import { configFromEnv, requireEnv } from '../shared/env.js';

export type WorkerHandlerDeps = Partial<WorkerDeps> &
  Pick<WorkerDeps, 'workerId' | 'metadata' | 'state' | 'failures'> & {
    readonly telemetry?: Telemetry;
    /**
     * Run shadow batches only and refuse owner (primary) ones with a function error: set on a class's shadow
     * function, whose role may read the output table but not write it, nor send to the failure queue.
     * @default false
     */
    readonly shadowOnly?: boolean;
  };

/**
 * Where a shadow function's failures would go: nowhere. A shadow batch never sends a record to the failure
 * sink (a failing shadow record is counted and dropped), and a shadow function refuses owner batches first,
 * so this is only reached if that changes; it then fails loudly instead of sending without permission.
 */
function noFailureQueue(workerId: string): FailureSink {
  return {
    send: async (record) => {
      throw new Error(`the shadow function of worker ${workerId} has no failure queue (record ${record.sequenceNumber} of ${record.shardId})`);
    },
  };
}

/**
 * The wiring on AWS: DynamoDB metadata and output tables, the SQS failure queue, EMF on stdout. A class's
 * shadow function (`ENV.shadowOnly` = `true`) gets no failure queue and refuses owner batches.
 */
export function workerDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerHandlerDeps {
  const dynamo = dynamoDbClient();
  const workerId = requireEnv(ENV.workerId, env);
  const shadowOnly = env[ENV.shadowOnly] === 'true';
  return {
    workerId,
    metadata: new DynamoDbMetadataStore(dynamo, { metadataTable: requireEnv(ENV.metadataTable, env), auditTable: env[ENV.auditTable] ?? '' }),
    state: new DynamoDbKeyedStateStore(dynamo, requireEnv(ENV.outputTable, env)),
    failures: shadowOnly ? noFailureQueue(workerId) : new SqsFailureSink(sqsClient(), requireEnv(ENV.failureQueueUrl, env)),
    histogramBuckets: configFromEnv(env).spm.histogramBuckets,
    shadowOnly,
  };
}

/**
 * Builds a worker Lambda handler for a processor (see processor/api.ts), or for an existing Kinesis batch
 * handler wrapped by `fromBatchHandler` (processor/from-batch-handler.ts). The dispatcher invokes it with a
 * WorkerRequest: synchronously as the shard's owner (the class's worker function), asynchronously as a
 * shadow (the class's shadow function, same code, `shadowOnly`). Dependencies default to
 * the AWS wiring from the environment, built at the first invocation; the local runtime and the tests pass
 * their own (emulators, in-memory stores, a speed factor).
 */
export function createWorkerHandler<S>(processor: Processor<S> | BatchHandlerProgram, deps?: WorkerHandlerDeps | (() => WorkerHandlerDeps)) {
  const logger = new Logger({ serviceName: 'foreshadow-worker' });
  let service: { run: WorkerService; workerId: string; shadowOnly: boolean } | undefined;
  const build = (): { run: WorkerService; workerId: string; shadowOnly: boolean } => {
    const d = typeof deps === 'function' ? deps() : (deps ?? workerDepsFromEnv());
    const clock = d.clock ?? systemClock;
    const run = createWorkerService(
      processor,
      {
        workerId: d.workerId,
        metadata: d.metadata,
        state: d.state,
        failures: d.failures,
        clock,
        maxAttempts: d.maxAttempts ?? 3,
        histogramBuckets: d.histogramBuckets ?? 32,
        speed: d.speed ?? 1,
        ...(d.keyConcurrency === undefined ? {} : { keyConcurrency: d.keyConcurrency }),
        ...(d.crashPoint === undefined ? {} : { crashPoint: d.crashPoint }),
      },
      // EMF added up per execution environment over 20 s, not a line per batch (app/telemetry.aggregated.ts).
      d.telemetry ?? new AggregatedTelemetry(new EmfTelemetry(), clock),
    );
    return { run, workerId: d.workerId, shadowOnly: d.shadowOnly ?? false };
  };
  const handler = middy(async (request: WorkerRequest, _context: Context): Promise<WorkerResponse> => {
    service ??= build();
    if (service.shadowOnly && request.mode !== 'shadow') {
      throw new Error(`the shadow function of worker ${service.workerId} runs shadow batches only (given a ${request.mode} batch of ${request.shardId})`);
    }
    const response = await service.run.handle(request);
    if (response.rejected) logger.info('rejected a batch with a stale placement', { shardId: request.shardId, epoch: request.epoch, ...response.rejected });
    return response;
  }).use(injectLambdaContext(logger));
  // Loaded as the dispatcher's inline thread (app/dispatch/inline-thread.ts), the same handler serves the
  // inline class's owner batches there; the dispatcher keeps the deadline.
  if (isInlineThread()) serveInlineThread((request) => handler(request, localContext(`inline-${request.shardId}`, 15 * 60_000)));
  return handler;
}
