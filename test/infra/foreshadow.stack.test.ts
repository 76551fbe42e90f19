import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/index.js';
import { FORESHADOW_METRICS, KINESIS_SHARD_METRICS, SPM_METRICS } from '../../definitions/metrics.js';
import { DEFAULTS, ENV, INLINE_WORKER_BUNDLE, TABLES } from '../../definitions/resources.js';
import type { ForeshadowProps } from '../../infra/foreshadow.construct.js';
import type { ForeshadowStack } from '../../infra/foreshadow.stack.js';
import { synthStack } from './synth.js';
import { cfnText } from './template-text.js';

/** A configuration far from every default, so that each assertion shows the value came from it. */
const config = {
  stream: { name: 'orders', shardCount: 3 },
  workers: [
    { name: 'small', memoryMb: 512, slots: 3 },
    { name: 'large', memoryMb: 3008, slots: 2, shadowSlots: 3, speed: 2.5 },
  ],
  eventSource: { batchSize: 250, maxBatchingWindowSeconds: 2, maxRecordAgeSeconds: 900, startingPosition: 'TRIM_HORIZON' },
  schedule: { rateMinutes: 5 },
  alarms: { periodMinutes: 1, evaluationPeriods: 3, iteratorAgeMs: 120_000, failureQueueDepth: 3, predictionErrorFraction: 0.3, throttledRecords: 50, spmErrors: 2 },
  decision: { spm: { hotThreshold: 0.7, replication: { minRate: 0.02, maxRate: 0.1 } } },
} satisfies ForeshadowProps['config'];

let stack: ForeshadowStack;
let template: Template;
let assemblyDir: string;
const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [id(c), 'Arn'] });

beforeAll(() => {
  // The one synth of this file that runs esbuild for real (3 handlers, the two worker classes share a bundle).
  const synth = synthStack({ config, bundle: true });
  stack = synth.stack;
  template = synth.template;
  assemblyDir = synth.app.synth().directory;
});

const policyStatements = (role: IConstruct) =>
  Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(role) }] } })).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
  );
const actionsOf = (role: IConstruct) => policyStatements(role).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('the dispatcher and its event source mapping', () => {
  it('reads the stream with every mapping setting taken from the configuration', () => {
    const { compute, storage, source } = stack.foreshadow;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(compute.dispatcher) },
      EventSourceArn: arnOf(source.stream),
      BatchSize: 250,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: Match.absent(),
      MaximumRecordAgeInSeconds: 900,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arnOf(storage.failureQueue) } },
    });
  });

  it("tells the dispatcher where its mapping starts and lets it read the metadata table's creation time (the parent gate's rule for a parent it processed nothing of)", () => {
    const { compute } = stack.foreshadow;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('dispatcher'),
      Environment: { Variables: Match.objectLike({ [ENV.startingPosition]: 'TRIM_HORIZON' }) },
    });
    expect(actionsOf(compute.dispatcher.role!)).toContain('dynamodb:DescribeTable');
  });

  it('is bundled by the local esbuild as an ES module for nodejs22.x', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs22.x', Description: Match.stringLikeRegexp('dispatcher') });
    const bundles = readdirSync(assemblyDir).filter((d) => existsSync(join(assemblyDir, d, 'index.mjs')));
    expect(bundles.length).toBeGreaterThanOrEqual(3);
    for (const dir of bundles) expect(readFileSync(join(assemblyDir, dir, 'index.mjs'), 'utf8')).toMatch(/^import\{createRequire as|^import \{ createRequire as/);
  });

  it("carries the inline class's worker handler next to its own bundle (the inline thread loads it)", () => {
    const withInline = readdirSync(assemblyDir).filter((d) => existsSync(join(assemblyDir, d, INLINE_WORKER_BUNDLE)));
    expect(withInline).toHaveLength(1);
    const dir = join(assemblyDir, withInline[0]!);
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toContain(INLINE_WORKER_BUNDLE);
    // The worker handler's own code (it serves the thread), with the same require banner.
    const worker = readFileSync(join(dir, INLINE_WORKER_BUNDLE), 'utf8');
    expect(worker).toMatch(/^import\{createRequire as|^import \{ createRequire as/);
    expect(worker).toContain('foreshadowInlineThread');
  });

  it('gets the worker pool as JSON: id, worker and shadow function names, memory, slots (the inline class: one per shard) and speed of each class', () => {
    const { compute } = stack.foreshadow;
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('dispatcher') } });
    const env = (Object.values(fn)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    const ref = (name: string, fns: ReadonlyMap<string, IConstruct>) => `<ref:${id(fns.get(name)!)}>`;
    expect(JSON.parse(cfnText(env[ENV.workers]))).toEqual([
      // small, the class with the least memory, runs inline by default: its shards each have an invocation.
      { workerId: 'small', functionName: ref('small', compute.workers), shadowFunctionName: ref('small', compute.shadowWorkers), memoryMb: 512, slots: DEFAULTS.inlineClassSlots, speed: 0.5 },
      { workerId: 'large', functionName: ref('large', compute.workers), shadowFunctionName: ref('large', compute.shadowWorkers), memoryMb: 3008, slots: 2, speed: 2.5 },
    ]);
  });

  it('may invoke exactly the worker functions and their shadow functions, and nothing else in Lambda', () => {
    const { compute } = stack.foreshadow;
    const invoke = policyStatements(compute.dispatcher.role!).filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invoke).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: [...compute.workers.values(), ...compute.shadowWorkers.values()].map(arnOf) }),
    ]);
  });
});

