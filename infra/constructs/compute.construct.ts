import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisConsumerEventSource, KinesisEventSource, SqsDlq, type KinesisEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from '../../core/errors.js';
import { DEFAULTS, ENV, INLINE_WORKER_BUNDLE, METADATA_KEYS, type WorkerDescriptor } from '../../definitions/resources.js';
import type { InfraConfig } from '../config/load-config.js';
import { NodeFunction, type CodeLocation } from './node-function.js';
import type { Storage } from './storage.construct.js';

/** Entry files of the three handlers; each exports `handler`. */
export interface HandlerEntries {
  readonly dispatcher: string;
  readonly worker: string;
  readonly spm: string;
}

export interface ComputeProps {
  readonly config: InfraConfig;
  readonly stream: kinesis.IStream;
  readonly storage: Storage;
  readonly entries: HandlerEntries;
  readonly code: CodeLocation;
  readonly removalPolicy: RemovalPolicy;
}


/** Lambda's limit on all environment variables of a function together, in bytes. */
const LAMBDA_ENV_LIMIT_BYTES = 4096;
/** Longest generated function name, and a generous allowance for the other variables (names, URLs). */
const FUNCTION_NAME_MAX = 64;
const OTHER_VARIABLES_BYTES = 600;

/** The SPM's environment carries every worker and the decision config: refuse at synth what Lambda would refuse at deploy. */
function assertEnvironmentFits(descriptors: readonly WorkerDescriptor[], decisionJson: string): void {
  const longest = 'x'.repeat(FUNCTION_NAME_MAX);
  const workersJson = JSON.stringify(descriptors.map((d) => ({ ...d, functionName: longest, shadowFunctionName: longest })));
  const estimate = Buffer.byteLength(workersJson) + Buffer.byteLength(decisionJson) + OTHER_VARIABLES_BYTES;
  if (estimate > LAMBDA_ENV_LIMIT_BYTES) {
    throw new ValidationError(
      'foreshadow.workers',
      `a list short enough for Lambda's 4 KB of environment variables (about ${estimate} bytes with ${descriptors.length} classes and this decision config)`,
      descriptors.length,
    );
  }
}

/** Lambda gives one full vCPU at 1769 MB; a shard is processed on one thread, so more memory adds no speed. */
const ONE_VCPU_MB = 1769;
const REFERENCE_MB = 1024;

/**
 * The three kinds of function: the dispatcher behind the stream's event source mapping, the worker pool
 * (per class a worker function, reserved concurrency = slots, and a shadow function of the same code and
 * memory, reserved concurrency = shadowSlots) and the SPM on a schedule. Each role gets exactly the actions
 * its handler performs, on the resources it performs them on.
 */
export class Compute extends Construct {
  readonly dispatcher: NodejsFunction;
  /** The enhanced fan-out consumer the dispatcher's mapping reads through (`stream.consumer: efo`); absent for `shared`. */
  readonly streamConsumer?: kinesis.StreamConsumer;
  readonly workers: ReadonlyMap<string, NodejsFunction>;
  /**
   * The shadow function of each class. Shadow samples run there, asynchronously, in their own reserved
   * concurrency: a running shadow never takes one of the worker function's slots, so an owner's synchronous
   * Invoke is never throttled because of it. Same memory as the class, hence the same CPU share per sandbox
   * and the same per-record cost as the class would see.
   */
  readonly shadowWorkers: ReadonlyMap<string, NodejsFunction>;
  readonly spm: NodejsFunction;
  readonly schedule: events.Rule;
  readonly workerDescriptors: readonly WorkerDescriptor[];

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { config, storage, stream } = props;
    const common = { code: props.code, removalPolicy: props.removalPolicy, logRetention: logs.RetentionDays.ONE_MONTH };
    const decisionJson = JSON.stringify(config.decision);

