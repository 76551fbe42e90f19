import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { sleep, systemClock } from '../../adapters/local/system-clock.js';
import { createDispatcher } from '../../app/dispatch/dispatcher.js';
import { InlineThread } from '../../app/dispatch/inline-thread.js';
import { InlineWorkerInvoker } from '../../app/dispatch/inline-worker-invoker.js';
import { noTelemetry } from '../../app/telemetry.js';
import type { WireRecord, WorkerInvoker } from '../../core/ports/index.js';
import { failed } from '../../core/ports/outcome.js';
import { TABLES } from '../../definitions/resources.js';
import type { Aggregate } from '../../processor/aggregates.processor.js';
import { useDynalite, uniqueName } from '../support/emulators.js';
import { partition, request } from './factories.js';

const dynalite = useDynalite();
let dynamo: DynamoDBClient;
beforeAll(() => {
  dynamo = dynamoDbClient({ endpoint: dynalite.endpoint, maxAttempts: 1 });
});
afterAll(() => dynamo.destroy());

const SHARD = 'shardId-000000000000';
const BOOTSTRAP = new URL('../support/ts-thread.mjs', import.meta.url);
const SCRIPT = new URL('../fixtures/inline-thread.worker.ts', import.meta.url).href;
/** Far beyond what one batch of the fixture takes once its thread is up (the deadline starts then). */
const TIMEOUT_MS = 4_000;

/** Fresh tables, the partition owned by w1, and an inline w1 running in a thread (test/fixtures/inline-thread.worker.ts). */
async function setup() {
  const metadataTable = uniqueName('meta');
  const outputTable = uniqueName('out');
  await Promise.all([ensureTable(dynamo, metadataTable, TABLES.metadata), ensureTable(dynamo, outputTable, TABLES.output)]);
  const metadata = new DynamoDbMetadataStore(dynamo, { metadataTable, auditTable: '' });
  await metadata.createPartition(partition({ shardId: SHARD, ownerWorkerId: 'w1' }));
  const failuresFile = join(mkdtempSync(join(tmpdir(), 'inline-')), 'failures.jsonl');
  const thread = new InlineThread({
    script: BOOTSTRAP,
    workerData: { script: SCRIPT, endpoint: dynalite.endpoint, metadataTable, outputTable, failuresFile, workerId: 'w1' },
    maxOldGenerationSizeMb: 48,
  });
  const elsewhere: WorkerInvoker = { invoke: async () => failed('not-found', 'no other worker'), invokeAsync: async () => failed('not-found', 'no other worker') };
  const invoker = new InlineWorkerInvoker(elsewhere, { workerId: 'w1', handle: thread.handle, abort: (reason) => thread.abort(reason), ready: () => thread.ready(), timeoutMs: TIMEOUT_MS });
  const failures = (): { sequenceNumber: string; attempts: number }[] => {
    try {
      return readFileSync(failuresFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sequenceNumber: string; attempts: number });
    } catch {
      return [];
    }
  };
  const state = new DynamoDbKeyedStateStore(dynamo, outputTable);
  return { metadata, thread, invoker, failures, aggregate: async (key: string) => (await state.get(key))?.value as Aggregate | undefined };
}

let seq = 0;
function record(key: string, payload: object): WireRecord {
  seq += 1;
  return { sequenceNumber: String(1_000_000 + seq), partitionKey: key, data: Buffer.from(JSON.stringify(payload)).toString('base64'), approximateArrivalMs: Date.now() };
}

describe('inline batches in a worker thread (inline-thread.ts)', () => {
  it('answers a batch whose record blocks the thread as a timeout, stops the thread, and runs the next batch on a new one', async () => {
    const { invoker, thread, aggregate } = await setup();
    try {
      const started = Date.now();
      const blocked = await invoker.invoke('w1', request([record('kloop', { v: 1, loop: true })]));
      expect(blocked).toMatchObject({ ok: false, reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(60_000);
      const next = await invoker.invoke('w1', request([record('k1', { v: 5 })]));
      expect(next).toMatchObject({ ok: true, value: { processed: 1, batchItemFailures: [] } });
      expect(await aggregate('k1')).toMatchObject({ count: 1, sum: 5 });
    } finally {
      await thread.abort();
    }
  });

  it('answers a batch whose record exhausts the thread\u2019s heap as a function error, and runs the next batch on a new thread', async () => {
    const { invoker, thread, aggregate } = await setup();
    try {
      const hog = await invoker.invoke('w1', request([record('khog', { v: 1, hog: true })]));
      expect(hog).toMatchObject({ ok: false, reason: 'function-error' });
      expect(await invoker.invoke('w1', request([record('k2', { v: 2 })]))).toMatchObject({ ok: true });
      expect(await aggregate('k2')).toMatchObject({ count: 1, sum: 2 });
    } finally {
      await thread.abort();
    }
  });

  it('through the dispatcher: the record that blocks the thread ends in the failure sink after maxAttempts and every other record is applied once', async () => {
    const { invoker, thread, metadata, failures, aggregate } = await setup();
    const dispatcher = createDispatcher({ metadata, stream: { isDrained: async () => true }, invoker, clock: systemClock, sleep, telemetry: noTelemetry });
    const batch = Array.from({ length: 8 }, (_, i) => (i === 5 ? record('kloop', { v: 1, loop: true }) : record(`k${i % 3}`, { v: 1 })));
    const blocker = batch[5]!;
    try {
      // The event source mapping's part: deliver again from the lowest failed record, until nothing fails.
      let pending = batch;
      for (let round = 0; round < 40 && pending.length > 0; round += 1) {
        const result = await dispatcher.dispatch({ shardId: SHARD, records: pending, bytes: 0 });
        const failedSeqs = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        const first = pending.findIndex((r) => failedSeqs.has(r.sequenceNumber));
        pending = first === -1 ? [] : pending.slice(first);
      }
      expect(pending).toEqual([]);
      expect(failures()).toEqual([expect.objectContaining({ sequenceNumber: blocker.sequenceNumber, attempts: 3 })]);
      const applied = batch.filter((r) => r !== blocker);
      for (const key of ['k0', 'k1', 'k2']) {
        const expected = applied.filter((r) => r.partitionKey === key).length;
        expect(await aggregate(key), key).toMatchObject({ count: expected, sum: expected });
      }
      expect(await aggregate('kloop')).toBeUndefined();
    } finally {
      await thread.abort();
    }
  }, 120_000);
});
