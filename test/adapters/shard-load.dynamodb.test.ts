import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { AdapterArgumentError, CorruptDataError } from '../../adapters/aws/errors.js';
import { DynamoDbShardLoadStore } from '../../adapters/aws/shard-load.dynamodb.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { TABLES } from '../../definitions/resources.js';
import { useDynalite, uniqueName } from '../support/emulators.js';

const dynalite = useDynalite();
let client: DynamoDBClient;

beforeAll(() => {
  client = dynamoDbClient({ endpoint: dynalite.endpoint, maxAttempts: 1 });
});
afterAll(() => client.destroy());

async function newStore(): Promise<{ store: DynamoDbShardLoadStore; table: string }> {
  const table = uniqueName('meta');
  await ensureTable(client, table, TABLES.metadata);
  return { store: new DynamoDbShardLoadStore(client, { metadataTable: table, retentionHours: 2 }), table };
}

const MINUTE = 60_000;
const point = (shardId: string, atMs: number, n: number) => ({ shardId, atMs, incomingRecords: n, incomingBytes: n * 100, processedRecords: n, busyMs: n / 2, ageMsSum: n * 1000 });

describe('DynamoDbShardLoadStore on dynalite', () => {
  it('adds the counts of several environments to one item per shard and minute, and lists a minute of every shard', async () => {
    const { store } = await newStore();
    await store.addShardLoad([point('s1', 5 * MINUTE, 10), point('s2', 5 * MINUTE, 4)]);
    await store.addShardLoad([point('s1', 5 * MINUTE, 6)]);
    await store.addShardLoad([point('s1', 6 * MINUTE, 1)]);
    const minute = await store.listShardLoad(5 * MINUTE);
    expect(minute.sort((a, b) => a.shardId.localeCompare(b.shardId))).toEqual([
      { shardId: 's1', atMs: 5 * MINUTE, incomingRecords: 16, incomingBytes: 1600, processedRecords: 16, busyMs: 8, ageMsSum: 16_000 },
      { shardId: 's2', atMs: 5 * MINUTE, incomingRecords: 4, incomingBytes: 400, processedRecords: 4, busyMs: 2, ageMsSum: 4000 },
    ]);
    expect(await store.listShardLoad(7 * MINUTE)).toEqual([]);
  });

  it('sets the TTL attribute the table expires items on', async () => {
    const { store, table } = await newStore();
    await store.addShardLoad([point('s1', 5 * MINUTE, 1)]);
    const doc = DynamoDBDocumentClient.from(client);
    const item = (await doc.send(new GetCommand({ TableName: table, Key: { pk: `LOAD#${5 * MINUTE}`, sk: 's1' } }))).Item;
    expect(TABLES.metadata.ttlAttribute).toBe('expiresAtSec');
    expect(item?.expiresAtSec).toBe(5 * 60 + 2 * 3600);
  });

  it('pages past DynamoDB\u2019s 1 MB a Query', async () => {
    const { store, table } = await newStore();
    const doc = DynamoDBDocumentClient.from(client);
    const padding = 'x'.repeat(200_000);
    for (let i = 0; i < 6; i += 1) await doc.send(new PutCommand({ TableName: table, Item: { pk: `LOAD#${MINUTE}`, sk: `s${i}`, incomingRecords: i, padding } }));
    expect((await store.listShardLoad(MINUTE)).map((p) => p.incomingRecords).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('names a corrupt item and a bad period start', async () => {
    const { store, table } = await newStore();
    await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: table, Item: { pk: `LOAD#${MINUTE}`, sk: 's1', busyMs: 'lots' } }));
    await expect(store.listShardLoad(MINUTE)).rejects.toThrow(CorruptDataError);
    await expect(store.listShardLoad(MINUTE)).rejects.toThrow(/busyMs.*non-negative number.*lots/);
    await expect(store.listShardLoad(-1)).rejects.toThrow(AdapterArgumentError);
  });
});
