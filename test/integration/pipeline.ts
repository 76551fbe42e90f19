import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { dynamoDbClient, kinesisClient } from '../../adapters/aws/clients.js';
import { DynamoDbKeyedStateStore } from '../../adapters/aws/keyed-state.dynamodb.js';
import { DynamoDbMetadataStore } from '../../adapters/aws/metadata-store.dynamodb.js';
import { createStream } from '../../adapters/aws/stream-admin.kinesis.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { ensureTable, tableCreatedAtMs } from '../../adapters/aws/tables.dynamodb.js';
import { startDynalite, type Dynalite } from '../../adapters/local/dynalite.server.js';
import { EmfCapture, type EmfDocument } from '../../adapters/local/emf-capture.js';
import { KinesisEventSourceMapping, type EsmOptions } from '../../adapters/local/esm-poller.kinesis.js';
import { MemoryFailureSink } from '../../adapters/local/failure-sink.memory.js';
import { startKinesisLocal, type KinesisLocal } from '../../adapters/local/kinesis-local.process.js';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { EmfMetricsStore } from '../../adapters/local/metrics-store.emf.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { LocalWorkerInvoker, type LocalWorkerSpec } from '../../adapters/local/worker-invoker.local.js';
import { meterEmfLine } from '../../adapters/meter/emf.metered.js';
import type { Meter } from '../../adapters/meter/meter.js';
import { MeteredMetricsSource } from '../../adapters/meter/metrics-source.metered.js';
import { MeteredWorkerInvoker, meteredWorkerHandle } from '../../adapters/meter/worker-invoker.metered.js';
import type { DispatcherOptions } from '../../app/dispatch/dispatcher.js';
import { runSpmTick, type TickReport } from '../../app/spm/spm-tick.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from '../../app/telemetry.js';
import { parseConfig } from '../../core/config/index.js';
import type { Action, ClusterView, DecisionEvent } from '../../core/model/index.js';
import type { Policy } from '../../core/policies/index.js';
import { policyByName } from '../../core/policies/index.js';
import { InjectedCrash, type CrashPoint, type CrashPointName, type MetadataStore, type MetricsSource, type WorkerInvoker, type WorkerRequest, type WorkerResponse } from '../../core/ports/index.js';
import { TABLES } from '../../definitions/resources.js';
import { createDispatcherHandler } from '../../functions/dispatcher/create-dispatcher-handler.js';
import { createWorkerHandler } from '../../functions/worker/create-worker-handler.js';
import { workerNode } from '../../functions/shared/workers.js';
import { aggregatesProcessor, type Aggregate } from '../../processor/aggregates.processor.js';
import type { Processor } from '../../processor/api.js';
import type { BatchHandlerProgram } from '../../processor/from-batch-handler.js';
import { externalEmulator } from '../support/emulators.js';
import { FUNCTION_MEMORY_MB } from '../../cost/deployment.js';
import { hashKeyOf } from '../../app/sequence.js';
import { kplAggregate } from '../support/kpl.js';
import { Ledger } from './ledger.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

/**
 * Emulators for one integration test file: kinesis-local (child process) and dynalite (in-process), or the
 * external emulator of `npm run test:moto` or `npm run test:localstack` (test/support/emulators.ts).
 */
