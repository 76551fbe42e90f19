import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Foreshadow } from '../../infra/foreshadow.construct.js';
import { ENV, INLINE_WORKER_BUNDLE } from '../../definitions/resources.js';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const WORKER_ENTRY = 'test/infra/fixtures/counter-worker.handler.ts';

/** A user's own app: their stack, the construct around their existing stream, their processor. */
let stack: Stack;
let foreshadow: Foreshadow;
let template: Template;
let assemblyDir: string;
beforeAll(() => {
  const app = new App();
  stack = new Stack(app, 'OrdersPipeline');
  foreshadow = new Foreshadow(stack, 'Balancer', {
    config: {
      stream: { existingStreamArn: STREAM_ARN, existingEncryptionKeyArn: KEY_ARN },
      policy: 'alarm-autoscaler',
      workers: [{ name: 'std', memoryMb: 1024, slots: 8 }],
      eventSource: { maxRetryAttempts: -1, maxRecordAgeSeconds: -1 },
    },
    workerEntry: WORKER_ENTRY,
  });
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
});
const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
const statements = (role: IConstruct) =>
  Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(role) }] } })).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
  );

describe('the construct around an existing stream', () => {
  it('creates no stream and maps the dispatcher onto the given ARN', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: STREAM_ARN, FunctionName: { Ref: id(foreshadow.compute.dispatcher) } });
  });

  it('leaves retries and record age unlimited when configured as -1 (the mapping defaults)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: STREAM_ARN,
      MaximumRetryAttempts: Match.absent(),
      MaximumRecordAgeInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('turns on the shard-level metrics with EnableEnhancedMonitoring, allowed on that stream only', () => {
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(
        Match.objectLike({
          service: 'Kinesis',
          action: 'EnableEnhancedMonitoring',
          parameters: { StreamARN: STREAM_ARN, ShardLevelMetrics: ['WriteProvisionedThroughputExceeded'] },
        }),
      ),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'kinesis:EnableEnhancedMonitoring', Effect: 'Allow', Resource: STREAM_ARN }] },
    });
  });

  it('lets the dispatcher decrypt records with the stream key', () => {
    expect(statements(foreshadow.compute.dispatcher.role!)).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt', Resource: KEY_ARN }));
  });

  it('lets the alarm-autoscaler baseline reshard uniformly, on that stream only', () => {
    const kinesis = statements(foreshadow.compute.spm.role!).filter((s) => [s.Action].flat().some((a) => a.startsWith('kinesis:')));
    expect(kinesis).toEqual([expect.objectContaining({ Action: expect.arrayContaining(['kinesis:SplitShard', 'kinesis:UpdateShardCount']), Resource: STREAM_ARN })]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ FORESHADOW_POLICY: 'alarm-autoscaler', FORESHADOW_STREAM_NAME: 'orders' }) } });
  });

  it("bundles the user's processor as the worker, and next to the dispatcher, which runs the only class inline", () => {
    // The one class is the inline class: its worker function reserves no concurrency (nothing invokes it).
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, ReservedConcurrentExecutions: Match.absent(), Environment: { Variables: Match.objectLike({ [ENV.workerId]: 'std' }) } });
    const bundles = readdirSync(assemblyDir).filter((d) => existsSync(join(assemblyDir, d, 'index.mjs')));
    expect(bundles.some((d) => readFileSync(join(assemblyDir, d, 'index.mjs'), 'utf8').includes('"counter"'))).toBe(true);
    const inline = bundles.filter((d) => existsSync(join(assemblyDir, d, INLINE_WORKER_BUNDLE)));
    expect(inline).toHaveLength(1);
    expect(readFileSync(join(assemblyDir, inline[0]!, INLINE_WORKER_BUNDLE), 'utf8')).toContain('"counter"');
  });

  it("refuses more worker classes than fit in Lambda's 4 KB of environment variables", () => {
    const workers = Array.from({ length: 20 }, (_, i) => ({ name: `class-${i}`, memoryMb: 1024, slots: 1 }));
    expect(() => new Foreshadow(new Stack(new App(), 'Other'), 'Balancer', { config: { workers } })).toThrow(
      /^foreshadow\.workers must be a list short enough for Lambda's 4 KB of environment variables \(about \d+ bytes with 20 classes and this decision config\) \(given 20\)$/,
    );
  });

  it('counts both function names of each class (worker and shadow function) at their longest in that estimate', () => {
    const estimate = (count: number): number => {
      const workers = Array.from({ length: count }, (_, i) => ({ name: `class-${i + 10}`, memoryMb: 1024, slots: 1 }));
      try {
        new Foreshadow(new Stack(new App(), 'Other'), 'Balancer', { config: { workers } });
      } catch (error) {
        return Number(/about (\d+) bytes/.exec((error as Error).message)?.[1]);
      }
      return Number.NaN;
    };
    const longest = 'x'.repeat(64);
    const nineteenth = { workerId: 'class-28', functionName: longest, shadowFunctionName: longest, memoryMb: 1024, slots: 1, speed: 1 };
    expect(estimate(19) - estimate(18)).toBe(Buffer.byteLength(JSON.stringify(nineteenth)) + 1);
  });

  it('runs your worker entry inline too: the dispatcher bundles it next to its own (no longer refused)', () => {
    const balancer = new Foreshadow(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Inline'), 'Balancer', { workerEntry: WORKER_ENTRY, config: { inlineWorkerClass: 'small' } });
    expect(balancer.config.inlineWorkerClass).toBe('small');
  });

  it('refuses a worker entry that does not exist, naming the path', () => {
    expect(() => new Foreshadow(new Stack(new App(), 'Other'), 'Balancer', { workerEntry: 'processors/missing.ts' })).toThrow(
      /^workerEntry must be the path of an existing handler file \(given ".*processors\/missing\.ts"\)$/,
    );
  });
});
