import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShadowStats } from '../../core/model/metrics.js';
import type { PartitionMetadata } from '../../core/model/partition.js';
import type { ShadowPartition } from '../../core/model/shadow.js';
import type { WorkerNodeMetadata } from '../../core/model/worker.js';
import type {
  AuditEntry,
  MetadataStore,
  PartitionStatsPatch,
  ShadowSample,
  ShadowSampleResult,
  ShardProgress,
  SuspectRange,
  WriteFailure,
  WriteOutcome,
} from '../../core/ports/metadata-store.port.js';
import { failed, ok } from '../../core/ports/outcome.js';
import { DEFAULTS } from '../../definitions/resources.js';
import { AdapterArgumentError, AwsCallError, errorName } from './errors.js';
import { and, conditionRequest, epochIs, expiredBy, itemAbsent, itemExists, or, shadowIdIs, update, updateRequest, versionIs, type Expression } from './expressions.dynamodb.js';
import * as items from './items.dynamodb.js';
import { emptyStats, sampleUpdate } from './shadow-stats.dynamodb.js';

const { KEYS } = items;

export interface DynamoDbMetadataStoreOptions {
  readonly metadataTable: string;
  readonly auditTable: string;
  /** Audit entries expire (DynamoDB TTL on `expiresAtSec`) this long after they were written, in days. @default 14 */
  readonly auditRetentionDays?: number;
}

/** The fields `updatePartition` may write: ownership (owner, epoch) changes only through `changeOwner`. */
const PATCHABLE: ReadonlySet<string> = new Set<keyof PartitionStatsPatch>([
  'ingestRecordsPerSec',
  'ingestBytesPerSec',
  'utilization',
  'utilizationTrendPerSec',
  'shadowPartitionId',
  'shadowReplicationRate',
  'predictedUtilization',
  'state',
]);

class ConditionFailed {
  constructor(readonly cause: unknown) {}
}

/**
 * `MetadataStore` on two DynamoDB tables (layout in items.dynamodb.ts). Every write that depends on what
 * was read is conditional; a lost condition comes back as a `WriteOutcome` value (`stale-epoch`,
 * `not-found`, `already-exists`, `version-conflict`), never as the SDK's ConditionalCheckFailedException.
 * Uses no transactions, so it runs unchanged on dynalite.
 */