export function useEmulators(options: { splitShardMs?: number } = {}): { kinesis: () => KinesisClient; dynamo: () => DynamoDBClient; dynamoEndpoint: () => string; kinesisEndpoint: () => string } {
  let kinesisLocal: KinesisLocal | undefined;
  let dynalite: Dynalite | undefined;
  let kinesis: KinesisClient | undefined;
  let dynamo: DynamoDBClient | undefined;
  let dynamoEndpoint = '';
  let kinesisEndpoint = '';
  beforeAll(async () => {
    const external = externalEmulator();
    if (external) {
      kinesis = kinesisClient({ endpoint: external.endpoint });
      dynamo = dynamoDbClient({ endpoint: external.endpoint });
      dynamoEndpoint = external.endpoint;
      kinesisEndpoint = external.endpoint;
      return;
    }
    [kinesisLocal, dynalite] = await Promise.all([startKinesisLocal({ splitShardMs: options.splitShardMs ?? 0 }), startDynalite()]);
    kinesis = kinesisClient({ endpoint: kinesisLocal.endpoint });
    dynamo = dynamoDbClient({ endpoint: dynalite.endpoint });
    dynamoEndpoint = dynalite.endpoint;
    kinesisEndpoint = kinesisLocal.endpoint;
  });
  afterAll(async () => {
    kinesis?.destroy();
    dynamo?.destroy();
    await Promise.all([kinesisLocal?.stop(), dynalite?.stop()]);
  });
  return { kinesis: () => kinesis!, dynamo: () => dynamo!, dynamoEndpoint: () => dynamoEndpoint, kinesisEndpoint: () => kinesisEndpoint };
}

export interface WorkerSetup {
  readonly workerId: string;
  /** @default 2 */
  readonly slots?: number;
  /** Concurrent shadow batches (the shadow function's reserved concurrency). @default 1 */
  readonly shadowSlots?: number;
  /** @default 1 */
  readonly speed?: number;
  /** @default 1024 */
  readonly memoryMb?: number;
  /** The function timeout of the worker's class, in ms (the local invoker stops a batch after it, as Lambda does). @default 60000 */
  readonly timeoutMs?: number;
}

export interface PipelineOptions {
  readonly shards: number;
  readonly workers: readonly WorkerSetup[];
  readonly esm?: Partial<Omit<EsmOptions, 'streamName'>>;
  readonly dispatcher?: DispatcherOptions;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** Fault injection in the dispatcher and the workers (core/ports/crash-points.port.ts). @default none */
  readonly crashPoint?: CrashPoint;
  /** The DynamoDB client of the workers' state path (output table), e.g. one with throttling injected. @default the shared one */
  readonly stateClient?: DynamoDBClient;
  /**
   * Runs on the new stream before anything of Foreshadow exists (tables, mapping): what happened to an
   * existing stream before deployment, e.g. records and a reshard.
   */
  readonly beforeDeploy?: (stream: { name: string; kinesis: KinesisClient }) => Promise<void>;
  /** What the workers run. @default the example processor (processor/aggregates.processor.ts) */
  readonly program?: Processor<Aggregate> | BatchHandlerProgram;
  /** Wraps the local invoker, e.g. to make a shadow's invocations hang. */
  readonly wrapInvoker?: (invoker: WorkerInvoker) => WorkerInvoker;
  /**
   * Counts what the handlers cost (adapters/meter): each dispatcher, worker, shadow and SPM invocation is
   * metered as one Lambda invocation, with its AWS calls and EMF lines. @default none
   */
  readonly meter?: Meter;
  /**
   * One dispatcher (and placement cache) per shard, as if each shard had its own warm execution environment;
   * otherwise one serves every shard, as in `npm start`. @default false
   */
  readonly dispatcherPerShard?: boolean;
}

let counter = 0;

/** Records figures (for assertions) and prints EMF (for the metrics store), as the handlers would on AWS. */
class RecordingTelemetry implements Telemetry {
  readonly batches: WorkerBatchFigures[] = [];
  readonly dispatches: DispatchFigures[] = [];
  private readonly emf = new EmfTelemetry();
  workerBatch(f: WorkerBatchFigures): void {
    this.batches.push(f);
    this.emf.workerBatch(f);
  }
  dispatch(f: DispatchFigures): void {
    this.dispatches.push(f);
    this.emf.dispatch(f);
  }
}

