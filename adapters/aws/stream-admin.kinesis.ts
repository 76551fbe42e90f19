import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsCallError, errorName } from './errors.js';

/**
 * Creates a provisioned stream with `shardCount` even shards and waits until it is ACTIVE. For the local
 * runtime and tests; on AWS the CDK app creates the stream. An existing stream is accepted as is.
 */
export async function createStream(client: KinesisClient, streamName: string, shardCount: number, timeoutMs = 30_000): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount, StreamModeDetails: { StreamMode: 'PROVISIONED' } }));
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw new AwsCallError('Kinesis', 'CreateStream', streamName, error);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new AwsCallError('Kinesis', 'CreateStream', streamName, new Error(`not ACTIVE within ${timeoutMs} ms (status ${summary.StreamDescriptionSummary?.StreamStatus})`));
    }
    await sleep(50);
  }
}

/** Deletes a stream (and its consumers); a missing stream is fine. */
export async function deleteStream(client: KinesisClient, streamName: string): Promise<void> {
  try {
    await client.send(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw new AwsCallError('Kinesis', 'DeleteStream', streamName, error);
  }
}