export class DynamoDbMetadataStore implements MetadataStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly retentionDays: number;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDbMetadataStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.retentionDays = options.auditRetentionDays ?? DEFAULTS.auditRetentionDays;
  }

  async listPartitions(): Promise<PartitionMetadata[]> {
    return (await this.queryAll(this.options.metadataTable, KEYS.partition)).map(items.itemToPartition);
  }

  async getPartition(shardId: string): Promise<PartitionMetadata | undefined> {
    const item = await this.get(this.options.metadataTable, KEYS.partition, shardId);
    return item === undefined ? undefined : items.itemToPartition(item);
  }

  async createPartition(partition: PartitionMetadata): Promise<WriteOutcome> {
    const result = await this.put(items.partitionToItem(partition), itemAbsent, `partition ${partition.shardId}`);
    return result instanceof ConditionFailed ? failed('already-exists', `partition ${partition.shardId} already exists`) : ok(undefined);
  }

  /** A patch key given as `undefined` removes the attribute (e.g. clears `shadowPartitionId`). */
  async updatePartition(shardId: string, expectedEpoch: number, patch: PartitionStatsPatch): Promise<WriteOutcome> {
    const set: Record<string, unknown> = { ...patch };
    const foreign = Object.keys(set).filter((k) => !PATCHABLE.has(k));
    if (foreign.length > 0) throw new AdapterArgumentError(`updatePartition(${shardId}).patch`, `limited to ${[...PATCHABLE].join(', ')}`, foreign);
    if (Object.keys(set).length === 0) set.epoch = expectedEpoch;
    const result = await this.updateItem(KEYS.partition, shardId, update({ set }), and(itemExists, epochIs(expectedEpoch)), `partition ${shardId}`);
    return result instanceof ConditionFailed ? this.epochFailure(shardId, expectedEpoch) : ok(undefined);
  }

  async changeOwner(shardId: string, expectedEpoch: number, toWorkerId: string, atMs: number): Promise<WriteOutcome<number>> {
    const nextEpoch = expectedEpoch + 1;
    const result = await this.updateItem(
      KEYS.partition,
      shardId,
      update({ set: { ownerWorkerId: toWorkerId, epoch: nextEpoch, lastMoveAtMs: atMs } }),
      and(itemExists, epochIs(expectedEpoch)),
      `partition ${shardId}`,
    );
    return result instanceof ConditionFailed ? this.epochFailure(shardId, expectedEpoch) : ok(nextEpoch);
  }

  async listWorkers(): Promise<WorkerNodeMetadata[]> {
    return (await this.queryAll(this.options.metadataTable, KEYS.worker)).map(items.itemToWorker);
  }

  async putWorker(worker: WorkerNodeMetadata): Promise<void> {
    await this.put(items.workerToItem(worker), undefined, `worker ${worker.workerId}`);
  }

  async deleteWorker(workerId: string): Promise<void> {
    await this.delete(KEYS.worker, workerId, undefined, `worker ${workerId}`);
  }

  async listShadows(): Promise<ShadowPartition[]> {
    return (await this.queryAll(this.options.metadataTable, KEYS.shadow)).map(items.itemToShadow);
  }

  /**
   * One conditional PutItem on the shadow's slot (its shard and kind, items.dynamodb.ts): it succeeds only
   * if the slot is empty or holds a shadow that expired by the new one's creation. A replaced expired
   * shadow's stats are deleted with it.
   */
  async createShadow(shadow: ShadowPartition): Promise<WriteOutcome> {
    const item = items.shadowToItem(shadow);
    let replaced: items.Item | undefined;
    const result = await this.conditional('PutItem', `shadow ${shadow.shadowId}`, async () => {
      const answer = await this.doc.send(
        new PutCommand({ TableName: this.options.metadataTable, Item: item, ReturnValues: 'ALL_OLD', ...conditionRequest(or(itemAbsent, expiredBy(shadow.createdAtMs))) }),
      );
      replaced = answer.Attributes;
    });
    if (result instanceof ConditionFailed) {
      const holder = await this.get(this.options.metadataTable, KEYS.shadow, String(item.sk));
      const what = `shard ${shadow.shardId} already has a live ${shadow.kind} shadow ${String(holder?.shadowId ?? '(gone since)')}`;
      return failed('already-exists', `${what}; ${shadow.shadowId} not created`);
    }
    const old = replaced?.shadowId;
    if (typeof old === 'string' && old !== shadow.shadowId) await this.delete(KEYS.shadowStats, old, undefined, `shadow stats ${old}`);
    await this.restartStats(shadow);
    return ok(undefined);
  }

  /**
   * Creates or re-rates a shadow in its slot, unless another shadow holds the slot. Its stats restart when
   * the rate changes or the shadow is re-created (see `restartStats`).
   */
  async putShadow(shadow: ShadowPartition, options: { readonly requireExisting?: boolean } = {}): Promise<WriteOutcome> {
    const item = items.shadowToItem(shadow);
    const subject = `shadow ${shadow.shadowId}`;
    let result = await this.put(item, options.requireExisting ? shadowIdIs(shadow.shadowId) : or(itemAbsent, shadowIdIs(shadow.shadowId)), subject);
    if (result instanceof ConditionFailed && options.requireExisting) {
      // Not in its slot: either deleted meanwhile (a re-rate must not bring it back), or an item of the
      // earlier layout (keyed by the shadow id), which moves to its slot if the slot is free.
      const earlier = item.sk === shadow.shadowId ? undefined : await this.get(this.options.metadataTable, KEYS.shadow, shadow.shadowId);
      if (earlier?.shadowId !== shadow.shadowId) return failed('not-found', `${subject} no longer exists; not re-rated`);
      result = await this.put(item, itemAbsent, subject);
    }
    if (result instanceof ConditionFailed) return failed('already-exists', `another ${shadow.kind} shadow of shard ${shadow.shardId} holds its place; ${shadow.shadowId} not written`);
    // An item of the earlier layout (keyed by the shadow id) is replaced by the one just written.
    if (item.sk !== shadow.shadowId) await this.delete(KEYS.shadow, shadow.shadowId, shadowIdIs(shadow.shadowId), `shadow ${shadow.shadowId}`);
    await this.restartStats(shadow);
    return ok(undefined);
  }

  /** Restarts the shadow's stats if its rate or incarnation changed (shadow-stats.dynamodb.ts). */
  private async restartStats(shadow: ShadowPartition): Promise<void> {
    const { item, condition } = emptyStats(shadow);
    await this.put(item, condition, `shadow stats ${shadow.shadowId}`);
  }

  /** Finds the shadow by id (its key is its slot) and deletes it only if it still holds the slot, then its stats. */
  async deleteShadow(shadowId: string): Promise<void> {
    const held = (await this.queryAll(this.options.metadataTable, KEYS.shadow)).filter((i) => i.shadowId === shadowId);
    for (const item of held) await this.delete(KEYS.shadow, String(item.sk), shadowIdIs(shadowId), `shadow ${shadowId}`);
    await this.delete(KEYS.shadowStats, shadowId, undefined, `shadow stats ${shadowId}`);
  }

  /**
   * Adds a sample to the shadow's stats in one conditional UpdateItem (shadow-stats.dynamodb.ts). After a
   * lost condition, reads the stats once to say whether the sample was dropped (shadow gone or re-rated) or
   * is behind the high-water mark, and which mark.
   */
  async recordShadowSample(shadow: ShadowPartition, sample: ShadowSample): Promise<ShadowSampleResult> {
    const { expression, condition } = sampleUpdate(shadow, sample);
    const result = await this.updateItem(KEYS.shadowStats, shadow.shadowId, expression, condition, `shadow stats ${shadow.shadowId}`);
    if (!(result instanceof ConditionFailed)) return { added: true };
    const current = await this.get(this.options.metadataTable, KEYS.shadowStats, shadow.shadowId);
    if (current?.rate !== shadow.rate) return { added: false, reason: 'dropped', detail: `shadow ${shadow.shadowId} has no stats at rate ${shadow.rate} (deleted or re-rated)` };
    const mark = current.highWaterSequenceNumber;
    return { added: false, reason: 'behind-high-water', ...(typeof mark === 'string' ? { highWaterSequenceNumber: mark } : {}) };
  }

  /**
   * Stats of live shadows that have measured something: an item left by a deleted shadow, or the empty item
   * `putShadow` writes before the first sample, is left out.
   */
  async listShadowStats(): Promise<ShadowStats[]> {
    const [stats, shadows] = await Promise.all([this.queryAll(this.options.metadataTable, KEYS.shadowStats), this.queryAll(this.options.metadataTable, KEYS.shadow)]);
    const live = new Set(shadows.map((s) => s.shadowId));
    return stats.filter((s) => live.has(s.sk) && s.records !== undefined).map(items.itemToShadowStats);
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff. */
  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    const requests = entries.map((entry, i) => ({ PutRequest: { Item: items.auditToItem(entry, i, this.retentionDays) } }));
    for (let start = 0; start < requests.length; start += 25) {
      let pending = requests.slice(start, start + 25);
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt === 8) throw new AwsCallError('DynamoDB', 'BatchWriteItem', `${pending.length} audit entries`, new Error('still unprocessed after 8 attempts'));
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const answer = await this.call('BatchWriteItem', 'audit entries', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.options.auditTable]: pending } })),
        );
        pending = (answer.UnprocessedItems?.[this.options.auditTable] ?? []) as typeof pending;
      }
    }
  }

  async listAudit(sinceMs: number): Promise<AuditEntry[]> {
    const found = await this.queryAll(this.options.auditTable, KEYS.audit, items.auditSortKeyFrom(sinceMs));
    return found.map(items.itemToAudit);
  }

  async getShardProgress(shardId: string): Promise<ShardProgress | undefined> {
    const item = await this.get(this.options.metadataTable, `${KEYS.progressPrefix}${shardId}`, KEYS.progressSk);
    return item === undefined ? undefined : items.itemToProgress(item);
  }

  async putShardProgress(progress: ShardProgress): Promise<void> {
    await this.put(items.progressToItem(progress), undefined, `progress of ${progress.shardId}`);
  }

  async getSuspectRange(shardId: string): Promise<SuspectRange | undefined> {
    const item = await this.get(this.options.metadataTable, `${KEYS.suspectPrefix}${shardId}`, KEYS.progressSk);
    return item === undefined ? undefined : items.itemToSuspect(item);
  }

  async putSuspectRange(range: SuspectRange): Promise<void> {
    await this.put(items.suspectToItem(range), undefined, `suspect range of ${range.shardId}`);
  }

  async deleteSuspectRange(shardId: string): Promise<void> {
    await this.delete(`${KEYS.suspectPrefix}${shardId}`, KEYS.progressSk, undefined, `suspect range of ${shardId}`);
  }

  async loadPolicyState(policy: string): Promise<{ state: unknown; version: number } | undefined> {
    const item = await this.get(this.options.metadataTable, KEYS.policy, policy);
    if (item === undefined) return undefined;
    return { state: items.fromJson(String(item.state)), version: Number(item.version) };
  }

  /** `expectedVersion` 0 creates the state; otherwise it must match the stored version, which becomes +1. */
  async savePolicyState(policy: string, state: unknown, expectedVersion: number): Promise<WriteOutcome> {
    const item = { pk: KEYS.policy, sk: policy, state: items.toJson(state), version: expectedVersion + 1 };
    const result = await this.put(item, expectedVersion === 0 ? itemAbsent : versionIs(expectedVersion), `policy state ${policy}`);
    return result instanceof ConditionFailed ? failed('version-conflict', `policy state ${policy} is no longer at version ${expectedVersion}`) : ok(undefined);
  }

  /** After a lost epoch condition, reads the item once to say which of the two it was. */
  private async epochFailure(shardId: string, expectedEpoch: number): Promise<{ ok: false; reason: WriteFailure; detail: string }> {
    const current = await this.getPartition(shardId);
    if (current === undefined) return failed('not-found', `partition ${shardId} does not exist`);
    return failed('stale-epoch', `partition ${shardId} is at epoch ${current.epoch} (owner ${current.ownerWorkerId}), not the expected ${expectedEpoch}`);
  }

  private async get(table: string, pk: string, sk: string): Promise<items.Item | undefined> {
    const answer = await this.call('GetItem', `${pk}/${sk}`, () => this.doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true })));
    return answer.Item;
  }

  private async queryAll(table: string, pk: string, skFrom?: string): Promise<items.Item[]> {
    const found: items.Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: table,
        KeyConditionExpression: skFrom === undefined ? '#pk = :pk' : '#pk = :pk AND #sk >= :sk',
        ExpressionAttributeNames: skFrom === undefined ? { '#pk': 'pk' } : { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: skFrom === undefined ? { ':pk': pk } : { ':pk': pk, ':sk': skFrom },
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      };
      const page = await this.call('Query', pk, () => this.doc.send(new QueryCommand(input)));
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }

  private async put(item: items.Item, condition: Expression | undefined, subject: string): Promise<ConditionFailed | undefined> {
    return this.conditional('PutItem', subject, () =>
      this.doc.send(new PutCommand({ TableName: this.tableOf(item), Item: item, ...(condition === undefined ? {} : conditionRequest(condition)) })),
    );
  }

  private async updateItem(pk: string, sk: string, expression: Expression, condition: Expression | undefined, subject: string): Promise<ConditionFailed | undefined> {
    return this.conditional('UpdateItem', subject, () =>
      this.doc.send(new UpdateCommand({ TableName: this.options.metadataTable, Key: { pk, sk }, ...updateRequest(expression, condition) })),
    );
  }

  private async delete(pk: string, sk: string, condition: Expression | undefined, subject: string): Promise<ConditionFailed | undefined> {
    return this.conditional('DeleteItem', subject, () =>
      this.doc.send(new DeleteCommand({ TableName: this.options.metadataTable, Key: { pk, sk }, ...(condition === undefined ? {} : conditionRequest(condition)) })),
    );
  }

  private tableOf(item: items.Item): string {
    return item.pk === KEYS.audit ? this.options.auditTable : this.options.metadataTable;
  }

  /** Runs a write; a lost condition is returned, any other failure thrown with context. */
  private async conditional(operation: string, subject: string, send: () => Promise<unknown>): Promise<ConditionFailed | undefined> {
    try {
      await send();
      return undefined;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return new ConditionFailed(error);
      throw new AwsCallError('DynamoDB', operation, subject, error);
    }
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new AwsCallError('DynamoDB', operation, subject, error);
    }
  }
}