/** The whole data plane on the emulators, through the real dispatcher and worker handlers. */
export async function startPipeline(clients: { kinesis: KinesisClient; dynamo: DynamoDBClient }, options: PipelineOptions) {
  counter += 1;
  const name = `it-${process.pid}-${counter}`;
  const tables = { metadata: `${name}-metadata`, audit: `${name}-audit`, output: `${name}-output` };
  await createStream(clients.kinesis, name, options.shards);
  await options.beforeDeploy?.({ name, kinesis: clients.kinesis });
  // Deployment starts here: the tables, then the mapping (as CloudFormation orders them on AWS).
  await Promise.all([
    ensureTable(clients.dynamo, tables.metadata, TABLES.metadata),
    ensureTable(clients.dynamo, tables.audit, TABLES.audit),
    ensureTable(clients.dynamo, tables.output, TABLES.output),
  ]);
  const metadata = new DynamoDbMetadataStore(clients.dynamo, { metadataTable: tables.metadata, auditTable: tables.audit });
  const load = new DynamoDbShardLoadStore(clients.dynamo, { metadataTable: tables.metadata });
  const stream = new KinesisStreamControl(clients.kinesis, name, { pollIntervalMs: 50 });
  const state = new DynamoDbKeyedStateStore(clients.dynamo, tables.output);
  const workerState = options.stateClient ? new DynamoDbKeyedStateStore(options.stateClient, tables.output) : state;
  const failures = new MemoryFailureSink();
  const telemetry = new RecordingTelemetry();
  const metrics = new EmfMetricsStore({ streamName: name, clock: systemClock });
  const emfLines: { document: EmfDocument; line: string }[] = [];
  const meter = options.meter;
  const meterLine = meter ? meterEmfLine(meter) : undefined;
  const capture = new EmfCapture((document, line) => {
    emfLines.push({ document, line });
    metrics.ingest(document);
    meterLine?.(document, line);
  }).start();

  const deploy = (setups: readonly WorkerSetup[]): LocalWorkerInvoker => {
    const specs: LocalWorkerSpec[] = setups.map((w) => {
      const handler = createWorkerHandler(options.program ?? aggregatesProcessor, { workerId: w.workerId, metadata, state: workerState, failures, ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}), speed: w.speed ?? 1, maxAttempts: options.maxAttempts ?? 3, histogramBuckets: 8, telemetry });
      const timeoutMs = w.timeoutMs ?? 60_000;
      const handle = (request: WorkerRequest): Promise<WorkerResponse> => handler(request, localContext(w.workerId, timeoutMs));
      return { workerId: w.workerId, slots: w.slots ?? 2, shadowSlots: w.shadowSlots ?? 1, timeoutMs, handle: meter ? meteredWorkerHandle(meter, WORKER_MEMORY_MB, handle) : handle };
    });
    return new LocalWorkerInvoker(specs);
  };
  const nodesOf = (setups: readonly WorkerSetup[]) =>
    setups.map((w) => workerNode({ workerId: w.workerId, functionName: w.workerId, memoryMb: w.memoryMb ?? 1024, slots: w.slots ?? 2, speed: w.speed ?? 1 }));
  // The worker functions currently deployed; `redeploy` swaps them, as a new CloudFormation stack would.
  let localInvoker = deploy(options.workers);
  const retired: LocalWorkerInvoker[] = [];
  const deployed: WorkerInvoker = {
    invoke: (workerId, request) => localInvoker.invoke(workerId, request),
    invokeAsync: (workerId, request) => localInvoker.invokeAsync(workerId, request),
  };
  const wrapped = options.wrapInvoker ? options.wrapInvoker(deployed) : deployed;
  const invoker = meter ? new MeteredWorkerInvoker(wrapped, meter) : wrapped;
  const position = options.esm?.startingPosition ?? 'TRIM_HORIZON';
  const newDispatcher = () =>
    createDispatcherHandler({
      metadata,
      stream,
      invoker,
      telemetry,
      load,
      ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}),
      // Burst lanes (used when `options.dispatcher.lanes` turns them on) run on the workers by speed.
      lanePool: options.workers.map((w) => ({ workerId: w.workerId, speed: w.speed ?? 1 })),
      // Told where the mapping starts as the dispatcher Lambda is: its environment and the metadata table's creation time.
      mappingStart: async () => (position === 'LATEST' ? { position, notBeforeMs: await tableCreatedAtMs(clients.dynamo, tables.metadata) } : { position }),
      options: { placementCacheMs: 500, holdPollMs: 100, ...options.dispatcher },
    });
  const dispatcher = meteredDispatcher(options.dispatcherPerShard ? perShard(newDispatcher) : newDispatcher(), meter);
  const esm = new KinesisEventSourceMapping(clients.kinesis, dispatcher, {
    streamName: name,
    batchSize: 50,
    idlePollMs: 50,
    shardDiscoveryMs: 300,
    maxRetryAttempts: -1,
    ...options.esm,
  });
  const ledger = new Ledger();
  const config = parseConfig({});
  let workers = nodesOf(options.workers);
  let ticks = 0;

  const pipeline = {
    name,
    metadata,
    stream,
    state,
    failures,
    telemetry,
    metrics,
    /** Each shard's load per minute as the dispatcher wrote it (the SPM's data path). */
    load,
    emfLines,
    esm,
    /** The worker functions deployed now (the dispatcher invokes these). */
    get localInvoker(): LocalWorkerInvoker {
      return localInvoker;
    },
    ledger,
    dispatcher,
    /**
     * Puts records in one PutRecords call (per-key order = array order) and writes them in the ledger.
     * `failing` marks a record the ledger expects at the failure destination rather than applied, whatever
     * makes it fail (a hang, a failing state write); `poison` also makes its processor throw.
     */
    async produce(records: readonly { key: string; v: number; poison?: boolean; failing?: boolean; costMs?: number; stateBytes?: number }[]): Promise<void> {
      for (let i = 0; i < records.length; i += 100) {
        const chunk = records.slice(i, i + 100);
        const out = await clients.kinesis.send(
          new PutRecordsCommand({
            StreamName: name,
            Records: chunk.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify({ v: r.v, poison: r.poison, costMs: r.costMs, stateBytes: r.stateBytes })) })),
          }),
        );
        if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords rejected ${out.FailedRecordCount} records`);
        out.Records!.forEach((answer, j) => {
          const r = chunk[j]!;
          ledger.add({ key: r.key, v: r.v, poison: (r.poison ?? false) || (r.failing ?? false), sequenceNumber: answer.SequenceNumber!, shardId: answer.ShardId! });
        });
      }
    },
    /**
     * Puts user records packed into KPL aggregates (built by `aws-kinesis-agg`'s own aggregator), one aggregate
     * per entry of `aggregates`, in one PutRecords call per 100 aggregates; each user record goes in the ledger
     * under its own key with its aggregate's sequence number and shard. Per-key order = array order.
     */
    async produceAggregated(aggregates: readonly (readonly { key: string; v: number; explicitHashKey?: string; poison?: boolean }[])[]): Promise<void> {
      for (let i = 0; i < aggregates.length; i += 100) {
        const chunk = aggregates.slice(i, i + 100);
        const built = chunk.map((users) => kplAggregate(users.map((u) => ({ partitionKey: u.key, data: Buffer.from(JSON.stringify({ v: u.v, poison: u.poison })), ...(u.explicitHashKey ? { explicitHashKey: u.explicitHashKey } : {}) }))));
        const out = await clients.kinesis.send(
          new PutRecordsCommand({ StreamName: name, Records: built.map((b) => ({ PartitionKey: b.partitionKey, Data: b.data, ...(b.explicitHashKey ? { ExplicitHashKey: b.explicitHashKey } : {}) })) }),
        );
        if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords rejected ${out.FailedRecordCount} aggregated records`);
        out.Records!.forEach((answer, j) => {
          for (const u of chunk[j]!) ledger.add({ key: u.key, v: u.v, poison: u.poison ?? false, sequenceNumber: answer.SequenceNumber!, shardId: answer.ShardId! });
        });
      }
    },
    /**
     * A redeploy with another worker pool: the dispatcher invokes only these functions from now on, and the
     * SPM ticks with them as the deployed workers (as the CDK app sets both from one configuration).
     */
    redeploy(setups: readonly WorkerSetup[]): void {
      retired.push(localInvoker);
      localInvoker = deploy(setups);
      workers = nodesOf(setups);
    },
    /** One SPM tick through the real load → decide → apply path, with the given policy. */
    async tick(policy: Policy<unknown> = policyByName('static'), store: MetadataStore = metadata, crashPoint?: CrashPoint): Promise<TickReport> {
      ticks += 1;
      const run = (source: MetricsSource) => runSpmTick({ metadata: store, metrics: source, stream, clock: systemClock, policy, config, tickId: `${name}-tick-${ticks}`, workers, metricsPeriodMs: 1000, reshardTimeoutMs: 10_000, crashPoint });
      return meter ? meter.invocation('spm', FUNCTION_MEMORY_MB.spm, 0, () => run(new MeteredMetricsSource(metrics, meter))) : run(metrics);
    },
    /** Polls the output table until every ledger record is applied (or `timeoutMs` passes), then checks it. */
    async settle(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let states = await state.listStates();
      while (!ledger.caughtUp(states) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        states = await state.listStates();
      }
      return { states, verdicts: ledger.check(states) };
    },
    /** Stops polling and waits for in-flight work; safe to call twice. */
    async stop(): Promise<void> {
      await esm.stop();
      await Promise.all([localInvoker, ...retired].map((i) => i.idle()));
      capture.stop();
    },
  };
  return pipeline;
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** Memory of the pipeline's worker functions, in MB (as `workers` registers them). */
const WORKER_MEMORY_MB = 1024;

type DispatcherHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

/** A handler per shard (built on first use): the shard id is the first part of each record's eventID. */
function perShard(build: () => DispatcherHandler): DispatcherHandler {
  const handlers = new Map<string, DispatcherHandler>();
  return (event, context) => {
    const shardId = event.Records[0]?.eventID.split(':')[0] ?? '';
    let handler = handlers.get(shardId);
    if (!handler) handlers.set(shardId, (handler = build()));
    return handler(event, context);
  };
}

/** Each event as one metered invocation of the dispatcher function, when a meter is given. */
function meteredDispatcher(handler: DispatcherHandler, meter: Meter | undefined): DispatcherHandler {
  if (!meter) return handler;
  return (event, context) => meter.invocation('dispatcher', FUNCTION_MEMORY_MB.dispatcher, event.Records.length, () => handler(event, context));
}

/** A policy that returns the actions a test scripts from the view it is given (e.g. "move shard 0 to w2"). */
export function scriptedPolicy(script: (view: ClusterView) => readonly Action[], events: readonly DecisionEvent[] = []): Policy<unknown> {
  return {
    name: 'static',
    label: 'scripted (test)',
    initialState: () => ({}),
    decide: (view, _config, state) => ({ actions: script(view), events, nextState: state }),
  };
}

/** `n` records over `keys` keys, key-major interleaved (k0, k1, …, k0, k1, …), values 1..n. */
export function records(n: number, keys: number, extra: { costMs?: number; prefix?: string } = {}): { key: string; v: number; costMs?: number }[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${extra.prefix ?? 'k'}${i % keys}`, v: i + 1, costMs: extra.costMs }));
}

/**
 * A crash hook that "kills the process" the first time it reaches `step` (core/ports/crash-points.port.ts)
 * while `armed()` holds (always, by default).
 */
export function crashOnceAt(step: CrashPointName, armed: () => boolean = () => true): CrashPoint & { readonly fired: () => number } {
  let fired = 0;
  const hook = (at: CrashPointName, subject: string): void => {
    if (at !== step || fired > 0 || !armed()) return;
    fired += 1;
    throw new InjectedCrash(at, subject);
  };
  return Object.assign(hook, { fired: () => fired });
}

/** The hash key halfway between the middle two of `records(n, keys)`'s partition keys: a split there gives each child half the keys. */
export function middleSplitKey(keys: number, prefix = 'k'): bigint {
  const sorted = Array.from({ length: keys }, (_, i) => hashKeyOf(`${prefix}${i}`)).sort((a, b) => (a < b ? -1 : 1));
  return (sorted[keys / 2 - 1]! + sorted[keys / 2]!) / 2n;
}
