import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { dynamoDbClient, kinesisClient } from '../adapters/aws/clients.js';
import { DynamoDbMetadataStore } from '../adapters/aws/metadata-store.dynamodb.js';
import { createStream } from '../adapters/aws/stream-admin.kinesis.js';
import { KinesisStreamControl } from '../adapters/aws/stream-control.kinesis.js';
import { ensureTable } from '../adapters/aws/tables.dynamodb.js';
import { startDynalite } from '../adapters/local/dynalite.server.js';
import { EmfCapture } from '../adapters/local/emf-capture.js';
import { KinesisEventSourceMapping } from '../adapters/local/esm-poller.kinesis.js';
import { MemoryFailureSink } from '../adapters/local/failure-sink.memory.js';
import { MemoryKeyedStateStore } from '../adapters/local/keyed-state.memory.js';
import { startKinesisLocal } from '../adapters/local/kinesis-local.process.js';
import { localContext } from '../adapters/local/lambda-context.local.js';
import { EmfMetricsStore } from '../adapters/local/metrics-store.emf.js';
import { LocalWorkerInvoker } from '../adapters/local/worker-invoker.local.js';
import { meterEmfLine } from '../adapters/meter/emf.metered.js';
import { Meter } from '../adapters/meter/meter.js';
import { subtractSnapshots, type MeterSnapshot } from '../adapters/meter/meter-snapshot.js';
import { MeteredMetricsSource } from '../adapters/meter/metrics-source.metered.js';
import { MeteredWorkerInvoker, meteredWorkerHandle } from '../adapters/meter/worker-invoker.metered.js';
import { InlineWorkerInvoker } from '../app/dispatch/inline-worker-invoker.js';
import { shardIdOf } from '../app/dispatch/kinesis-event.js';
import { createWorkerService } from '../app/worker/worker-service.js';
import type { Processor } from '../processor/api.js';
import { newPartition } from '../app/spm/shard-discovery.js';
import { AggregatedTelemetry } from '../app/telemetry.aggregated.js';
import { EmfTelemetry } from '../app/telemetry.emf.js';
import { parseConfig } from '../core/config/index.js';
import { shadowIdFor } from '../core/model/shadow.js';
import { policyByName } from '../core/policies/index.js';
import type { WorkerRequest, WorkerResponse } from '../core/ports/index.js';
import { TABLES } from '../definitions/resources.js';
import { createDispatcherHandler } from '../functions/dispatcher/create-dispatcher-handler.js';
import { workerNode } from '../functions/shared/workers.js';
import { createSpmHandler } from '../functions/spm/create-spm-handler.js';
import { shardLoadMetrics } from '../app/metrics/shard-load.metrics.js';
import { DynamoDbShardLoadStore } from '../adapters/aws/shard-load.dynamodb.js';
import { createWorkerHandler } from '../functions/worker/create-worker-handler.js';
import { aggregatesProcessor } from '../processor/aggregates.processor.js';
import { DEPLOYED, FUNCTION_MEMORY_MB } from './deployment.js';
import { WorkloadClock } from './workload-clock.js';
import { DEFAULT_WORKLOAD, type Workload } from './workload.js';

/** What one run of the workload counted, split into its two phases. */
export interface Measurement {
  readonly workload: Workload;
  /** Records the handlers were given in the data phase (each record once; the mapping delivered them all). */
  readonly records: number;
  /** Records of the one shard that had a shadow. */
  readonly shadowedShardRecords: number;
  /** The data phase: dispatcher, worker and shadow invocations, their AWS calls and EMF lines. */
  readonly data: MeterSnapshot;
  /** The SPM phase: `workload.ticks` ticks over the stream's shards and the deployment's worker classes. */
  readonly spm: MeterSnapshot;
  /** Worker classes the SPM read metrics for. */
  readonly workerClasses: number;
}

/**
 * Runs the workload on kinesis-local and dynalite through the real handlers (dispatcher and worker Lambda
 * handlers as functions/ builds them, the SPM tick as the SPM function runs it) and counts what they call
 * with the meter (adapters/meter): every SDK call through the middleware, the dispatcher's worker invocations
 * through the metered invoker, EMF lines as printed, GetMetricData metrics as the CloudWatch adapter would
 * request them from the local metrics store.
 *
 * Execution environments, as on AWS with one invocation per shard at a time: one dispatcher environment per
 * shard, and one worker (and one shadow function) environment per shard it serves, each with its shard's
 * workload clock. The processor's own output table is an in-memory store: it is the user's cost with or
 * without Foreshadow, so it is not counted.
 */
