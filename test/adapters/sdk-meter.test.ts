import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { Meter } from '../../adapters/meter/meter.js';
import type { CallRow } from '../../adapters/meter/meter-snapshot.js';
import { useDynalite, uniqueName } from '../support/emulators.js';

const dynalite = useDynalite();

/** DynamoDB's item size: attribute name bytes plus value bytes (strings UTF-8). */
function itemSize(item: Record<string, string>): number {
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

async function setUp(meter: Meter | false = new Meter()) {
  const client = dynamoDbClient({ endpoint: dynalite.endpoint, meter });
  const table = uniqueName('meter');
  await ensureTable(client, table, { partitionKey: 'pk', sortKey: 'sk' });
  return { client, doc: DynamoDBDocumentClient.from(client), table };
}

const row = (rows: readonly CallRow[], path: string, operation: string) => rows.find((r) => r.path === path && r.operation === operation);

describe('the SDK meter on a DynamoDB client (dynalite)', () => {
  it('counts each call on the path of the invocation that made it, with the request units DynamoDB bills', async () => {
    const fallback = new Meter();
    const { doc, table } = await setUp(fallback);
    const scoped = new Meter();
    const item = { pk: 'p', sk: 's1', data: 'x'.repeat(1500) };
    expect(itemSize(item)).toBe(1511); // 2 write units (1 KB each), 1 strongly consistent read unit (4 KB)
    await scoped.invocation('dispatcher', 512, 1, async () => {
      await doc.send(new PutCommand({ TableName: table, Item: item }));
      await doc.send(new PutCommand({ TableName: table, Item: { ...item, sk: 's2', data: 'y'.repeat(4000) } }));
    });
    await scoped.invocation('worker', 1024, 1, async () => {
      await doc.send(new GetCommand({ TableName: table, Key: { pk: 'p', sk: 's1' }, ConsistentRead: true }));
      // A Query's items are summed before rounding: 1,511 + 4,011 bytes = 2 read units, not 1 + 1.
      await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' }, ConsistentRead: true }));
    });
    const calls = scoped.snapshot().calls;
    expect(row(calls, 'dispatcher', 'PutItem')).toMatchObject({ service: 'DynamoDB', resource: table, calls: 2, writeUnits: 2 + 4, readUnits: 0, errors: 0 });
    expect(row(calls, 'worker', 'GetItem')).toMatchObject({ calls: 1, readUnits: 1 });
    expect(row(calls, 'worker', 'Query')).toMatchObject({ calls: 1, readUnits: 2 });
    expect(row(calls, 'dispatcher', 'PutItem')!.requestBytes).toBeGreaterThan(1500 + 4000);
    expect(row(calls, 'worker', 'GetItem')!.responseBytes).toBeGreaterThan(1500);
    // Nothing the invocations did leaked into the client's own meter.
    expect(fallback.snapshot().calls.filter((r) => r.operation !== 'CreateTable' && r.operation !== 'DescribeTable')).toEqual([]);
  });

  it('counts a write whose condition failed as an error that still bills one write unit', async () => {
    const meter = new Meter();
    const { doc, table } = await setUp(meter);
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'p', sk: 'x' } }));
    await expect(doc.send(new PutCommand({ TableName: table, Item: { pk: 'p', sk: 'x' }, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toThrow();
    expect(row(meter.snapshot().calls, 'outside', 'PutItem')).toMatchObject({ calls: 2, errors: 1, writeUnits: 2, estimatedUnitCalls: 1 });
  });

  it("counts calls made outside any invocation on the outside path of the client's own meter, and hands the caller no ConsumedCapacity it did not ask for", async () => {
    const meter = new Meter();
    const { doc, table } = await setUp(meter);
    const answer = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'none', sk: 'none' }, ConsistentRead: true }));
    expect(answer.ConsumedCapacity).toBeUndefined();
    expect(row(meter.snapshot().calls, 'outside', 'GetItem')).toMatchObject({ calls: 1, readUnits: 1 });
  });

  it('counts nothing on a client built with meter: false', async () => {
    const meter = new Meter();
    const { doc, table } = await setUp(false);
    await meter.invocation('spm', 512, 0, () => doc.send(new PutCommand({ TableName: table, Item: { pk: 'p', sk: 'q' } })));
    expect(meter.snapshot().calls).toEqual([]);
    expect(meter.snapshot().invocations).toEqual([expect.objectContaining({ path: 'spm', invocations: 1 })]);
  });
});
