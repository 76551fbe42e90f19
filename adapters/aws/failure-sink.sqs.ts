import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedRecord, FailureSink } from '../../core/ports/index.js';
import { AwsCallError } from './errors.js';

/**
 * The failure destination on SQS: one message per record given up on, carrying the record itself (data
 * base64, partition key, shard, sequence number) so that it can be replayed, unlike the ESM's OnFailure
 * destination, which carries only the batch's shard and sequence range. SQS messages are at most 256 KiB;
 * a larger record is sent without its data and marked `dataOmitted` (Kinesis records are at most 1 MiB).
 */
export class SqsFailureSink implements FailureSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(record: FailedRecord): Promise<void> {
    let body = JSON.stringify({ kind: 'foreshadow-failed-record', ...record });
    if (Buffer.byteLength(body) > 250_000) body = JSON.stringify({ kind: 'foreshadow-failed-record', ...record, data: '', dataOmitted: true });
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: body,
          MessageAttributes: {
            shardId: { DataType: 'String', StringValue: record.shardId },
            sequenceNumber: { DataType: 'String', StringValue: record.sequenceNumber },
          },
        }),
      );
    } catch (error) {
      throw new AwsCallError('SQS', 'SendMessage', `record ${record.shardId}:${record.sequenceNumber}`, error);
    }
  }
}
