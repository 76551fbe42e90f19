import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { noTelemetry } from '../../app/telemetry.js';
import { ok } from '../../core/ports/index.js';
import { createDispatcherHandler } from '../../functions/dispatcher/create-dispatcher-handler.js';
import { configFromEnv, requireEnv, workersFromEnv } from '../../functions/shared/env.js';
import { handler as workerLambda } from '../../functions/worker/handler.js';
import { FakeMetadata, partition } from './factories.js';

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