describe('the worker pool', () => {
  it.each([
    // small runs inline (the dispatcher processes its batches): its worker function reserves nothing.
    ['small', 512, undefined],
    ['large', 3008, 2],
  ])('deploys class %s with %i MB and %s slots of reserved concurrency', (name, memoryMb, slots) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: memoryMb,
      ReservedConcurrentExecutions: slots ?? Match.absent(),
      Environment: { Variables: Match.objectLike({ [ENV.workerId]: name, [ENV.failureQueueUrl]: Match.anyValue() }) },
    });
  });

  it.each([
    ['small', 512, 1],
    ['large', 3008, 3],
  ])("deploys class %s's shadow function with the class's %i MB and its own %i shadow slots of reserved concurrency", (name, memoryMb, shadowSlots) => {
    const shadow = stack.foreshadow.compute.shadowWorkers.get(name)!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp(`shadow function of worker class ${name}`),
      MemorySize: memoryMb,
      ReservedConcurrentExecutions: shadowSlots,
      Environment: { Variables: Match.objectLike({ [ENV.workerId]: name, [ENV.shadowOnly]: 'true', [ENV.failureQueueUrl]: Match.absent() }) },
    });
    expect(id(shadow)).not.toBe(id(stack.foreshadow.compute.workers.get(name)!));
  });

  it('does not retry asynchronous shadow batches, on the shadow functions (owners are never invoked asynchronously)', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
    expect(configs).toEqual(
      [...stack.foreshadow.compute.shadowWorkers.values()].map((fn) =>
        expect.objectContaining({ FunctionName: { Ref: id(fn) }, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 }),
      ),
    );
  });

  it('lets a shadow function read shadows, add to their stats and read key state, and write nothing else', () => {
    const { compute, storage } = stack.foreshadow;
    const shadowRole = compute.shadowWorkers.get('large')!.role!;
    const data = policyStatements(shadowRole)
      .filter((st) => [st.Action].flat().some((a) => !a.startsWith('logs:')))
      .map((st) => ({ actions: st.Action, resource: st.Resource }));
    expect(data).toEqual(
      expect.arrayContaining([
        { actions: 'dynamodb:Query', resource: arnOf(storage.metadataTable) },
        { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: arnOf(storage.metadataTable) },
        { actions: 'dynamodb:GetItem', resource: expect.arrayContaining([arnOf(storage.outputTable)]) },
      ]),
    );
    expect(actionsOf(shadowRole).filter((a) => !a.startsWith('logs:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('cannot reshard, invoke functions or read metrics', () => {
    const actions = actionsOf(stack.foreshadow.compute.workers.get('large')!.role!);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'sqs:SendMessage']));
    expect(actions.filter((a) => /^(kinesis|lambda|cloudwatch):/.test(a))).toEqual([]);
  });
});

describe('the SPM', () => {
  it('runs on the configured EventBridge schedule, without retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf(stack.foreshadow.compute.spm), RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
  });

  it('gets the validated decision configuration, with the tick interval of the schedule', () => {
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('SPM') } });
    const env = (Object.values(fn)[0] as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables;
    const decision = JSON.parse(env[ENV.config]!);
    // Burst lanes open after this stack's batching window (2 s) plus 2 s, since the configuration does not say.
    expect(decision).toEqual(parseConfig({ ...config.decision, tickIntervalMs: 300_000, lanes: { openAtAgeMs: 4000 } }));
    expect(env[ENV.policy]).toBe('spm');
  });

  it('may describe, list, split and merge the source stream only, and not UpdateShardCount', () => {
    const { compute, source } = stack.foreshadow;
    const kinesis = policyStatements(compute.spm.role!).filter((s) => [s.Action].flat().some((a) => a.startsWith('kinesis:')));
    expect(kinesis).toEqual([
      expect.objectContaining({
        Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:SplitShard', 'kinesis:MergeShards'],
        Resource: arnOf(source.stream),
      }),
    ]);
  });

  it('reads CloudWatch with GetMetricData, the only action on resource "*" in the whole stack', () => {
    const wildcard = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement.filter(
        (s) => [s.Resource].flat().includes('*'),
      ),
    );
    expect(wildcard).toEqual([expect.objectContaining({ Action: 'cloudwatch:GetMetricData', Resource: '*' })]);
    expect(actionsOf(stack.foreshadow.compute.spm.role!)).toContain('cloudwatch:GetMetricData');
  });

  it('grants no wildcard action anywhere', () => {
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()),
    );
    expect(actions.filter((a) => a.endsWith('*') && a !== 'kms:GenerateDataKey*' && a !== 'kms:ReEncrypt*')).toEqual([]);
  });
});

