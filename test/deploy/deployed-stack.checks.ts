import { expect, it } from 'vitest';
import { DEFAULTS, ENV, TABLES, type TableDefinition, type WorkerDescriptor } from '../../definitions/resources.js';
import { queueName } from '../support/deploy/aws-reads.js';
import type { Deployment } from './deployment.js';

/** CloudWatch's names for the function metrics the alarms watch. */
const LAMBDA = 'AWS/Lambda';

function dims(list: readonly { Name?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
}

/**
 * The checks of a deployed stack against the configuration it was synthesized from: each compares what the
 * AWS APIs of the emulator answer with what the configuration asks for. Registered by each deploy test file
 * (one configuration each). Resources are found by type and by what the functions' environment names, never
 * by logical id.
 */
export function checkDeployedStack(get: () => Deployment): void {
  const streamName = (d: Deployment): string => d.config.stream.existingStreamArn?.split('/').pop() ?? d.ofType('AWS::Kinesis::Stream')[0]!.physicalId;

  it('reads the source stream with its shards, retention and the shard-level metrics the SPM needs', async () => {
    const d = get();
    const s = d.config.stream;
    const created = d.ofType('AWS::Kinesis::Stream');
    expect(created).toHaveLength(s.existingStreamArn === undefined ? 1 : 0);
    const summary = await d.reads.stream(streamName(d));
    expect(summary.StreamStatus).toBe('ACTIVE');
    expect([...(summary.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? [])].sort()).toEqual([...s.shardLevelMetrics].sort());
    if (s.existingStreamArn !== undefined) {
      expect(summary.StreamARN).toBe(s.existingStreamArn);
      return;
    }
    expect(summary.OpenShardCount).toBe(s.shardCount ?? DEFAULTS.shardCount);
    expect(summary.RetentionPeriodHours).toBe(s.retentionHours ?? DEFAULTS.retentionHours);
    expect(summary.StreamModeDetails?.StreamMode).toBe('PROVISIONED');
    expect(summary.EncryptionType).toBe('KMS');
    const stackKey = async () => (await d.reads.key(d.ofType('AWS::KMS::Key')[0]!.physicalId)).Arn;
    expect(summary.KeyId).toBe(s.encryption === 'customer-managed' ? await stackKey() : 'alias/aws/kinesis');
  });

  it('creates the metadata, audit and output tables with their keys, on demand, PITR on, TTL on the metadata (shard load) and audit tables', async () => {
    const d = get();
    const spm = d.one('spm').env;
    const worker = d.one('worker', d.config.workers[0]!.name).env;
    const names = { metadata: spm[ENV.metadataTable]!, audit: spm[ENV.auditTable]!, output: worker[ENV.outputTable]! };
    expect(new Set(Object.values(names))).toEqual(new Set(d.ofType('AWS::DynamoDB::Table').map((t) => t.physicalId)));
    for (const [role, def] of Object.entries(TABLES) as [keyof typeof TABLES, TableDefinition][]) {
      const { table, ttlAttribute, pointInTimeRecovery } = await d.reads.table(names[role]);
      const keys = Object.fromEntries((table.KeySchema ?? []).map((k) => [k.KeyType, k.AttributeName]));
      expect(keys, role).toEqual(def.sortKey ? { HASH: def.partitionKey, RANGE: def.sortKey } : { HASH: def.partitionKey });
      expect(table.BillingModeSummary?.BillingMode, role).toBe('PAY_PER_REQUEST');
      expect(ttlAttribute, role).toBe(def.ttlAttribute);
      expect(pointInTimeRecovery, role).toBe('ENABLED');
      expect(table.SSEDescription?.Status, role).toBe('ENABLED');
    }
  });

  it('creates a worker and a shadow function per class with its memory, timeout, reserved concurrency and environment', async () => {
    const d = get();
    const spm = d.one('spm').env;
    expect(d.functions.filter((f) => f.kind === 'worker').map((f) => f.workerId).sort()).toEqual(d.config.workers.map((w) => w.name).sort());
    for (const w of d.config.workers) {
      const worker = d.one('worker', w.name);
      const shadow = d.one('shadow', w.name);
      // The inline class's worker function is never invoked (the dispatcher runs its batches): no reservation.
      const workerReserved = w.name === d.config.inlineWorkerClass ? undefined : w.slots;
      for (const [fn, reserved] of [[worker, workerReserved], [shadow, w.shadowSlots]] as const) {
        expect(fn.got.Configuration?.MemorySize, fn.name).toBe(w.memoryMb);
        expect(fn.got.Configuration?.Timeout, fn.name).toBe(w.timeoutSeconds);
        expect(fn.got.Concurrency?.ReservedConcurrentExecutions, fn.name).toBe(reserved);
        expect(fn.got.Configuration?.Runtime, fn.name).toBe('nodejs22.x');
        expect(fn.env[ENV.streamName], fn.name).toBe(streamName(d));
        expect(fn.env[ENV.metadataTable], fn.name).toBe(spm[ENV.metadataTable]);
        expect(JSON.parse(fn.env[ENV.config]!), fn.name).toEqual(JSON.parse(JSON.stringify(d.config.decision)));
      }
      expect(queueName(worker.env[ENV.failureQueueUrl]!)).toBe(queueName(failureQueue(d).physicalId));
      expect(shadow.env[ENV.failureQueueUrl]).toBeUndefined();
      expect(await d.reads.eventInvokeConfig(shadow.name)).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: DEFAULTS.shadowMaxEventAgeSeconds });
    }
  });

  it('gives the dispatcher and the SPM their sizes (the dispatcher the inline class\u2019s memory), the SPM one tick at a time, both the deployed worker list and policy', async () => {
    const d = get();
    const dispatcher = d.one('dispatcher');
    const spm = d.one('spm');
    const inline = d.config.workers.find((w) => w.name === d.config.inlineWorkerClass);
    expect(dispatcher.env[ENV.inlineWorkerId]).toBe(d.config.inlineWorkerClass);
    expect(dispatcher.got.Configuration).toMatchObject({ MemorySize: inline?.memoryMb ?? d.config.dispatcher.memoryMb, Timeout: d.config.dispatcher.timeoutSeconds });
    expect(dispatcher.got.Concurrency?.ReservedConcurrentExecutions).toBeUndefined();
    expect(spm.got.Configuration).toMatchObject({ MemorySize: d.config.spm.memoryMb, Timeout: d.config.spm.timeoutSeconds });
    expect(spm.got.Concurrency?.ReservedConcurrentExecutions).toBe(1);
    expect(spm.env[ENV.policy]).toBe(d.config.policy);
    for (const fn of [dispatcher, spm]) {
      const workers = JSON.parse(fn.env[ENV.workers]!) as WorkerDescriptor[];
      // The inline class's shards each run in their own dispatcher invocation: the SPM counts it that wide.
      const slotsOf = (w: (typeof d.config.workers)[number]) => (w.name === d.config.inlineWorkerClass ? Math.max(w.slots, DEFAULTS.inlineClassSlots) : w.slots);
      expect(workers.map((w) => ({ id: w.workerId, slots: w.slots, memoryMb: w.memoryMb })), fn.name).toEqual(d.config.workers.map((w) => ({ id: w.name, slots: slotsOf(w), memoryMb: w.memoryMb })));
      for (const w of workers) {
        expect(w.functionName).toBe(d.one('worker', w.workerId).name);
        expect(w.shadowFunctionName).toBe(d.one('shadow', w.workerId).name);
      }
    }
  });

  it('maps the stream to the dispatcher with the configured batch, window, start, retries, record age and failure queue', async () => {
    const d = get();
    const e = d.config.eventSource;
    const mappings = await d.reads.mappingsOf(d.one('dispatcher').name);
    expect(mappings).toHaveLength(1);
    const m = mappings[0]!;
    // efo: the mapping reads through a consumer registered on the stream (efo-consumer.test.ts: which one).
    const [sourceStream, consumer] = (m.EventSourceArn ?? '').split('/consumer/');
    expect(sourceStream?.endsWith(`:stream/${streamName(d)}`)).toBe(true);
    expect(consumer === undefined ? 'shared' : 'efo').toBe(d.config.stream.consumer);
    expect(m).toMatchObject({
      BatchSize: e.batchSize,
      MaximumBatchingWindowInSeconds: e.maxBatchingWindowSeconds,
      StartingPosition: e.startingPosition,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: e.bisectOnError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // -1 (no limit) is the API's default: CloudFormation leaves the property out and AWS answers -1.
    expect(m.MaximumRetryAttempts ?? -1).toBe(e.maxRetryAttempts);
    expect(m.MaximumRecordAgeInSeconds ?? -1).toBe(e.maxRecordAgeSeconds);
    expect(m.DestinationConfig?.OnFailure?.Destination?.split(':').pop()).toBe(queueName(failureQueue(d).physicalId));
    expect(d.functions.filter((f) => f.kind !== 'dispatcher').map((f) => f.name)).not.toContain(m.FunctionArn?.split(':').pop());
  });

  it('ticks the SPM on the configured schedule, a missed tick not retried', async () => {
    const d = get();
    const rules = d.ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const minutes = d.config.schedule.rateMinutes;
    expect(await d.reads.rule(rules[0]!.physicalId)).toMatchObject({ ScheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`, State: 'ENABLED' });
    const targets = await d.reads.ruleTargets(rules[0]!.physicalId);
    expect(targets.map((t) => t.Arn.split(':').pop())).toEqual([d.one('spm').name]);
    expect(targets[0]!.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('raises each alarm at its configured threshold, over the configured period, to the alarm topic', async () => {
    const d = get();
    const a = d.config.alarms;
    const names = d.ofType('AWS::CloudWatch::Alarm').map((r) => r.physicalId);
    const alarms = await d.reads.alarms(names);
    expect(alarms).toHaveLength(6 + d.config.workers.length);
    const topic = d.ofType('AWS::SNS::Topic')[0]!.physicalId;
    const fn = (kind: 'dispatcher' | 'spm') => d.one(kind).name;
    const thresholds: Record<string, number> = {};
    for (const alarm of alarms) {
      expect(alarm, alarm.AlarmName).toMatchObject({ AlarmActions: [topic], ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: a.evaluationPeriods, TreatMissingData: 'notBreaching' });
      const worker = alarm.Metrics?.flatMap((q) => [dims(q.MetricStat?.Metric?.Dimensions).FunctionName, dims(q.MetricStat?.Metric?.Dimensions).WorkerId]).find((v) => v !== undefined);
      const stat = alarm.Metrics?.find((q) => q.MetricStat !== undefined)?.MetricStat;
      expect(alarm.Period ?? stat?.Period, alarm.AlarmName).toBe(a.periodMinutes * 60);
      const key = alarm.MetricName
        ? `${alarm.Namespace}/${alarm.MetricName}/${Object.values(dims(alarm.Dimensions)).join(',')}`
        : `worker/${d.functions.find((f) => f.name === worker)?.workerId ?? worker}`;
      thresholds[key] = alarm.Threshold!;
    }
    const expected: Record<string, number> = {
      [`${LAMBDA}/IteratorAge/${fn('dispatcher')}`]: a.iteratorAgeMs,
      [`${LAMBDA}/Errors/${fn('dispatcher')}`]: a.dispatcherErrors,
      [`${LAMBDA}/Errors/${fn('spm')}`]: a.spmErrors,
      [`AWS/SQS/ApproximateNumberOfMessagesVisible/${queueName(failureQueue(d).physicalId)}`]: a.failureQueueDepth,
      [`Foreshadow/PredictionError/`]: a.predictionErrorFraction,
      [`AWS/Kinesis/WriteProvisionedThroughputExceeded/${streamName(d)}`]: a.throttledRecords,
      ...Object.fromEntries(d.config.workers.map((w) => [`worker/${w.name}`, a.workerErrors])),
    };
    expect(thresholds).toEqual(expected);
  });

  it('draws the dashboard with the stream, the functions and every alarm', async () => {
    const d = get();
    const dashboards = d.ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(await d.reads.dashboardBody(dashboards[0]!.physicalId));
    expect((JSON.parse(body) as { widgets: unknown[] }).widgets.length).toBeGreaterThan(5);
    for (const alarm of await d.reads.alarms(d.ofType('AWS::CloudWatch::Alarm').map((r) => r.physicalId))) expect(body).toContain(alarm.AlarmArn);
    for (const name of [streamName(d), d.one('dispatcher').name, d.one('spm').name]) expect(body).toContain(name);
  });

  it('encrypts the alarm topic with the stack key, lets CloudWatch publish to it, and subscribes the configured e-mail', async () => {
    const d = get();
    const topics = d.ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const attributes = await d.reads.topicAttributes(topics[0]!.physicalId);
    const key = await d.reads.key(d.ofType('AWS::KMS::Key')[0]!.physicalId);
    expect(key).toMatchObject({ KeyState: 'Enabled', rotation: true });
    expect(attributes.KmsMasterKeyId).toBe(key.Arn);
    const policy = JSON.parse(attributes.Policy!) as { Statement: { Sid?: string; Principal?: { Service?: string }; Action?: string }[] };
    expect(policy.Statement.find((s) => s.Sid === 'CloudWatchAlarmsPublish')).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' });
    const subscriptions = await d.reads.subscriptions(topics[0]!.physicalId);
    expect(subscriptions).toEqual(d.config.alarms.email ? [{ protocol: 'email', endpoint: d.config.alarms.email }] : []);
  });

  it('creates the failure queue with its dead-letter queue after 5 receives, both encrypted, kept 14 days, refusing plain HTTP', async () => {
    const d = get();
    const queues = d.ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    const failure = await d.reads.queueAttributes(failureQueue(d).physicalId);
    const deadLetter = queues.find((q) => q !== failureQueue(d))!;
    const dlq = await d.reads.queueAttributes(deadLetter.physicalId);
    expect(JSON.parse(failure.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlq.QueueArn, maxReceiveCount: 5 });
    for (const attributes of [failure, dlq]) {
      expect(attributes).toMatchObject({ MessageRetentionPeriod: String(14 * 24 * 3600), SqsManagedSseEnabled: 'true' });
      const policy = JSON.parse(attributes.Policy!) as { Statement: { Effect: string; Condition?: { Bool?: Record<string, string> } }[] };
      expect(policy.Statement.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    }
  });

  it("keeps each function's logs in its own log group for 30 days", async () => {
    const d = get();
    const groups = d.ofType('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(d.functions.filter((f) => f.kind !== 'other').length);
    for (const g of groups) expect((await d.reads.logGroup(g.physicalId))?.retentionInDays, g.physicalId).toBe(30);
  });
}

/** The queue the workers send failures to (the other one is its dead-letter queue). */
function failureQueue(d: Deployment) {
  const url = d.one('worker', d.config.workers[0]!.name).env[ENV.failureQueueUrl]!;
  const found = d.ofType('AWS::SQS::Queue').find((q) => queueName(q.physicalId) === queueName(url));
  if (found === undefined) throw new Error(`no queue of the stack is the workers' failure queue ${url}`);
  return found;
}
