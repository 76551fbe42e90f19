import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { ENV, INLINE_WORKER_BUNDLE, TABLES } from '../../definitions/resources.js';
import { useDynalite, uniqueName } from '../support/emulators.js';
import { partition } from './factories.js';

const dynalite = useDynalite();
let dynamo: DynamoDBClient;
let dir: string;
beforeAll(() => {
  dynamo = dynamoDbClient({ endpoint: dynalite.endpoint, maxAttempts: 1 });
  // Inside the repository, so that the bundles resolve the AWS SDK from node_modules as Lambda's runtime provides it.
  mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'dispatcher-bundle-'));
});
afterAll(() => {
  dynamo.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** As infra/constructs/node-function.ts bundles a handler: ESM, the require banner, the AWS SDK external. */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile: join(dir, outfile),
    external: ['@aws-sdk/*'],
    banner: { js: 'import { createRequire as __foreshadowCreateRequire } from "node:module"; const require = __foreshadowCreateRequire(import.meta.url);' },
    logLevel: 'silent',
  });
}

describe('the dispatcher bundle as Lambda runs it, with its inline class', () => {
  it("processes the inline class's batch in a thread running the worker bundle next to it, and writes the shard's load", async () => {
    await Promise.all([bundle('functions/dispatcher/handler.ts', 'index.mjs'), bundle('functions/worker/handler.ts', INLINE_WORKER_BUNDLE)]);
    const metadataTable = uniqueName('meta');
    const outputTable = uniqueName('out');
    await Promise.all([ensureTable(dynamo, metadataTable, TABLES.metadata), ensureTable(dynamo, outputTable, TABLES.output)]);
    const shardId = 'shardId-000000000000';
    await new DynamoDbMetadataStore(dynamo, { metadataTable, auditTable: '' }).createPartition(partition({ shardId, ownerWorkerId: 'small' }));
    const env: Record<string, string> = {
      [ENV.streamName]: 'unused-stream',
      [ENV.metadataTable]: metadataTable,
      [ENV.outputTable]: outputTable,
      [ENV.inlineWorkerId]: 'small',
      [ENV.inlineWorkerTimeoutMs]: '30000',
      [ENV.workers]: JSON.stringify([{ workerId: 'small', functionName: 'unused-small', memoryMb: 512, slots: 1000, speed: 1 }]),
      [ENV.failureQueueUrl]: 'http://127.0.0.1:9/queue/unused',
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env); // the handler and its thread read the process environment
    try {
      const { handler } = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse> };
      const now = Date.now() / 1000;
      const event = {
        Records: [1, 2, 3].map((v, i) => ({
          eventID: `${shardId}:${1000 + i}`,
          kinesis: { sequenceNumber: String(1000 + i), partitionKey: 'k1', data: Buffer.from(JSON.stringify({ v })).toString('base64'), approximateArrivalTimestamp: now },
        })),
      } as unknown as KinesisStreamEvent;
      expect(await handler(event, localContext('foreshadow-dispatcher', 120_000))).toEqual({ batchItemFailures: [] });
      expect((await new DynamoDbKeyedStateStore(dynamo, outputTable).get('k1'))?.value).toMatchObject({ count: 3, sum: 6 });
      // The first batch of an environment writes its shard's load at once.
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      const load = new DynamoDbShardLoadStore(dynamo, { metadataTable });
      const points = (await Promise.all([minute - 60_000, minute].map((at) => load.listShardLoad(at)))).flat();
      expect(points.reduce((n, p) => n + p.incomingRecords, 0)).toBe(3);
      expect(points.reduce((n, p) => n + p.processedRecords, 0)).toBe(3);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }, 60_000);
});
