import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../adapters/aws/errors.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';

/** A client whose calls answer in turn from `answers`: a value, or an error with that name. */
function scriptedClient(answers: readonly (object | { error: string })[]): KinesisClient {
  let call = 0;
  return {
    send: async () => {
      const answer = answers[Math.min(call++, answers.length - 1)]!;
      if ('error' in answer) throw Object.assign(new Error(`${answer.error} from the script`), { name: answer.error });
      return answer;
    },
  } as unknown as KinesisClient;
}

// kinesis-local enforces no read limits, so the throttled answers are scripted here.
describe('KinesisStreamControl.isDrained under read throttling', () => {
  it.each([
    ['GetShardIterator is over its 5 calls/s', [{ error: 'LimitExceededException' }]],
    ['GetRecords exceeds the shard read throughput', [{ ShardIterator: 'it-1' }, { error: 'ProvisionedThroughputExceededException' }]],
  ])('answers "not drained yet" when %s, so the child stays held', async (_what, answers) => {
    const control = new KinesisStreamControl(scriptedClient(answers), 'orders');
    await expect(control.isDrained('shardId-000000000000', '49500')).resolves.toBe(false);
  });

  it('still reports any other failure as an AwsCallError naming the shard', async () => {
    const control = new KinesisStreamControl(scriptedClient([{ ShardIterator: 'it-1' }, { error: 'AccessDeniedException' }]), 'orders');
    const failure = await control.isDrained('shardId-000000000000', '49500').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect((failure as Error).message).toMatch(/GetRecords failed for shard shardId-000000000000 of orders: AccessDeniedException/);
  });

  it('is drained when the closed shard has nothing after the sequence number and no next iterator', async () => {
    const control = new KinesisStreamControl(scriptedClient([{ ShardIterator: 'it-1' }, { Records: [], ChildShards: [] }]), 'orders');
    await expect(control.isDrained('shardId-000000000000', '49500')).resolves.toBe(true);
  });

  it('spaces the GetRecords calls of one check by drainReadIntervalMs (its read budget), the first one at once', async () => {
    const times: number[] = [];
    const answers = [{ ShardIterator: 'it-1' }, { Records: [], NextShardIterator: 'it-2', MillisBehindLatest: 5000 }, { Records: [], NextShardIterator: 'it-3', MillisBehindLatest: 5000 }, { Records: [] }];
    const client = scriptedClient(answers);
    const timed = { send: async (command: unknown) => (times.push(performance.now()), (client as unknown as { send: (c: unknown) => Promise<unknown> }).send(command)) } as unknown as KinesisClient;
    const control = new KinesisStreamControl(timed, 'orders', { drainReadIntervalMs: 60 });
    await expect(control.isDrained('shardId-000000000000', '49500')).resolves.toBe(true);
    expect(times).toHaveLength(4);
    expect(times[1]! - times[0]!).toBeLessThan(50);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(55);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(55);
  });
});