export async function measureWorkload(workload: Workload = DEFAULT_WORKLOAD): Promise<Measurement> {
  const [kinesisLocal, dynalite] = await Promise.all([startKinesisLocal({}), startDynalite()]);
  const kinesis = kinesisClient({ endpoint: kinesisLocal.endpoint });
  const dynamo = dynamoDbClient({ endpoint: dynalite.endpoint });
  const meter = new Meter();
  const sink = meterEmfLineInto(meter);
  const capture = new EmfCapture(sink).start();
  try {
    return await run(workload, kinesis, dynamo, meter, sink.metrics);
  } finally {
    capture.stop();
    kinesis.destroy();
    dynamo.destroy();
    await Promise.all([kinesisLocal.stop(), dynalite.stop()]);
  }
}

/** An EMF sink that meters each line and keeps it for the SPM's metrics store. */
function meterEmfLineInto(meter: Meter): ConstructorParameters<typeof EmfCapture>[0] & { metrics: EmfMetricsStore } {
  const metrics = new EmfMetricsStore({ streamName: STREAM, clock: { nowMs: () => Date.now() } });
  const metered = meterEmfLine(meter);
  const sink = (document: Parameters<typeof metered>[0], line: string): void => {
    metered(document, line);
    metrics.ingest(document);
  };
  return Object.assign(sink, { metrics });
}

const STREAM = 'foreshadow-cost';
const TABLE_NAMES = { metadataTable: 'foreshadow-cost-metadata', auditTable: 'foreshadow-cost-audit' } as const;