    const workers = new Map<string, NodejsFunction>();
    const shadowWorkers = new Map<string, NodejsFunction>();
    const descriptors: WorkerDescriptor[] = [];
    for (const w of config.workers) {
      const worker = new NodeFunction(this, `Worker-${w.name}`, {
        ...common,
        entry: props.entries.worker,
        description: `Foreshadow worker class ${w.name}: processes the shards it owns`,
        memoryMb: w.memoryMb,
        timeoutSeconds: w.timeoutSeconds,
        // The inline class's owner batches run in the dispatcher, never here: reserving the account's
        // concurrency for a function nothing invokes would only take it from the rest.
        reservedConcurrency: w.name === config.inlineWorkerClass ? undefined : w.slots,
        environment: {
          [ENV.workerId]: w.name,
          [ENV.streamName]: stream.streamName,
          [ENV.metadataTable]: storage.metadataTable.tableName,
          [ENV.outputTable]: storage.outputTable.tableName,
          [ENV.failureQueueUrl]: storage.failureQueue.queueUrl,
          [ENV.config]: decisionJson,
        },
      });
      // The owner runs the user's processor: it reads its shard's partition item (the epoch check) and
      // nothing else of the metadata, so a faulty processor cannot rewrite owners, epochs or policy state.
      worker.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'ReadPartitionItems', ['GetItem'], [METADATA_KEYS.partition]));
      storage.outputTable.grantReadWriteData(worker.role);
      storage.failureQueue.grantSendMessages(worker.role);
      workers.set(w.name, worker.fn);

      const shadow = new NodeFunction(this, `WorkerShadow-${w.name}`, {
        ...common,
        entry: props.entries.worker,
        description: `Foreshadow shadow function of worker class ${w.name}: shadow samples in dry-run, in their own reserved concurrency`,
        memoryMb: w.memoryMb,
        timeoutSeconds: w.timeoutSeconds,
        reservedConcurrency: w.shadowSlots,
        environment: {
          // The class's id, so that shadow telemetry and stats keep the worker id they measure for.
          [ENV.workerId]: w.name,
          [ENV.shadowOnly]: 'true',
          [ENV.streamName]: stream.streamName,
          [ENV.metadataTable]: storage.metadataTable.tableName,
          [ENV.outputTable]: storage.outputTable.tableName,
          [ENV.config]: decisionJson,
        },
      });
      // Only the dispatcher's shadow path invokes it, asynchronously (owners are invoked synchronously on the
      // worker function): a retried shadow would count its sample twice, a late one is stale.
      shadow.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(DEFAULTS.shadowMaxEventAgeSeconds) });
      // The shadow path (app/worker/shadow-batch.ts) lists the live shadows (Query), adds its sample to the
      // shadow's stats (a conditional UpdateItem, then a GetItem of the stats when the condition fails) and
      // reads each key's state (GetItem on the output table): no output writes, no failure queue.
      shadow.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'ListShadows', ['Query'], [METADATA_KEYS.shadow]));
      shadow.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'RecordShadowSamples', ['GetItem', 'UpdateItem'], [METADATA_KEYS.shadowStats]));
      storage.outputTable.grant(shadow.role, 'dynamodb:GetItem');
      shadowWorkers.set(w.name, shadow.fn);

      descriptors.push({
        workerId: w.name,
        functionName: worker.fn.functionName,
        shadowFunctionName: shadow.fn.functionName,
        memoryMb: w.memoryMb,
        // The inline class's shards each run in their own dispatcher invocation (DEFAULTS.inlineClassSlots).
        slots: w.name === config.inlineWorkerClass ? Math.max(w.slots, DEFAULTS.inlineClassSlots) : w.slots,
        speed: w.speed ?? Math.round((Math.min(w.memoryMb, ONE_VCPU_MB) / REFERENCE_MB) * 1000) / 1000,
      });
    }
    this.workers = workers;
    this.shadowWorkers = shadowWorkers;
    this.workerDescriptors = descriptors;
    assertEnvironmentFits(descriptors, decisionJson);
    const workersJson = Stack.of(this).toJsonString(descriptors);

    // A dispatcher that runs one class's owner batches inline is that class too: its memory, its stores.
    const inline = config.workers.find((w) => w.name === config.inlineWorkerClass);
    const dispatcher = new NodeFunction(this, 'Dispatcher', {
      ...common,
      entry: props.entries.dispatcher,
      // Inline, the class's worker handler is bundled next to the dispatcher and runs in its worker thread.
      ...(inline ? { extraBundles: [{ entry: props.entries.worker, outfile: INLINE_WORKER_BUNDLE }] } : {}),
      description: "Foreshadow dispatcher: routes each shard batch to its owning worker and shadow samples to the shadow worker class's shadow function",
      memoryMb: inline?.memoryMb ?? config.dispatcher.memoryMb,
      timeoutSeconds: config.dispatcher.timeoutSeconds,
      environment: {
        [ENV.streamName]: stream.streamName,
        [ENV.metadataTable]: storage.metadataTable.tableName,
        [ENV.failureQueueUrl]: storage.failureQueue.queueUrl,
        [ENV.workers]: workersJson,
        [ENV.config]: decisionJson,
        // The parent gate's rule for a parent it processed nothing of depends on where the mapping starts.
        [ENV.startingPosition]: config.eventSource.startingPosition,
        ...(inline ? { [ENV.inlineWorkerId]: inline.name, [ENV.inlineWorkerTimeoutMs]: String(inline.timeoutSeconds * 1000), [ENV.outputTable]: storage.outputTable.tableName } : {}),
      },
    });
    // Routing reads partitions and shadows; the parent gate reads and writes shard progress (and reads the
    // table's creation time: the earliest the mapping can have started); the search for a record that crashes
    // an owner keeps its range in SUSPECT# items; each shard's load per minute is added to LOAD# items for
    // the SPM. Nothing else.
    const progressKeys = `${METADATA_KEYS.progressPrefix}*`;
    dispatcher.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'ReadPlacementAndProgress', ['GetItem'], [METADATA_KEYS.partition, progressKeys]));
    dispatcher.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'ListShadows', ['Query'], [METADATA_KEYS.shadow]));
    dispatcher.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'WriteShardProgress', ['PutItem'], [progressKeys]));
    dispatcher.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'AddShardLoad', ['UpdateItem'], [`${METADATA_KEYS.loadPrefix}*`]));
    dispatcher.role.addToPrincipalPolicy(itemAccess(storage.metadataTable, 'CrashSearch', ['GetItem', 'PutItem', 'DeleteItem'], [`${METADATA_KEYS.suspectPrefix}*`]));
    dispatcher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadMetadataTableCreationTime', actions: ['dynamodb:DescribeTable'], resources: [storage.metadataTable.tableArn] }),
    );
    // Inline, the dispatcher is also the class's worker: the worker's output table and failure queue (its
    // partition read is the GetItem above).
    if (inline) {
      storage.outputTable.grantReadWriteData(dispatcher.role);
      storage.failureQueue.grantSendMessages(dispatcher.role);
    }
    dispatcher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeWorkerPool',
        actions: ['lambda:InvokeFunction'],
        resources: [...workers.values(), ...shadowWorkers.values()].map((fn) => fn.functionArn),
      }),
    );
    const esm = config.eventSource;
    const mapping: KinesisEventSourceProps = {
      startingPosition: lambda.StartingPosition[esm.startingPosition],
      batchSize: esm.batchSize,
      maxBatchingWindow: Duration.seconds(esm.maxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      bisectBatchOnError: esm.bisectOnError,
      // Unbounded retries (the schema accepts only -1, which is the mapping's default when the key is absent).
      retryAttempts: undefined,
      maxRecordAge: esm.maxRecordAgeSeconds === -1 ? undefined : Duration.seconds(esm.maxRecordAgeSeconds),
      // The handoff protocol needs each shard's batches in sequence: one batch per shard at a time.
      parallelizationFactor: 1,
      onFailure: new SqsDlq(storage.failureQueue),
    };
    if (config.stream.consumer === 'efo') {
      // A dedicated 2 MiB/s per shard for the mapping. The consumer's grantRead gives the dispatcher
      // SubscribeToShard and DescribeStreamConsumer on this consumer only, plus the stream reads the parent
      // gate's drain checks need (GetShardIterator, GetRecords, ListShards).
      this.streamConsumer = new kinesis.StreamConsumer(this, 'DispatcherConsumer', {
        stream,
        streamConsumerName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      });
      dispatcher.fn.addEventSource(new KinesisConsumerEventSource(this.streamConsumer, mapping));
    } else {
      dispatcher.fn.addEventSource(new KinesisEventSource(stream, mapping));
    }
    this.dispatcher = dispatcher.fn;

    const spm = new NodeFunction(this, 'Spm', {
      ...common,
      entry: props.entries.spm,
      description: 'Foreshadow SPM: one tick of load, decide, apply (shadows, moves, splits)',
      memoryMb: config.spm.memoryMb,
      timeoutSeconds: config.spm.timeoutSeconds,
      // One tick at a time; conditional writes guard the rest.
      reservedConcurrency: 1,
      environment: {
        [ENV.streamName]: stream.streamName,
        [ENV.metadataTable]: storage.metadataTable.tableName,
        [ENV.auditTable]: storage.auditTable.tableName,
        [ENV.workers]: workersJson,
        [ENV.config]: decisionJson,
        [ENV.policy]: config.policy,
      },
    });
    storage.metadataTable.grantReadWriteData(spm.role);
    storage.auditTable.grantReadWriteData(spm.role);
    spm.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReshardSourceStream',
        actions: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:ListShards',
          'kinesis:SplitShard',
          'kinesis:MergeShards',
          // Only the alarm-autoscaler baseline reshards uniformly.
          ...(config.policy === 'alarm-autoscaler' ? ['kinesis:UpdateShardCount'] : []),
        ],
        resources: [stream.streamArn],
      }),
    );
    spm.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadShardAndWorkerMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    Validations.of(spm.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData supports no resource-level permissions (IAM service authorization reference), so its only valid resource is "*"; every other action of this role is scoped to the stream or a table.',
    });
    this.spm = spm.fn;
    this.schedule = new events.Rule(this, 'SpmSchedule', {
      description: 'Foreshadow SPM tick',
      schedule: events.Schedule.rate(Duration.minutes(config.schedule.rateMinutes)),
      // A missed tick is not retried: the next one comes within the rate anyway.
      targets: [new targets.LambdaFunction(spm.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }
}

/**
 * Access to the items of `table` whose partition key matches one of `leadingKeys` (IAM wildcards allowed),
 * for the given DynamoDB actions only. `ForAllValues` over `dynamodb:LeadingKeys` is how DynamoDB scopes a
 * role by item; only key-addressed actions (GetItem, Query, PutItem, UpdateItem, DeleteItem) are granted this way, never
 * Scan or batch calls, which would not be confined by it.
 */
function itemAccess(table: dynamodb.ITable, sid: string, actions: readonly ('GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem')[], leadingKeys: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: actions.map((a) => `dynamodb:${a}`),
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } },
  });
}
