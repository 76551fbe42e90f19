import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { SqsFailureSink } from '../../adapters/aws/failure-sink.sqs.js';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { Telemetry } from '../../app/telemetry.js';
import type { WorkerDeps } from '../../app/worker/worker-deps.js';
import { createWorkerService, type WorkerService } from '../../app/worker/worker-service.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { ENV } from '../../definitions/resources.js';
import type { Processor } from '../../processor/api.js';
import { configFromEnv, requireEnv } from '../shared/env.js';

export type WorkerHandlerDeps = Partial<WorkerDeps> & Pick<WorkerDeps, 'workerId' | 'metadata' | 'state' | 'failures'> & { readonly telemetry?: Telemetry };

/** The wiring on AWS: DynamoDB metadata and output tables, the SQS failure queue, EMF on stdout. */
export function workerDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerHandlerDeps {
  const dynamo = dynamoDbClient();
  return {
    workerId: requireEnv(ENV.workerId, env),
    metadata: new DynamoDbMetadataStore(dynamo, { metadataTable: requireEnv(ENV.metadataTable, env), auditTable: env[ENV.auditTable] ?? '' }),
    state: new DynamoDbKeyedStateStore(dynamo, requireEnv(ENV.outputTable, env)),
    failures: new SqsFailureSink(new SQSClient({}), requireEnv(ENV.failureQueueUrl, env)),
    histogramBuckets: configFromEnv(env).spm.histogramBuckets,
  };
}

/**
 * Builds a worker Lambda handler for a processor (see processor/api.ts). The dispatcher invokes it with a
 * WorkerRequest: synchronously as the shard's owner, asynchronously as a shadow. Dependencies default to
 * the AWS wiring from the environment, built at the first invocation; the local runtime and the tests pass
 * their own (emulators, in-memory stores, a speed factor).
 */
export function createWorkerHandler<S>(processor: Processor<S>, deps?: WorkerHandlerDeps | (() => WorkerHandlerDeps)) {
  const logger = new Logger({ serviceName: 'foreshadow-worker' });
  let service: WorkerService | undefined;
  const build = (): WorkerService => {
    const d = typeof deps === 'function' ? deps() : (deps ?? workerDepsFromEnv());
    return createWorkerService(
      processor,
      {
        workerId: d.workerId,
        metadata: d.metadata,
        state: d.state,
        failures: d.failures,
        clock: d.clock ?? systemClock,
        maxAttempts: d.maxAttempts ?? 3,
        histogramBuckets: d.histogramBuckets ?? 32,
        speed: d.speed ?? 1,
        ...(d.keyConcurrency === undefined ? {} : { keyConcurrency: d.keyConcurrency }),
      },
      d.telemetry ?? new EmfTelemetry(),
    );
  };
  return middy(async (request: WorkerRequest, _context: Context): Promise<WorkerResponse> => {
    service ??= build();
    const response = await service.handle(request);
    if (response.rejected) logger.info('rejected a batch with a stale placement', { shardId: request.shardId, epoch: request.epoch, ...response.rejected });
    return response;
  }).use(injectLambdaContext(logger));
}
