import { DescribeStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { checkDeployedStack } from './deployed-stack.checks.js';
import { useDeployment, type Deployment } from './deployment.js';
import { checkDestroy } from './destroyed-stack.checks.js';
import { consumerByArn, consumersOf } from './stream-consumers.js';

const CONFIG_FILE = 'test/deploy/fixtures/efo-stream.yaml';

/** The ARN of the stream the stack created (the fixture retains it, so it outlives the stack). */
async function streamArn(d: Deployment): Promise<string> {
  return (await d.reads.stream(d.ofType('AWS::Kinesis::Stream')[0]!.physicalId)).StreamARN!;
}

describe('cdk deploy into moto of the default configuration read through an enhanced fan-out consumer (stream.consumer: efo)', () => {
  const deployment = useDeployment({ configFile: CONFIG_FILE });
  checkDeployedStack(deployment);

  it('registers one active consumer on the stream and maps the dispatcher to that consumer, not to the stream', async () => {
    const d = deployment();
    const stream = await streamArn(d);
    const consumers = await consumersOf(d.reads.kinesis, stream);
    expect(consumers).toHaveLength(1);
    const { ConsumerDescription: described } = await d.reads.kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: stream, ConsumerName: consumers[0]!.ConsumerName }));
    expect(described).toMatchObject({ ConsumerARN: consumers[0]!.ConsumerARN, ConsumerStatus: 'ACTIVE', StreamARN: stream });
    const mappings = await d.reads.mappingsOf(d.one('dispatcher').name);
    expect(mappings.map((m) => m.EventSourceArn)).toEqual([described!.ConsumerARN]);
  });

  checkDestroy(deployment);

  it('deregisters the consumer when the stack is destroyed, leaving the retained stream without consumers', async () => {
    const d = deployment();
    expect(d.config.removalPolicy).toBe('retain');
    const consumers = d.ofType('AWS::Kinesis::StreamConsumer');
    expect(consumers).toHaveLength(1);
    expect(await consumerByArn(d.reads.kinesis, consumers[0]!.physicalId)).toBeUndefined();
    expect(await consumersOf(d.reads.kinesis, await streamArn(d))).toEqual([]);
  });
});
