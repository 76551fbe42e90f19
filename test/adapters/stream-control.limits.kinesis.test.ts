import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../adapters/aws/clients.js';
import { AwsCallError } from '../../adapters/aws/errors.js';
import { createStream } from '../../adapters/aws/stream-admin.kinesis.js';
import { KinesisStreamControl, reshardFailure } from '../../adapters/aws/stream-control.kinesis.js';
import { useKinesisLocal } from '../support/emulators.js';

// An account limited to 2 open shards, so that a split of a 2-shard stream hits Kinesis' shard limit.
const kinesis = useKinesisLocal({ shardLimit: 2 });
let client: KinesisClient;
let control: KinesisStreamControl;

beforeAll(async () => {
  client = kinesisClient({ endpoint: kinesis.endpoint, maxAttempts: 1 });
  await createStream(client, 'limited', 2);
  control = new KinesisStreamControl(client, 'limited', { pollIntervalMs: 50 });
});
afterAll(() => client.destroy());

describe('KinesisStreamControl at the limits of kinesis-local', () => {
  it('returns limit-exceeded when a split would exceed the account shard limit', async () => {
    const result = await control.splitShard('shardId-000000000000', 1000n);
    expect(result).toMatchObject({ ok: false, reason: 'limit-exceeded' });
    expect(result.ok ? '' : result.detail).toMatch(/SplitShard shard shardId-000000000000 of limited at 1000: LimitExceededException/);
  });

  it('returns invalid-argument for UpdateShardCount beyond twice the current count', async () => {
    expect(await control.updateShardCount(5)).toMatchObject({ ok: false, reason: 'invalid-argument' });
  });
});

describe('reshardFailure', () => {
  const sdkError = (name: string, status: number): Error => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['LimitExceededException', 400, 'limit-exceeded'],
    ['ResourceInUseException', 400, 'resource-in-use'],
    ['InvalidArgumentException', 400, 'invalid-argument'],
    ['ResourceNotFoundException', 400, 'not-found'],
    ['ThrottlingException', 400, 'throttled'],
    ['SomethingNew', 429, 'throttled'],
  ] as const)('maps %s (HTTP %i) to %s', (name, status, reason) => {
    expect(reshardFailure(sdkError(name, status), 'SplitShard', 'shard s')).toEqual({ ok: false, reason, detail: `SplitShard shard s: ${name}: ${name} happened` });
  });

  it('throws an AwsCallError for a failure the port does not model', () => {
    expect(() => reshardFailure(sdkError('AccessDeniedException', 403), 'MergeShards', 'shards a + b')).toThrow(AwsCallError);
  });
});
