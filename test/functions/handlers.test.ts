import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { noTelemetry } from '../../app/telemetry.js';
import { ok } from '../../core/ports/index.js';
import { createDispatcherHandler } from '../../functions/dispatcher/create-dispatcher-handler.js';
import { configFromEnv, requireEnv, workersFromEnv } from '../../functions/shared/env.js';
import { createWorkerHandler, workerDepsFromEnv } from '../../functions/worker/create-worker-handler.js';
import { handler as workerLambda } from '../../functions/worker/handler.js';
import { aggregatesProcessor } from '../../processor/aggregates.processor.js';
import { FakeMetadata, partition, request, wireRecord, workerDeps } from './factories.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

function esmEvent(shardId: string, seqs: string[]): KinesisStreamEvent {
  return {
    Records: seqs.map((seq) => ({
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'k', sequenceNumber: seq, data: Buffer.from('{"v":1}').toString('base64'), approximateArrivalTimestamp: 1_700_000_000.5 },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${seq}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::0:role/x',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:0:stream/s',
    })),
  };
}

describe('the Lambda entries', () => {
  it('the dispatcher handler answers the ESM with the owner batch item failures', async () => {
    const metadata = new FakeMetadata(partition());
    const seen: string[] = [];
    const handler = createDispatcherHandler({
      metadata,
      stream: { isDrained: async () => true },
      invoker: {
        invoke: async (workerId, request) => {
          seen.push(`${workerId} ${request.shardId} ${request.records.map((r) => `${r.sequenceNumber}@${r.approximateArrivalMs}`).join(',')}`);
          return ok({ batchItemFailures: [{ itemIdentifier: '12' }], processed: 1, busyMs: 1 });
        },
        invokeAsync: async () => ok({ calls: 1 }),
      },
      telemetry: noTelemetry,
    });
    const response = await handler(esmEvent('shardId-000000000000', ['11', '12']), localContext('dispatcher', 60_000));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '12' }] });
    expect(seen).toEqual(['w1 shardId-000000000000 11@1700000000500,12@1700000000500']);
  });

  it('the worker Lambda names the missing environment variable at its first invocation', async () => {
    const saved = process.env.FORESHADOW_WORKER_ID;
    delete process.env.FORESHADOW_WORKER_ID;
    try {
      await expect(workerLambda({ mode: 'primary', shardId: 's', epoch: 1, records: [] }, localContext('worker', 1000))).rejects.toThrow(
        'environment variable FORESHADOW_WORKER_ID must be set (given nothing)',
      );
    } finally {
      if (saved !== undefined) process.env.FORESHADOW_WORKER_ID = saved;
    }
  });

  it("a class's shadow function runs shadow batches and refuses owner batches, writing nothing", async () => {
    const deps = workerDeps(new FakeMetadata(partition()));
    const handler = createWorkerHandler(aggregatesProcessor, { ...deps, telemetry: noTelemetry, shadowOnly: true });
    const records = [wireRecord(1, 'k', { value: 1 })];
    await expect(handler(request(records), localContext('worker', 1000))).rejects.toThrow('the shadow function of worker w1 runs shadow batches only (given a primary batch of shardId-000000000000)');
    expect(await handler(request(records, { mode: 'shadow' }), localContext('worker', 1000))).toMatchObject({ batchItemFailures: [] });
    expect(await deps.state.get('k')).toBeUndefined();
    expect(deps.failures.records).toEqual([]);
  });

  it.each([
    ['with a failure queue for a worker function', {}, false],
    ['without one for a shadow function', { FORESHADOW_SHADOW_ONLY: 'true' }, true],
  ])('the worker wiring from the environment is built %s', async (_what, extra, shadowOnly) => {
    const env = { FORESHADOW_WORKER_ID: 'small', FORESHADOW_METADATA_TABLE: 'meta', FORESHADOW_OUTPUT_TABLE: 'out', ...extra };
    if (!shadowOnly) expect(() => workerDepsFromEnv(env)).toThrow('environment variable FORESHADOW_FAILURE_QUEUE_URL must be set');
    const deps = workerDepsFromEnv({ ...env, ...(shadowOnly ? {} : { FORESHADOW_FAILURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/q' }) });
    expect(deps.shadowOnly).toBe(shadowOnly);
    if (shadowOnly) await expect(deps.failures.send({ sequenceNumber: '7', shardId: 's' } as never)).rejects.toThrow('the shadow function of worker small has no failure queue');
  });

  it.each([
    ['a list that is not one', { FORESHADOW_WORKERS: '{"a":1}' }, /FORESHADOW_WORKERS must be a JSON list/],
    ['a worker without a function name', { FORESHADOW_WORKERS: '[{"workerId":"w1"}]' }, /FORESHADOW_WORKERS\[0\] must have workerId and functionName/],
    ['an empty shadow function name', { FORESHADOW_WORKERS: '[{"workerId":"w1","functionName":"f1","shadowFunctionName":""}]' }, /FORESHADOW_WORKERS\[0\]\.shadowFunctionName must be a function name or absent \(given ""\)/],
  ])('the worker list rejects %s', (_what, env, message) => {
    expect(() => workersFromEnv(env)).toThrow(message);
  });

  it.each([
    ['its shadow function when the list names one', '{"workerId":"w1","functionName":"f1","shadowFunctionName":"f1-shadow"}', 'f1-shadow'],
    ['the worker function itself in a list written before shadow functions', '{"workerId":"w1","functionName":"f1"}', 'f1'],
  ])('the worker list gives each class %s', (_what, json, shadowFunctionName) => {
    expect(workersFromEnv({ FORESHADOW_WORKERS: `[${json}]` })).toEqual([{ workerId: 'w1', functionName: 'f1', shadowFunctionName, memoryMb: 1024, slots: 1, speed: 1 }]);
  });

  it('reads the decision configuration and names a bad key', () => {
    expect(configFromEnv({}).spm.hotThreshold).toBe(0.6);
    expect(() => configFromEnv({ FORESHADOW_CONFIG: '{"spm":{"hotThreshold":0}}' })).toThrow('FORESHADOW_CONFIG.spm.hotThreshold must be a number greater than 0 (given 0)');
    expect(() => requireEnv('X', {})).toThrow('environment variable X must be set');
  });
});
