import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsFailureSink } from '../../adapters/aws/failure-sink.sqs.js';
import type { FailedRecord } from '../../core/ports/index.js';

/** SQS SendMessage on loopback, as the real SDK client speaks it (AWS JSON 1.0, target AmazonSQS.SendMessage). */
let server: Server;
let endpoint: string;
const received: { target: string; body: Record<string, unknown> }[] = [];
let failNext = false;

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ target: String(request.headers['x-amz-target']), body });
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      if (failNext) {
        failNext = false;
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no such queue' }));
        return;
      }
      const md5 = createHash('md5').update(String(body.MessageBody)).digest('hex');
      response.end(JSON.stringify({ MessageId: `m-${received.length}`, MD5OfMessageBody: md5 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const record = (data: string): FailedRecord => ({
  shardId: 'shardId-000000000001',
  sequenceNumber: '4960',
  partitionKey: 'k',
  data,
  approximateArrivalMs: 1,
  workerId: 'w1',
  epoch: 3,
  attempts: 3,
  error: 'boom',
  failedAtMs: 2,
});

function sink(): SqsFailureSink {
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  return new SqsFailureSink(client, `${endpoint}/000000000000/failures`);
}

describe('the SQS failure sink', () => {
  it('sends the record itself, replayable, with its shard and sequence number as attributes', async () => {
    await sink().send(record(Buffer.from('{"v":1}').toString('base64')));
    const last = received.at(-1)!;
    expect(last.target).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(String(last.body.MessageBody))).toMatchObject({ kind: 'foreshadow-failed-record', sequenceNumber: '4960', data: Buffer.from('{"v":1}').toString('base64'), attempts: 3 });
    expect(last.body.MessageAttributes).toMatchObject({ shardId: { DataType: 'String', StringValue: 'shardId-000000000001' } });
  });

  it('drops the data of a record too large for one message and says so', async () => {
    await sink().send(record('x'.repeat(300_000)));
    expect(JSON.parse(String(received.at(-1)!.body.MessageBody))).toMatchObject({ data: '', dataOmitted: true, sequenceNumber: '4960' });
  });

  it('turns an SQS error into an AwsCallError naming the record', async () => {
    failNext = true;
    await expect(sink().send(record('eA=='))).rejects.toThrow(/SQS\.SendMessage failed for record shardId-000000000001:4960/);
  });
});
