import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { InlineThread } from '../../app/dispatch/inline-thread.js';
import { ENV, TABLES } from '../../definitions/resources.js';
import { useDynalite, uniqueName } from '../support/emulators.js';
import { partition, request, wireRecord } from './factories.js';

const dynalite = useDynalite();
let dynamo: DynamoDBClient;
let dir: string;
beforeAll(() => {
  dynamo = dynamoDbClient({ endpoint: dynalite.endpoint, maxAttempts: 1 });
  // Inside the repository, so that the bundle resolves the AWS SDK from node_modules as Lambda's runtime provides it.
  mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'dispatcher-bundle-'));
});
afterAll(() => {
  dynamo.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dispatcher bundle as Lambda runs it', () => {
  it('starts its inline worker thread from its own module and answers an owner batch there', async () => {
    // The NodeFunction's bundling (infra/constructs/node-function.ts): ESM, the require banner, the SDK external.
    await build({
      entryPoints: ['functions/dispatcher/handler.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: join(dir, 'index.mjs'),
      external: ['@aws-sdk/*'],
      banner: { js: "import { createRequire as __foreshadowCreateRequire } from 'node:module'; const require = __foreshadowCreateRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const metadataTable = uniqueName('meta');
    const outputTable = uniqueName('out');
    await Promise.all([ensureTable(dynamo, metadataTable, TABLES.metadata), ensureTable(dynamo, outputTable, TABLES.output)]);
    await new DynamoDbMetadataStore(dynamo, { metadataTable, auditTable: '' }).createPartition(partition({ ownerWorkerId: 'small' }));
    const env: Record<string, string> = {
      [ENV.metadataTable]: metadataTable,
      [ENV.outputTable]: outputTable,
      [ENV.inlineWorkerId]: 'small',
      [ENV.failureQueueUrl]: 'http://127.0.0.1:9/queue/unused',
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env); // a worker thread starts with a copy of the process environment
    const thread = new InlineThread({ script: pathToFileURL(join(dir, 'index.mjs')), workerData: { foreshadowInlineThread: true }, maxOldGenerationSizeMb: 128 });
    try {
      await thread.ready();
      const response = await thread.handle(request([wireRecord(1, 'k1', { v: 7 })], { shardId: 'shardId-000000000000' }));
      expect(response).toMatchObject({ processed: 1, batchItemFailures: [] });
    } finally {
      await thread.abort();
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }, 60_000);
});