async function run(workload: Workload, kinesis: KinesisClient, dynamo: ReturnType<typeof dynamoDbClient>, meter: Meter, metricsStore: EmfMetricsStore): Promise<Measurement> {
  await Promise.all([
    createStream(kinesis, STREAM, workload.shards),
    ensureTable(dynamo, TABLE_NAMES.metadataTable, TABLES.metadata),
    ensureTable(dynamo, TABLE_NAMES.auditTable, TABLES.audit),
  ]);
  const metadata = new DynamoDbMetadataStore(dynamo, TABLE_NAMES);
  const load = new DynamoDbShardLoadStore(dynamo, { metadataTable: TABLE_NAMES.metadataTable });
  const stream = new KinesisStreamControl(kinesis, STREAM, { pollIntervalMs: 100 });
  const classes = DEPLOYED.workers;
  const workers = classes.map((c) => workerNode({ workerId: c.name, functionName: c.name, memoryMb: c.memoryMb, slots: c.slots, speed: 1 }));
  for (const w of workers) await metadata.putWorker(w);
  const shards = await stream.listShards();
  const ownerOf = (i: number): string => workload.inlineWorkerClass ?? workers[i % workers.length]!.workerId;
  for (const [i, shard] of shards.entries()) await metadata.createPartition(newPartition(shard, ownerOf(i)));
  const shadowed = shards[0]!.shardId;
  const shadowWorker = workers[1 % workers.length]!.workerId;
  const startMs = Date.now();
  await metadata.createShadow({ shadowId: shadowIdFor(shadowed, shadowWorker), shardId: shadowed, workerId: shadowWorker, kind: 'forward', rate: workload.shadowRate, createdAtMs: startMs });

  const produced = await produce(kinesis, workload, shards.map((s) => s.hashKeyRange.start));
  const clocks = new Map(shards.map((s) => [s.shardId, new WorkloadClock(startMs)]));
  const clockOf = (shardId: string): WorkloadClock => clocks.get(shardId) ?? new WorkloadClock(startMs);

  // The handlers' default telemetry, built here to print what each environment still holds at the end (on
  // AWS its next invocation would): the counts then include every figure, none is left in memory.
  const telemetries: { path: 'dispatcher' | 'worker' | 'shadow'; telemetry: AggregatedTelemetry }[] = [];
  const aggregated = (path: 'dispatcher' | 'worker' | 'shadow', clock: WorkloadClock): AggregatedTelemetry => {
    const telemetry = new AggregatedTelemetry(new EmfTelemetry(), clock);
    telemetries.push({ path, telemetry });
    return telemetry;
  };

  // One worker (or shadow function) environment per worker class and shard it serves.
  const environments = new Map<string, (request: WorkerRequest) => Promise<WorkerResponse>>();
  const state = new MemoryKeyedStateStore();
  const failures = new MemoryFailureSink();
  const workerHandle = (workerId: string, memoryMb: number) =>
    meteredWorkerHandle(meter, memoryMb, (request) => {
      const key = `${workerId}|${request.mode}|${request.shardId}`;
      let handle = environments.get(key);
      if (!handle) {
        const clock = clockOf(request.shardId);
        const telemetry = aggregated(request.mode === 'shadow' ? 'shadow' : 'worker', clock);
        const handler = createWorkerHandler(aggregatesProcessor, {
          telemetry,
          workerId,
          metadata,
          state,
          failures,
          clock,
          shadowOnly: request.mode === 'shadow',
          histogramBuckets: parseConfig({}).spm.histogramBuckets,
        });
        handle = (r) => handler(r, localContext(workerId, 60_000));
        environments.set(key, handle);
      }
      return handle(request);
    });
  const local = new LocalWorkerInvoker(classes.map((c) => ({ workerId: c.name, slots: c.slots, shadowSlots: c.shadowSlots, handle: workerHandle(c.name, c.memoryMb) })));
  const invoker = new MeteredWorkerInvoker(local, meter);

  const dispatchers = new Map<string, (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>>();
  const msPerRecord = 1000 / workload.recordsPerSecPerShard;
  const dispatch = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const shardId = shardIdOf(event.Records[0]!);
    const clock = clockOf(shardId);
    clock.advance(event.Records.length * msPerRecord);
    let handler = dispatchers.get(shardId);
    if (!handler) {
      const telemetry = aggregated('dispatcher', clock);
      const inlineClass = workload.inlineWorkerClass;
      // Inline, the class's worker service runs in this dispatcher environment, with its telemetry.
      const dispatcherInvoker = inlineClass
        ? new InlineWorkerInvoker(invoker, {
            workerId: inlineClass,
            handle: createWorkerService(aggregatesProcessor as Processor<unknown>, { workerId: inlineClass, metadata, state, failures, clock, maxAttempts: 3, histogramBuckets: parseConfig({}).spm.histogramBuckets, speed: 1 }, telemetry).handle,
          })
        : invoker;
      handler = createDispatcherHandler({ metadata, stream, invoker: dispatcherInvoker, clock, sleep: clock.sleep, telemetry, load });
      dispatchers.set(shardId, handler);
    }
    const run = handler;
    return meter.invocation('dispatcher', FUNCTION_MEMORY_MB.dispatcher, event.Records.length, () => run(event, context));
  };
  const esm = new KinesisEventSourceMapping(kinesis, dispatch, {
    streamName: STREAM,
    batchSize: workload.batchSize,
    startingPosition: 'TRIM_HORIZON',
    idlePollMs: 50,
    shardDiscoveryMs: 200,
    functionName: 'foreshadow-dispatcher',
  });

  const before = meter.snapshot();
  esm.start();
  const deadline = Date.now() + 300_000;
  while (esm.stats.deliveredRecords < produced && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await esm.stop();
  await local.idle();
  for (const { path, telemetry } of telemetries) meter.scope(() => telemetry.flush(), path);
  if (esm.stats.deliveredRecords < produced) throw new Error(`the workload did not finish: ${esm.stats.deliveredRecords} of ${produced} records delivered in 300 s`);
  const afterData = meter.snapshot();

  // SPM ticks one schedule period apart, after the data phase, on a clock past every shard's.
  const config = parseConfig(DEPLOYED.decision ?? {});
  const policy = policyByName(DEPLOYED.policy);
  const spmClock = new WorkloadClock(Math.max(...[...clocks.values()].map((c) => c.nowMs())));
  const periodMs = DEPLOYED.schedule.rateMinutes * 60_000;
  // As the SPM Lambda reads: shard load from the metadata table, CloudWatch (here its metered stand-in) for
  // worker metrics and, gated by the stream-level count, per-shard throttles.
  const cloudwatch = new MeteredMetricsSource(metricsStore, meter);
  const metrics = shardLoadMetrics({ load, cloudwatch, throttles: cloudwatch.throttleGate(metricsStore), now: () => spmClock.nowMs() });
  const spm = createSpmHandler({ metadata, metrics, stream, clock: spmClock, policy, config, workers });
  const tick = () => meter.invocation('spm', FUNCTION_MEMORY_MB.spm, 0, () => spm(undefined, localContext('foreshadow-spm', DEPLOYED.spm.timeoutSeconds * 1000)));
  await tick();
  const beforeTicks = meter.snapshot();
  for (let n = 1; n <= workload.ticks; n += 1) {
    spmClock.advance(periodMs);
    await tick();
  }
  const afterTicks = meter.snapshot();

  return {
    workload,
    records: esm.stats.deliveredRecords,
    shadowedShardRecords: workload.recordsPerShard,
    data: subtractSnapshots(afterData, before),
    spm: subtractSnapshots(afterTicks, beforeTicks),
    workerClasses: workers.length,
  };
}

/** Puts `recordsPerShard` records of `recordBytes` into each shard (by explicit hash key); returns how many. */
async function produce(kinesis: KinesisClient, workload: Workload, shardStarts: readonly bigint[]): Promise<number> {
  const pad = 'x'.repeat(Math.max(0, workload.recordBytes - 30));
  let total = 0;
  for (const [s, start] of shardStarts.entries()) {
    for (let i = 0; i < workload.recordsPerShard; i += 500) {
      const count = Math.min(500, workload.recordsPerShard - i);
      const out = await kinesis.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: Array.from({ length: count }, (_, j) => ({
            PartitionKey: `s${s}-k${(i + j) % workload.keysPerShard}`,
            ExplicitHashKey: start.toString(),
            Data: Buffer.from(JSON.stringify({ v: i + j + 1, pad })),
          })),
        }),
      );
      if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords rejected ${out.FailedRecordCount} records`);
      total += count;
    }
  }
  return total;
}
