import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ShardLoadPoint, ShardLoadStore } from '../../core/ports/shard-load.port.js';
import { DEFAULTS, METADATA_KEYS } from '../../definitions/resources.js';
import { AdapterArgumentError, AwsCallError, CorruptDataError } from './errors.js';

export interface DynamoDbShardLoadStoreOptions {
  readonly metadataTable: string;
  /** Load items expire (DynamoDB TTL on `expiresAtSec`) this long after their period, in hours. @default 2 */
  readonly retentionHours?: number;
}

/** `ageMsSum` is absent on items a release before it wrote: read as 0, which the arrival estimate skips. */
const COUNTERS = ['incomingRecords', 'incomingBytes', 'processedRecords', 'busyMs', 'ageMsSum'] as const;

function assertPeriodStart(atMs: number): void {
  if (!Number.isInteger(atMs) || atMs < 0) throw new AdapterArgumentError('atMs', 'a non-negative integer (ms)', atMs);
}

/**
 * `ShardLoadStore` on the metadata table: one item per period (a minute on AWS) and shard, pk `LOAD#<period start ms>` and sk
 * the shard id, so the SPM reads one period of every shard with one Query (paged past 1 MB), whatever the
 * number of shards. Each write is one UpdateItem that ADDs the counts (several execution environments may
 * add to the same period of a shard) and sets the TTL. The writes of a period share one partition key:
 * about 2 a minute per shard, far below a partition's 1,000 writes/s up to ~10,000 shards.
 */
export class DynamoDbShardLoadStore implements ShardLoadStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly retentionSec: number;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDbShardLoadStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
    this.retentionSec = (options.retentionHours ?? DEFAULTS.shardLoadRetentionHours) * 3600;
  }

  async addShardLoad(points: readonly ShardLoadPoint[]): Promise<void> {
    for (const m of points) {
      assertPeriodStart(m.atMs);
      const pk = `${METADATA_KEYS.loadPrefix}${m.atMs}`;
      const values: Record<string, number> = { ':ttl': Math.floor(m.atMs / 1000) + this.retentionSec };
      for (const c of COUNTERS) values[`:${c}`] = Number.isFinite(m[c]) && m[c] > 0 ? m[c] : 0;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.options.metadataTable,
            Key: { pk, sk: m.shardId },
            UpdateExpression: `ADD ${COUNTERS.map((c) => `${c} :${c}`).join(', ')} SET expiresAtSec = :ttl`,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        throw new AwsCallError('DynamoDB', 'UpdateItem', `load of ${m.shardId} at ${m.atMs}`, error);
      }
    }
  }

  async listShardLoad(atMs: number): Promise<ShardLoadPoint[]> {
    assertPeriodStart(atMs);
    const pk = `${METADATA_KEYS.loadPrefix}${atMs}`;
    const found: ShardLoadPoint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.options.metadataTable,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': pk },
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      };
      let page;
      try {
        page = await this.doc.send(new QueryCommand(input));
      } catch (error) {
        throw new AwsCallError('DynamoDB', 'Query', pk, error);
      }
      for (const item of page.Items ?? []) found.push(itemToLoad(item, atMs));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }
}

function itemToLoad(item: Record<string, unknown>, atMs: number): ShardLoadPoint {
  const shardId = item.sk;
  if (typeof shardId !== 'string' || shardId.length === 0) throw new CorruptDataError(`load item ${String(item.pk)}.sk`, 'a shard id', shardId);
  const count = (field: (typeof COUNTERS)[number]): number => {
    const value = item[field] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CorruptDataError(`load item ${String(item.pk)}/${shardId}.${field}`, 'a non-negative number', value);
    return value;
  };
  return {
    shardId,
    atMs,
    incomingRecords: count('incomingRecords'),
    incomingBytes: count('incomingBytes'),
    processedRecords: count('processedRecords'),
    busyMs: count('busyMs'),
    ageMsSum: count('ageMsSum'),
  };
}
