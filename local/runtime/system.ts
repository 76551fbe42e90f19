import type { KinesisStreamBatchResponse, KinesisStreamEvent, Context } from 'aws-lambda';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { EmfCapture } from '../../adapters/local/emf-capture.js';
import { KinesisEventSourceMapping } from '../../adapters/local/esm-poller.kinesis.js';
import { MemoryFailureSink } from '../../adapters/local/failure-sink.memory.js';
import { MemoryKeyedStateStore } from '../../adapters/local/keyed-state.memory.js';
import { EmfMetricsStore } from '../../adapters/local/metrics-store.emf.js';
import { sleep, systemClock } from '../../adapters/local/system-clock.js';
import { LocalWorkerInvoker } from '../../adapters/local/worker-invoker.local.js';
import { createDispatcher } from '../../app/dispatch/dispatcher.js';
import { shardBatches } from '../../app/dispatch/kinesis-event.js';
import { newPartition } from '../../app/spm/shard-discovery.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { WorkerNodeMetadata } from '../../core/model/worker.js';
import type { MetricsSource, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { completePeriodsOnly } from '../../app/metrics/complete-periods.metrics.js';
import { shardLoadMetrics } from '../../app/metrics/shard-load.metrics.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { aggregatesProcessor, type Aggregate } from '../../processor/aggregates.processor.js';
import type { Processor } from '../../processor/api.js';
import { createWorkerService } from '../../app/worker/worker-service.js';
import { scenarioWorkerId } from '../../sim/scenario/world.js';
import { localMetricPeriodMs, type RunPlan } from '../run-plan.js';
import { fanOut, type TelemetryTap } from '../telemetry-tap.js';
import type { Chaos } from './chaos.js';
import type { Emulators } from './emulators.js';
import { LOCAL_NAMES } from './emulators.js';
import { DEFAULTS } from '../../definitions/resources.js';

/** The running data plane: every piece the orchestrator starts, ticks, samples and stops. */
export interface LocalSystem {
  readonly metadata: DynamoDbMetadataStore;
  readonly stream: KinesisStreamControl;
  readonly metrics: EmfMetricsStore;
  /**
   * What the SPM reads: each shard's load from the metadata table (the dispatcher's LOAD# items), worker
   * metrics and write throttles from the EMF store, complete periods only.
   */
  readonly spmMetrics: MetricsSource;
  readonly workers: readonly WorkerNodeMetadata[];
  readonly invoker: LocalWorkerInvoker;
  readonly esm: KinesisEventSourceMapping;
  readonly failures: MemoryFailureSink;
  /** Reads a key's applied aggregate from the output table (for the ledger check). */
  readAggregate(partitionKey: string): Promise<Aggregate | undefined>;
  /** Makes a worker `factor` times slower from now on (scenario `worker-slowdown` events). */
  slowWorker(workerId: string, factor: number): void;
  /** Stops the event source mapping, waits for shadow calls, stops the EMF capture. */
  stop(): Promise<void>;
}

/** MaximumBatchingWindowInSeconds of the local event source mapping, in wall ms. @default 500 */
export const LOCAL_BATCHING_WINDOW_MS = 500;

export const OUTPUT_STORES = ['memory', 'dynalite'] as const;
/**
 * Where the example processor's per-key state (the output table) lives. `memory` by default: a dynalite
 * get+put pair costs ~20-25 ms on a shared laptop, and a batch does one pair per key, sequentially, which
 * would dwarf the scenarios' per-record costs and make every shard look hot. Metadata, audit, shadow stats,
 * shard progress and policy state (everything the SPM decides and fences on) stay in dynalite.
 */
export type OutputStore = (typeof OUTPUT_STORES)[number];

/** Workers of the scenario, named `<class>-<n>` as in the simulator. */
export function scenarioWorkers(plan: RunPlan): WorkerNodeMetadata[] {
  return plan.scenario.workers.flatMap((c) =>
    Array.from({ length: c.count }, (_, i) => ({
      workerId: scenarioWorkerId(c.class, i),
      workerClass: c.class,
      speed: c.speed,
      memoryMb: c.memoryMb,
      slots: c.slots,
      utilization: 0,
      predictedCapacity: c.slots * plan.config.spm.safeThreshold,
    })),
  );
}

/** Each scenario worker's shadow slots: its class's `shadowSlots` (the shadow function's reserved concurrency). */
export function scenarioShadowSlots(plan: RunPlan): ReadonlyMap<string, number> {
  return new Map(plan.scenario.workers.flatMap((c) => Array.from({ length: c.count }, (_, i) => [scenarioWorkerId(c.class, i), c.shadowSlots] as const)));
}

/**
 * Each scenario worker's function timeout, in wall ms, so that a batch the local run lets finish is one Lambda
 * would have let finish: a record costs cost ÷ rateScale wall ms locally (there are rateScale times fewer of
 * them), so a batch of N records takes 1/rateScale times as long as on Lambda, and so does the timeout. Time
 * compression does not apply: processing is not compressed. (It was: `timeoutSeconds ÷ timeScale` cut
 * hot-shift's 60 s to 1 wall s while its batches of 100 records took 3-6 wall s, so once behind, every batch
 * timed out and the shard crawled through crash searches; the local run fell further behind than its twin.)
 */
export function scenarioTimeoutsMs(plan: RunPlan): ReadonlyMap<string, number> {
  return new Map(
    plan.scenario.workers.flatMap((c) => Array.from({ length: c.count }, (_, i) => [scenarioWorkerId(c.class, i), Math.round((c.timeoutSeconds * 1000) / plan.rateScale)] as const)),
  );
}

/**
 * Wires the real handlers onto the emulators: the worker Lambda handler (one per worker, with its speed,
 * behind the local invoker's slots for owner batches and its shadow slots for shadow batches), the dispatcher behind the local event source mapping, EMF captured
 * into the local metrics store. Registers the workers and places the stream's first shards round-robin, as
 * the simulator does, so both start from the same placement.
 */
export async function startSystem(plan: RunPlan, emulators: Emulators, tap: TelemetryTap, outputStore: OutputStore = 'memory', chaos?: Chaos): Promise<LocalSystem> {
  const metadata = new DynamoDbMetadataStore(emulators.dynamo, { metadataTable: LOCAL_NAMES.tables.metadata, auditTable: LOCAL_NAMES.tables.audit });
  const state = outputStore === 'dynalite' ? new DynamoDbKeyedStateStore(emulators.dynamo, LOCAL_NAMES.tables.output) : new MemoryKeyedStateStore();
  const stream = new KinesisStreamControl(emulators.kinesis, LOCAL_NAMES.stream, { pollIntervalMs: 100 });
  const availabilityDelayMs = Math.round(plan.profile.metricDelayMs / plan.timeScale);
  const metrics = new EmfMetricsStore({
    streamName: LOCAL_NAMES.stream,
    clock: systemClock,
    availabilityDelayMs,
    retentionMs: Math.max(600_000, (plan.profile.metricPeriodMs / plan.timeScale) * plan.profile.metricWindowPoints * 4),
  });
  const capture = new EmfCapture((doc) => metrics.ingest(doc)).start();
  const telemetry = fanOut(new EmfTelemetry(), tap);
  const failures = new MemoryFailureSink();

  const workers = scenarioWorkers(plan);
  for (const w of workers) await metadata.putWorker(w);
  const shards = await stream.listShards();
  for (const [i, shard] of shards.entries()) await metadata.createPartition(newPartition(shard, workers[i % workers.length]!.workerId));

  const handlers = new Map<string, (request: WorkerRequest) => Promise<WorkerResponse>>();
  const build = (w: WorkerNodeMetadata, speed: number): void => {
    // The worker Lambda's service (functions/worker wraps the same one in middy), with keys run one at a
    // time: the scenarios' per-record costs are sequential per shard, as the simulator models them.
    const service = createWorkerService(
      aggregatesProcessor as Processor<unknown>,
      { workerId: w.workerId, metadata, state, failures, clock: systemClock, maxAttempts: 3, histogramBuckets: plan.config.spm.histogramBuckets, speed, keyConcurrency: 1 },
      telemetry,
    );
    handlers.set(w.workerId, (request) => service.handle(request));
  };
  for (const w of workers) build(w, w.speed);
  // Shadow batches run in each worker's own shadow slots (its class's shadow function on AWS), never in the
  // slots its shards' batches need; one that waits longer than the shadow function's maximum event age
  // (scaled to this run's clock) is dropped, as Lambda drops it.
  const shadowSlots = scenarioShadowSlots(plan);
  const timeouts = scenarioTimeoutsMs(plan);
  const invoker = new LocalWorkerInvoker(
    workers.map((w) => ({
      workerId: w.workerId,
      slots: w.slots,
      shadowSlots: shadowSlots.get(w.workerId) ?? 1,
      timeoutMs: timeouts.get(w.workerId),
      handle: tap.wrapWorker(w.workerId, withChaos(chaos, (request) => handlers.get(w.workerId)!(request))),
    })),
    { maxEventAgeMs: Math.round((DEFAULTS.shadowMaxEventAgeSeconds * 1000) / plan.timeScale) },
  );

  // Each shard's load per (scaled) minute in the metadata table, as the dispatcher Lambda writes it, and
  // read back by the SPM with the same period (app/metrics/shard-load.metrics.ts).
  const load = new DynamoDbShardLoadStore(emulators.dynamo, { metadataTable: LOCAL_NAMES.tables.metadata });
  const loadPeriodMs = localMetricPeriodMs(plan);
  const dispatcher = createDispatcher(
    { metadata, stream, invoker, clock: systemClock, sleep, telemetry, load, lanePool: workers.map((w) => ({ workerId: w.workerId, speed: w.speed })) },
    { loadPeriodMs, loadFlushIntervalMs: Math.max(200, Math.round(30_000 / plan.timeScale)), lanes: plan.config.lanes },
  );
  const dispatch = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const failed: { itemIdentifier: string }[] = [];
    for (const batch of shardBatches(event)) failed.push(...(await dispatcher.dispatch(batch, () => context.getRemainingTimeInMillis())).batchItemFailures);
    return { batchItemFailures: failed };
  };
  const esm = new KinesisEventSourceMapping(emulators.kinesis, chaos ? chaos.wrapDispatch(dispatch) : dispatch, {
    streamName: LOCAL_NAMES.stream,
    batchSize: plan.profile.batchSize,
    // A batching window keeps batches large enough that per-batch I/O (state reads and writes per key in
    // dynalite) stays small next to the records' own cost, as it is on AWS with real DynamoDB latencies.
    batchingWindowMs: LOCAL_BATCHING_WINDOW_MS,
    idlePollMs: 100,
    shardDiscoveryMs: 500,
    functionName: 'foreshadow-dispatcher',
  });
  esm.start();

  return {
    metadata,
    stream,
    metrics,
    spmMetrics: shardLoadMetrics({
      load,
      cloudwatch: completePeriodsOnly(metrics, () => Date.now(), availabilityDelayMs),
      throttles: metrics,
      now: () => Date.now(),
      loadPeriodMs,
      availabilityDelayMs: Math.max(300, Math.round(15_000 / plan.timeScale)),
    }),
    workers,
    invoker,
    esm,
    failures,
    async readAggregate(partitionKey) {
      return (await state.get(partitionKey))?.value as Aggregate | undefined;
    },
    slowWorker(workerId, factor) {
      const w = workers.find((x) => x.workerId === workerId);
      if (w) build(w, w.speed / factor);
    },
    async stop() {
      await esm.stop();
      await invoker.idle();
      capture.stop();
    },
  };
}

function withChaos(chaos: Chaos | undefined, handle: (request: WorkerRequest) => Promise<WorkerResponse>): (request: WorkerRequest) => Promise<WorkerResponse> {
  return chaos ? chaos.wrapWorker(handle) : handle;
}
