import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Foreshadow } from '../../infra/foreshadow.construct.js';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
const WORKER_ENTRY = 'test/infra/fixtures/counter-worker.handler.ts';

/** The construct around the existing `orders` stream, reading it as configured. */
function synth(consumer?: 'shared' | 'efo'): { template: Template; foreshadow: Foreshadow; stack: Stack } {
  const stack = new Stack(new App(), 'OrdersPipeline');
  const foreshadow = new Foreshadow(stack, 'Balancer', {
    config: { stream: { existingStreamArn: STREAM_ARN, ...(consumer === undefined ? {} : { consumer }) }, workers: [{ name: 'std', memoryMb: 1024, slots: 4 }] },
    workerEntry: WORKER_ENTRY,
  });
  return { template: Template.fromStack(stack), foreshadow, stack };
}
const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOf(template: Template, role: IConstruct): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(role) }] } })).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('stream.consumer', () => {
  it('defaults to shared: no consumer, the mapping polls the stream itself', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: STREAM_ARN });
  });

  it('efo registers one consumer on the stream and points the dispatcher mapping at it, with the same mapping settings', () => {
    const { template, foreshadow } = synth('efo');
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { StreamARN: STREAM_ARN, ConsumerName: Match.stringLikeRegexp('^[A-Za-z0-9_.-]{1,128}$') });
    const consumerId = id(foreshadow.compute.streamConsumer!);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [consumerId, 'ConsumerARN'] },
      FunctionName: { Ref: id(foreshadow.compute.dispatcher) },
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'LATEST',
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('efo lets only the dispatcher subscribe, on that consumer only; the gate keeps its stream reads', () => {
    const { template, foreshadow } = synth('efo');
    const consumerArn = { 'Fn::GetAtt': [id(foreshadow.compute.streamConsumer!), 'ConsumerARN'] };
    const dispatcher = statementsOf(template, foreshadow.compute.dispatcher.role!);
    const onConsumer = dispatcher.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(consumerArn));
    expect(onConsumer.flatMap(actionsOf).sort()).toEqual(['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard']);
    const onStream = dispatcher.filter((s) => JSON.stringify(s.Resource).includes(STREAM_ARN)).flatMap(actionsOf);
    expect(onStream).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']));
    for (const [name, fn] of [['spm', foreshadow.compute.spm], ...[...foreshadow.compute.workers].map(([n, f]) => [n, f] as const)] as const) {
      const subscribes = statementsOf(template, fn.role!).filter((s) => actionsOf(s).includes('kinesis:SubscribeToShard'));
      expect(subscribes, name).toEqual([]);
    }
  });

  it('rejects an unknown mode naming the allowed ones', () => {
    expect(() => synth('polling' as 'efo')).toThrow(/consumer/);
  });
});
