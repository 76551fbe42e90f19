import { DescribeStreamConsumerCommand, ListStreamConsumersCommand, type Consumer, type ConsumerDescription, type KinesisClient } from '@aws-sdk/client-kinesis';

/** The enhanced fan-out consumers registered on a stream (one page: the deploy check registers one). */
export async function consumersOf(kinesis: KinesisClient, streamArn: string): Promise<Consumer[]> {
  return (await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers ?? [];
}

/**
 * A consumer by its ARN, or undefined once it is deregistered. A DELETING consumer counts as gone, as a
 * DELETING stream does in the destroy check: it can no longer be read through.
 */
export async function consumerByArn(kinesis: KinesisClient, consumerArn: string): Promise<ConsumerDescription | undefined> {
  try {
    const found = (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }))).ConsumerDescription;
    return found?.ConsumerStatus === 'DELETING' ? undefined : found;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
