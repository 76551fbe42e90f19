import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { MemoryFailureSink } from '../../adapters/local/failure-sink.memory.js';
import { MemoryKeyedStateStore } from '../../adapters/local/keyed-state.memory.js';
import { LocalWorkerInvoker } from '../../adapters/local/worker-invoker.local.js';
import { Meter } from '../../adapters/meter/meter.js';
import { MeteredWorkerInvoker, meteredWorkerHandle } from '../../adapters/meter/worker-invoker.metered.js';
import { createDispatcher } from '../../app/dispatch/dispatcher.js';
import { noTelemetry } from '../../app/telemetry.js';
import { createWorkerService } from '../../app/worker/worker-service.js';
import { aggregatesProcessor } from '../../processor/aggregates.processor.js';
import type { Processor } from '../../processor/api.js';
import { TABLES } from '../../definitions/resources.js';
import { PRIMARY_PATH_CALLS_PER_BATCH } from '../../cost/call-budget.js';
import { WorkloadClock } from '../../cost/workload-clock.js';
import { useDynalite, uniqueName } from '../support/emulators.js';
import { partition, wireRecord } from '../functions/factories.js';

const dynalite = useDynalite();
let dynamo: DynamoDBClient;
beforeAll(() => {
  dynamo = dynamoDbClient({ endpoint: dynalite.endpoint });
});
afterAll(() => dynamo.destroy());

const BATCHES = 50;
const RECORDS_PER_BATCH = 100;
/** 500 records/s: one batch of 100 every 200 ms of the handlers' clock. */
const MS_PER_BATCH = 200;

/** Runs `BATCHES` batches of one shard through the real dispatcher and worker on dynalite; calls per batch by path and `service operation`. */
async function callsPerBatch(): Promise<Record<string, Record<string, number>>> {
  const table = uniqueName('budget');
  await ensureTable(dynamo, table, TABLES.metadata);
  const metadata = new DynamoDbMetadataStore(dynamo, { metadataTable: table, auditTable: '' });
  const shardId = 'shardId-000000000000';
  await metadata.createPartition(partition({ shardId, ownerWorkerId: 'w1' }));
  const clock = new WorkloadClock(1_000_000);
  const meter = new Meter();
  const worker = createWorkerService(aggregatesProcessor as Processor<unknown>, { workerId: 'w1', metadata, state: new MemoryKeyedStateStore(), failures: new MemoryFailureSink(), clock, maxAttempts: 3, histogramBuckets: 8, speed: 1 }, noTelemetry);
  const invoker = new MeteredWorkerInvoker(new LocalWorkerInvoker([{ workerId: 'w1', slots: 1, handle: meteredWorkerHandle(meter, 1024, (r) => worker.handle(r)) }]), meter);
  const load = new DynamoDbShardLoadStore(dynamo, { metadataTable: table });
  const dispatcher = createDispatcher({ metadata, stream: { isDrained: async () => true }, invoker, clock, sleep: clock.sleep, telemetry: noTelemetry, load });
  for (let b = 0; b < BATCHES; b += 1) {
    clock.advance(MS_PER_BATCH);
    // Records that arrived just now, as on a shard the dispatcher keeps up with.
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ ...wireRecord(b * RECORDS_PER_BATCH + i, `k${i % 10}`, { v: i + 1 }), approximateArrivalMs: clock.nowMs() - 100 }));
    const result = await meter.invocation('dispatcher', 512, records.length, () => dispatcher.dispatch({ shardId, records, bytes: 0 }));
    expect(result.batchItemFailures).toEqual([]);
  }
  const out: Record<string, Record<string, number>> = {};
  for (const row of meter.snapshot().calls) {
    const path = (out[row.path] ??= {});
    const key = `${row.service} ${row.operation}`;
    path[key] = (path[key] ?? 0) + row.calls / BATCHES;
  }
  return out;
}

describe('AWS calls per batch on the primary path', () => {
  it('stay within the pinned budget (cost/call-budget.ts): a new per-batch call fails until the budget and COST.md are updated', async () => {
    const measured = await callsPerBatch();
    for (const path of ['dispatcher', 'worker'] as const) {
      const budget: Record<string, number> = PRIMARY_PATH_CALLS_PER_BATCH[path];
      expect(Object.keys(measured[path] ?? {}).sort(), `${path}: operations called`).toEqual(Object.keys(budget).sort());
      for (const [operation, perBatch] of Object.entries(budget)) {
        // A call every N seconds lands on batch boundaries: allow one extra or one fewer over the run.
        expect(measured[path]![operation], `${path} ${operation} per batch`).toBeGreaterThanOrEqual(perBatch - 1.5 / BATCHES);
        expect(measured[path]![operation], `${path} ${operation} per batch`).toBeLessThanOrEqual(perBatch + 1.5 / BATCHES);
      }
    }
  });
});
