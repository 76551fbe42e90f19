import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableDefinition } from '../../definitions/resources.js';
import { AwsCallError, errorName } from './errors.js';

/**
 * Creates a table from its definition (definitions/resources.ts), on-demand, and waits until ACTIVE. For the
 * local runtime and tests; on AWS the CDK app creates the tables. An existing table is accepted. TTL is
 * switched on when the definition has one and the endpoint supports it (dynalite does not).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, definition: TableDefinition, timeoutMs = 30_000): Promise<void> {
  const keys = [
    { AttributeName: definition.partitionKey, KeyType: 'HASH' as const },
    ...(definition.sortKey === undefined ? [] : [{ AttributeName: definition.sortKey, KeyType: 'RANGE' as const }]),
  ];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: keys,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' as const })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw new AwsCallError('DynamoDB', 'CreateTable', tableName, error);
  }
  const deadline = Date.now() + timeoutMs;
  while ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE') {
    if (Date.now() > deadline) throw new AwsCallError('DynamoDB', 'CreateTable', tableName, new Error(`not ACTIVE within ${timeoutMs} ms`));
    await sleep(50);
  }
  if (definition.ttlAttribute !== undefined) {
    try {
      await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true } }));
    } catch (error) {
      if (!/UnknownOperation|ValidationException/.test(errorName(error))) throw new AwsCallError('DynamoDB', 'UpdateTimeToLive', tableName, error);
    }
  }
}

/**
 * When a table was created, in ms since the epoch (DescribeTable's CreationDateTime). The dispatcher uses
 * the metadata table's as the earliest its event source mapping can have started: the mapping's deployment
 * depends on the dispatcher, whose environment names the table, so CloudFormation creates the table first.
 */
export async function tableCreatedAtMs(client: DynamoDBClient, tableName: string): Promise<number> {
  let created: Date | undefined;
  try {
    created = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.CreationDateTime;
  } catch (error) {
    throw new AwsCallError('DynamoDB', 'DescribeTable', tableName, error);
  }
  if (created === undefined) throw new AwsCallError('DynamoDB', 'DescribeTable', tableName, new Error('no CreationDateTime in the answer'));
  return created.getTime();
}
