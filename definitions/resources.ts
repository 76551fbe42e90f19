/**
 * One source of truth for the resources both the CDK app (infra/) and the local runtime (local/) create:
 * table keys, TTL attribute, the metric namespace and the environment the handlers read. Pure data.
 */
export const METRIC_NAMESPACE = 'Foreshadow';

export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute?: string;
}

export const TABLES = {
  /**
   * Partitions, workers, shadows, shadow stats, policy state and the per-minute shard load (single-table,
   * `pk`/`sk`); only the shard load items expire (`expiresAtSec`).
   */
  metadata: { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAtSec' },
  /** Decisions with reasons and predictions, later their observed outcome; expires after `auditRetentionDays`. */
  audit: { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAtSec' },
  /** Output of the example processor (per-key running aggregates). */
  output: { partitionKey: 'pk' },
} as const satisfies Record<string, TableDefinition>;

/**
 * The metadata table's partition-key values (`pk`), one per kind of item (layout in
 * adapters/aws/items.dynamodb.ts). The CDK app scopes each role's DynamoDB access to the kinds it may touch
 * with `dynamodb:LeadingKeys`, so these are part of the deployed IAM policy, not only of the code.
 */
export const METADATA_KEYS = {
  partition: 'PARTITION',
  worker: 'WORKER',
  shadow: 'SHADOW',
  shadowStats: 'SHADOW_STATS',
  policy: 'POLICY',
  progressPrefix: 'PROGRESS#',
  progressSk: '-',
  /** The dispatcher's search for a record that crashes a shard's owner (SuspectRange), while one is on. */
  suspectPrefix: 'SUSPECT#',
  /** One shard's load in one minute (ShardLoadMinute): pk `LOAD#<minute start ms>`, sk the shard id. */
  loadPrefix: 'LOAD#',
  audit: 'AUDIT',
} as const;

/** Environment variables the handlers read; the CDK app and the local runtime set the same ones. */
export const ENV = {
  streamName: 'FORESHADOW_STREAM_NAME',
  metadataTable: 'FORESHADOW_METADATA_TABLE',
  auditTable: 'FORESHADOW_AUDIT_TABLE',
  outputTable: 'FORESHADOW_OUTPUT_TABLE',
  /** JSON list of worker classes: `[{ workerId, functionName, shadowFunctionName?, memoryMb, slots, speed }]`. */
  workers: 'FORESHADOW_WORKERS',
  /** Worker this function is (worker handler only). */
  workerId: 'FORESHADOW_WORKER_ID',
  /**
   * `true` on a class's shadow function (worker handler only): it runs shadow batches and refuses primary
   * ones, because its role may not write the output table or send to the failure queue. Unset elsewhere.
   */
  shadowOnly: 'FORESHADOW_SHADOW_ONLY',
  /** JSON of the decision configuration (core/config), validated at cold start. */
  config: 'FORESHADOW_CONFIG',
  /** Where records that keep failing go (an SQS queue URL on AWS). */
  failureQueueUrl: 'FORESHADOW_FAILURE_QUEUE_URL',
  /**
   * Where the dispatcher's event source mapping starts reading (`LATEST` or `TRIM_HORIZON`, the config's
   * eventSource.startingPosition): the parent gate's rule for a parent the dispatcher processed nothing of.
   * `TRIM_HORIZON` unless set.
   */
  startingPosition: 'FORESHADOW_STARTING_POSITION',
  /** Which policy the SPM runs (`spm` unless set). */
  policy: 'FORESHADOW_POLICY',
  /**
   * Dispatcher only: the worker class whose owner batches it runs in its own invocation (app/dispatch/
   * inline-worker-invoker.ts); unset, every owner is invoked on its worker function.
   */
  inlineWorkerId: 'FORESHADOW_INLINE_WORKER_ID',
  /** Dispatcher only, with inlineWorkerId: the class's timeout in ms, the deadline of an inline batch. */
  inlineWorkerTimeoutMs: 'FORESHADOW_INLINE_WORKER_TIMEOUT_MS',
} as const;

/**
 * File name of the inline class's worker handler, bundled next to the dispatcher's (infra/constructs/
 * node-function.ts `extraBundles`); the dispatcher runs it in its inline thread.
 */
export const INLINE_WORKER_BUNDLE = 'inline-worker.mjs';

export const DEFAULTS = {
  /**
   * Least time between two GetRecords calls of one parent-gate drain check, in ms. A check is usually one
   * GetShardIterator and one GetRecords call, once per holdPollMs (1 s) per held child; a check that meets empty
   * pages mid-shard reads at most 2 pages/s, so with both children of a split held (2 checks) and the
   * dispatcher's shared mapping still polling the parent (1/s) other standard consumers keep at least 1 of the
   * shard's 5 GetRecords/s, and 3 through enhanced fan-out (the mapping then uses SubscribeToShard).
   */
  drainReadIntervalMs: 500,
  auditRetentionDays: 14,
  /**
   * Slots the SPM counts for the worker class the dispatcher runs inline: each of its shards runs in its own
   * dispatcher invocation (one batch per shard at a time), so the class's capacity is one slot per shard, up
   * to the account's concurrency (1,000 by default), not its worker function's reserved concurrency.
   */
  inlineClassSlots: 1000,
  /**
   * Memory of the dispatcher function when no worker class runs inline (infra `dispatcher.memoryMb`); with an
   * inline class the dispatcher has that class's memory. The simulator prices the dispatcher's wait at it.
   */
  dispatcherMemoryMb: 512,
  /** Shard load minutes expire (DynamoDB TTL) this long after their minute, in hours. */
  shardLoadRetentionHours: 2,
  /** Timeout of a worker class's functions, in seconds (infra config `workers[].timeoutSeconds`, a scenario class's `timeoutSeconds`). */
  workerTimeoutSeconds: 60,
  /** Provisioned shards of a new stream. */
  shardCount: 8,
  retentionHours: 24,
  /**
   * MaximumEventAgeInSeconds of each shadow function's asynchronous queue: a shadow sample older than this
   * is stale, so Lambda drops it rather than run it late. The local invoker drops queued shadow calls alike.
   */
  shadowMaxEventAgeSeconds: 120,
} as const;

/** One deployed worker class, as the dispatcher and the SPM see it (the JSON list in `ENV.workers`). */
export interface WorkerDescriptor {
  readonly workerId: string;
  readonly functionName: string;
  /**
   * The class's shadow function: same code and memory as `functionName`, its own reserved concurrency, so
   * that shadow batches (asynchronous) never take a slot the owners' synchronous calls need.
   * @default - `functionName` (a list written before shadow functions existed)
   */
  readonly shadowFunctionName?: string;
  readonly memoryMb: number;
  readonly slots: number;
  readonly speed: number;
}
