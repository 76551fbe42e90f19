import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmittedOutput, KeyedStateItem, KeyedStateStore, WriteOutcome } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/index.js';
import { AwsCallError, errorName } from './errors.js';

/** Item kinds in the output table (partition key `pk` only, definitions/resources.ts TABLES.output). */
const PREFIX = { state: 'key#', output: 'out#', attempt: 'attempt#' } as const;

/**
 * The worker's KeyedStateStore on the output table. A key's state is one item written only at the version
 * that was read (attribute_not_exists for version 0), so a retried or concurrent batch cannot apply a record
 * twice; outputs are puts by deterministic id; attempts are an atomic ADD. No transactions (runs on dynalite).
 */
export class DynamoDbKeyedStateStore implements KeyedStateStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(key: string): Promise<KeyedStateItem | undefined> {
    const out = await this.call('GetItem', key, () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PREFIX.state + key }, ConsistentRead: true })));
    const item = out.Item;
    return item === undefined ? undefined : toItem(item);
  }

  async put(key: string, value: unknown, lastSequenceNumber: string, expectedVersion: number, appliedByShard?: Readonly<Record<string, string>>): Promise<WriteOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: PREFIX.state + key, key, value, lastSequenceNumber, version: expectedVersion + 1, appliedByShard },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
        }),
      );
      return ok(undefined);
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return failed('version-conflict', `key ${key} is no longer at version ${expectedVersion}`);
      throw new AwsCallError('DynamoDB', 'PutItem', `state of key ${key}`, error);
    }
  }

  async putOutputs(outputs: readonly EmittedOutput[]): Promise<void> {
    for (let i = 0; i < outputs.length; i += 25) {
      let requests = outputs.slice(i, i + 25).map((o) => ({ PutRequest: { Item: { pk: PREFIX.output + o.id, key: o.key, value: o.value } } }));
      for (let round = 0; requests.length > 0; round += 1) {
        if (round === 8) throw new AwsCallError('DynamoDB', 'BatchWriteItem', 'outputs', new Error(`${requests.length} items still unprocessed after ${round} rounds`));
        const out = await this.call('BatchWriteItem', 'outputs', () => this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      }
    }
  }

  async countAttempt(recordId: string): Promise<number> {
    const out = await this.call('UpdateItem', recordId, () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PREFIX.attempt + recordId },
          UpdateExpression: 'ADD attempts :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.attempts ?? 1);
  }

  /** Every key's state (a full scan): for checks, demos and the README, not for the hot path. */
  async listStates(): Promise<Map<string, KeyedStateItem>> {
    const states = new Map<string, KeyedStateItem>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Scan', this.tableName, () =>
        this.doc.send(
          new ScanCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': PREFIX.state },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) states.set(String(item.key), toItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return states;
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new AwsCallError('DynamoDB', operation, subject, error);
    }
  }
}

function toItem(item: Record<string, unknown>): KeyedStateItem {
  const applied = item.appliedByShard as Record<string, string> | undefined;
  return { value: item.value, lastSequenceNumber: String(item.lastSequenceNumber), version: Number(item.version), ...(applied ? { appliedByShard: applied } : {}) };
}