describe('stream, tables and failure queue', () => {
  it('creates a provisioned, KMS-encrypted stream with the shards and the shard-level metrics the SPM reads', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'orders',
      ShardCount: 3,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      DesiredShardLevelMetrics: ['WriteProvisionedThroughputExceeded'],
    });
  });

  it.each(Object.entries(TABLES))('creates the %s table on demand, with point-in-time recovery and the shared keys', (_name, def) => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      KeySchema: [{ AttributeName: def.partitionKey, KeyType: 'HASH' }, ...('sortKey' in def ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : [])],
      ...('ttlAttribute' in def ? { TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } } : {}),
    });
  });

  it('encrypts both queues, refuses plain HTTP and parks failures in a dead-letter queue', () => {
    const { storage } = stack.foreshadow;
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { SqsManagedSseEnabled: true }, 2);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: arnOf(storage.failureDeadLetterQueue), maxReceiveCount: 5 } });
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } },
      2,
    );
  });
});

describe('alarms', () => {
  const alarmOn = (metricName: string) => ({
    MetricName: metricName,
    AlarmActions: [{ Ref: id(stack.foreshadow.observability.topic) }],
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 3,
    Period: 60,
    TreatMissingData: 'notBreaching',
  });

  it.each([
    ['iterator age of the dispatcher', 'IteratorAge', 120_000],
    ['failure-queue depth', 'ApproximateNumberOfMessagesVisible', 3],
    ['prediction error', SPM_METRICS.predictionError.name, 0.3],
    ['write throttling', 'WriteProvisionedThroughputExceeded', 50],
  ])('alarms on %s at the configured threshold', (_what, metricName, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...alarmOn(metricName), Threshold: threshold });
  });

  it('alarms on dispatcher errors and on SPM errors, each at its own threshold', () => {
    const { compute } = stack.foreshadow;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...alarmOn('Errors'), Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(compute.dispatcher) } }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...alarmOn('Errors'), Threshold: 2, Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(compute.spm) } }] });
  });

  it.each(['small', 'large'])('alarms on failed invocations and failed records of worker class %s', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      AlarmActions: [{ Ref: id(stack.foreshadow.observability.topic) }],
      Metrics: Match.arrayWith([
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.foreshadow.compute.workers.get(name)!) } }] }) }) }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: FORESHADOW_METRICS.workerErrors.name, Dimensions: [{ Name: 'WorkerId', Value: name }] }) }) }),
      ]),
    });
  });

  it('raises no alarm on a shadow function: a throttled or failed shadow loses a sample, never an owner batch', () => {
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    for (const fn of stack.foreshadow.compute.shadowWorkers.values()) expect(alarms).not.toContain(`"${id(fn)}"`);
    for (const fn of stack.foreshadow.compute.workers.values()) expect(alarms).toContain(`"${id(fn)}"`);
  });

  it('notifies a KMS-encrypted SNS topic that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(stack.foreshadow.key) });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('the dashboard', () => {
  let widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
  beforeAll(() => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    widgets = JSON.parse(cfnText((dashboards[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody)).widgets;
  });
  const widget = (title: RegExp) => {
    const found = widgets.find((w) => title.test(w.properties.title ?? ''));
    expect(found, `a widget titled ${String(title)}`).toBeDefined();
    return JSON.stringify(found!.properties.metrics);
  };

  it('has a widget with one utilization line per shard, whatever shards exist', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardBody: Match.anyValue() });
    expect(widget(/Per-shard utilization/)).toContain(`SEARCH('{Foreshadow,ShardId} MetricName=\\"${FORESHADOW_METRICS.primaryBusyMs.name}\\"', 'Sum', 60) / 60000`);
  });

  it.each([
    [/Predicted vs\. actual/, [SPM_METRICS.predictedUtilization.name, SPM_METRICS.observedUtilization.name]],
    [/Live shadows/, [SPM_METRICS.liveShadows.name, SPM_METRICS.shadowReplicationRate.name]],
    [/Moves and splits/, [SPM_METRICS.moves.name, SPM_METRICS.splits.name]],
    [/Iterator age/, ['IteratorAge', 'GetRecords.IteratorAgeMilliseconds', FORESHADOW_METRICS.iteratorAgeMs.name]],
    [/SPM duration/, ['Duration', SPM_METRICS.tickDurationMs.name, 'Errors']],
    [/Prediction error/, [SPM_METRICS.predictionError.name]],
    [/throttling/, [KINESIS_SHARD_METRICS.writeThrottled.name, 'IncomingRecords']],
    [/Dispatcher and worker errors/, ['Errors', FORESHADOW_METRICS.workerErrors.name]],
    [/Shadow functions/, ['Throttles', 'Errors', 'AsyncEventsDropped', FORESHADOW_METRICS.shadowErrors.name]],
  ])('has a widget %s graphing %j', (title, metricNames) => {
    const metrics = widget(title);
    for (const name of metricNames) expect(metrics).toContain(name);
  });

  it('shows the state of every alarm', () => {
    const alarmWidget = widgets.find((w) => w.properties.title === 'Alarms') as { properties: { alarms: string[] } } | undefined;
    expect(alarmWidget?.properties.alarms).toHaveLength(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
  });
});
