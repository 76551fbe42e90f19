import type { ShadowStats } from '../../core/model/metrics.js';
import { partitionMetadata, SHARD_STATES, type PartitionMetadata, type ShardState } from '../../core/model/partition.js';
import type { Prediction } from '../../core/model/prediction.js';
import { SHADOW_KINDS, shadowPartition, type ShadowKind, type ShadowPartition } from '../../core/model/shadow.js';
import { workerNodeMetadata, type WorkerNodeMetadata } from '../../core/model/worker.js';
import type { AuditEntry, ShardProgress, SuspectRange } from '../../core/ports/metadata-store.port.js';
import { METADATA_KEYS } from '../../definitions/resources.js';
import { AdapterArgumentError, CorruptDataError } from './errors.js';

/**
 * Item layout of the single metadata table (`pk`/`sk`, definitions/resources.ts) and the audit table, and
 * the codecs between items and the model. Hash keys are 128-bit, beyond DynamoDB's 38-digit numbers only
 * just, and beyond JavaScript numbers by far: they are stored as decimal strings.
 *
 * | item          | pk                  | sk        |
 * |---------------|---------------------|-----------|
 * | partition     | `PARTITION`         | shard id  |
 * | worker        | `WORKER`            | worker id |
 * | shadow        | `SHADOW`            | `<shard id>#<kind>` |
 * | shadow stats  | `SHADOW_STATS`      | shadow id |
 * | policy state  | `POLICY`            | policy    |
 * | shard progress| `PROGRESS#<shard>`  | `-`       |
 * | audit entry   | `AUDIT` (audit table) | `<atMs, 15 digits>#<tickId>#<index>` |
 *
 * Listings are one Query on a fixed pk (a handful of items per tick). Shard progress is written once per
 * batch per shard, so each shard gets its own pk to spread those writes over partitions.
 *
 * A shadow item is keyed by its shard and kind, not by its id (which is an attribute): a shard has at most one
 * live shadow of each kind, and creating a shadow is one conditional PutItem on that key, with no marker item
 * to keep in step (and no transaction, which dynalite lacks). Items written before this layout (sk = shadow
 * id) are still listed, re-rated and deleted by id.
 */
export const KEYS = METADATA_KEYS;

export type Item = Record<string, unknown>;

function str(item: Item, field: string, what: string): string {
  const value = item[field];
  if (typeof value !== 'string' || value.length === 0) throw new CorruptDataError(`${what}.${field}`, 'a non-empty string', value);
  return value;
}

function num(item: Item, field: string, what: string): number {
  const value = item[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CorruptDataError(`${what}.${field}`, 'a finite number', value);
  return value;
}

function optional<T>(item: Item, field: string, read: (item: Item, field: string, what: string) => T, what: string): T | undefined {
  return item[field] === undefined || item[field] === null ? undefined : read(item, field, what);
}

function bigintOf(item: Item, field: string, what: string): bigint {
  const value = str(item, field, what);
  if (!/^\d+$/.test(value)) throw new CorruptDataError(`${what}.${field}`, 'a decimal hash key', value);
  return BigInt(value);
}

/** Keeps only defined properties, so that optional model fields stay absent rather than `undefined`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function partitionToItem(p: PartitionMetadata): Item {
  return defined({
    pk: KEYS.partition,
    sk: p.shardId,
    shardId: p.shardId,
    hashKeyStart: p.hashKeyRange.start.toString(10),
    hashKeyEnd: p.hashKeyRange.end.toString(10),
    parentShardIds: [...p.parentShardIds],
    state: p.state,
    ownerWorkerId: p.ownerWorkerId,
    epoch: p.epoch,
    ingestRecordsPerSec: p.ingestRecordsPerSec,
    ingestBytesPerSec: p.ingestBytesPerSec,
    utilization: p.utilization,
    utilizationTrendPerSec: p.utilizationTrendPerSec,
    shadowPartitionId: p.shadowPartitionId,
    shadowReplicationRate: p.shadowReplicationRate,
    predictedUtilization: p.predictedUtilization === undefined ? undefined : defined({ ...p.predictedUtilization }),
    lastMoveAtMs: p.lastMoveAtMs,
  });
}

export function itemToPartition(item: Item): PartitionMetadata {
  const what = `partition item ${String(item.sk)}`;
  const state = str(item, 'state', what);
  if (!SHARD_STATES.includes(state as ShardState)) throw new CorruptDataError(`${what}.state`, `one of ${SHARD_STATES.join(', ')}`, state);
  const parents = item.parentShardIds ?? [];
  if (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string')) throw new CorruptDataError(`${what}.parentShardIds`, 'a list of shard ids', parents);
  const prediction = item.predictedUtilization;
  if (prediction !== undefined && (typeof prediction !== 'object' || prediction === null)) {
    throw new CorruptDataError(`${what}.predictedUtilization`, 'a map', prediction);
  }
  return partitionMetadata(
    defined({
      shardId: str(item, 'shardId', what),
      hashKeyRange: { start: bigintOf(item, 'hashKeyStart', what), end: bigintOf(item, 'hashKeyEnd', what) },
      parentShardIds: parents as string[],
      state: state as ShardState,
      ownerWorkerId: str(item, 'ownerWorkerId', what),
      epoch: num(item, 'epoch', what),
      ingestRecordsPerSec: num(item, 'ingestRecordsPerSec', what),
      ingestBytesPerSec: num(item, 'ingestBytesPerSec', what),
      utilization: num(item, 'utilization', what),
      utilizationTrendPerSec: num(item, 'utilizationTrendPerSec', what),
      shadowPartitionId: optional(item, 'shadowPartitionId', str, what),
      shadowReplicationRate: optional(item, 'shadowReplicationRate', num, what),
      predictedUtilization: prediction as Prediction | undefined,
      lastMoveAtMs: optional(item, 'lastMoveAtMs', num, what),
    }),
  );
}

export function workerToItem(w: WorkerNodeMetadata): Item {
  return { pk: KEYS.worker, sk: w.workerId, ...w };
}

export function itemToWorker(item: Item): WorkerNodeMetadata {
  const what = `worker item ${String(item.sk)}`;
  return workerNodeMetadata({
    workerId: str(item, 'workerId', what),
    workerClass: str(item, 'workerClass', what),
    speed: num(item, 'speed', what),
    memoryMb: num(item, 'memoryMb', what),
    slots: num(item, 'slots', what),
    utilization: num(item, 'utilization', what),
    predictedCapacity: num(item, 'predictedCapacity', what),
  });
}

/** The sort key of a shard's shadow of one kind: the slot at most one live shadow holds. */
export function shadowSortKey(shardId: string, kind: ShadowKind): string {
  return `${shardId}#${kind}`;
}

export function shadowToItem(s: ShadowPartition): Item {
  return defined({ pk: KEYS.shadow, sk: shadowSortKey(s.shardId, s.kind), ...s });
}

/** Digits of the largest Kinesis sequence number (the API allows up to 129). */
const SEQUENCE_DIGITS = 129;

/** A sequence number as a fixed-width decimal string: string order is then numeric order, in a DynamoDB condition too. */
export function sequenceSortKey(sequenceNumber: string): string {
  if (!/^\d{1,129}$/.test(sequenceNumber)) throw new AdapterArgumentError('sequenceNumber', 'a decimal sequence number of at most 129 digits', sequenceNumber);
  return sequenceNumber.padStart(SEQUENCE_DIGITS, '0');
}

export function itemToShadow(item: Item): ShadowPartition {
  const what = `shadow item ${String(item.sk)}`;
  const kind = str(item, 'kind', what);
  if (!SHADOW_KINDS.includes(kind as ShadowKind)) throw new CorruptDataError(`${what}.kind`, `one of ${SHADOW_KINDS.join(', ')}`, kind);
  return shadowPartition(
    defined({
      shadowId: str(item, 'shadowId', what),
      shardId: str(item, 'shardId', what),
      workerId: str(item, 'workerId', what),
      kind: kind as ShadowKind,
      rate: num(item, 'rate', what),
      createdAtMs: num(item, 'createdAtMs', what),
      expiresAtMs: optional(item, 'expiresAtMs', num, what),
    }),
  );
}

/** Histogram buckets are flat numeric attributes (`h<i>r` records, `h<i>c` cost ms) so that ADD can update them. */
export function bucketAttribute(index: number, part: 'records' | 'cost'): string {
  return `h${index}${part === 'records' ? 'r' : 'c'}`;
}

export function itemToShadowStats(item: Item): ShadowStats {
  const what = `shadow stats item ${String(item.sk)}`;
  const buckets = num(item, 'buckets', what);
  return defined({
    shadowId: str(item, 'shadowId', what),
    shardId: str(item, 'shardId', what),
    workerId: str(item, 'workerId', what),
    rate: num(item, 'rate', what),
    fromMs: num(item, 'fromMs', what),
    toMs: num(item, 'toMs', what),
    records: num(item, 'records', what),
    busyMs: num(item, 'busyMs', what),
    busyMsSquared: num(item, 'busyMsSquared', what),
    kinesisRecords: optional(item, 'kinesisRecords', num, what),
    histogram: defined({
      buckets: Array.from({ length: buckets }, (_, i) => ({
        records: optional(item, bucketAttribute(i, 'records'), num, what) ?? 0,
        costMs: optional(item, bucketAttribute(i, 'cost'), num, what) ?? 0,
      })),
      unplaced: optional(item, 'unplaced', num, what),
    }),
    highWaterSequenceNumber: optional(item, 'highWaterSequenceNumber', str, what),
  });
}

export function suspectToItem(r: SuspectRange): Item {
  return defined({ pk: `${KEYS.suspectPrefix}${r.shardId}`, sk: KEYS.progressSk, ...r });
}

export function itemToSuspect(item: Item): SuspectRange {
  const what = `suspect range item ${String(item.pk)}`;
  return {
    shardId: str(item, 'shardId', what),
    startSequenceNumber: str(item, 'startSequenceNumber', what),
    span: num(item, 'span', what),
    updatedAtMs: num(item, 'updatedAtMs', what),
  };
}

export function progressToItem(p: ShardProgress): Item {
  return defined({ pk: `${KEYS.progressPrefix}${p.shardId}`, sk: KEYS.progressSk, ...p });
}

export function itemToProgress(item: Item): ShardProgress {
  const what = `progress item ${String(item.pk)}`;
  const drained = item.drained;
  if (drained !== undefined && typeof drained !== 'boolean') throw new CorruptDataError(`${what}.drained`, 'a boolean', drained);
  return defined({
    shardId: str(item, 'shardId', what),
    lastSequenceNumber: optional(item, 'lastSequenceNumber', str, what),
    drained,
    updatedAtMs: num(item, 'updatedAtMs', what),
  });
}

/** JSON that round-trips bigints (split keys in actions) as `{"$bigint":"<decimal>"}`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString(10) } : v));
}

export function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as { $bigint?: unknown }).$bigint === 'string') {
      return BigInt((v as { $bigint: string }).$bigint);
    }
    return v;
  });
}

const AT_DIGITS = 15;

export function auditSortKey(atMs: number, tickId: string, index: number): string {
  return `${String(Math.max(0, Math.floor(atMs))).padStart(AT_DIGITS, '0')}#${tickId}#${String(index).padStart(6, '0')}`;
}

export function auditSortKeyFrom(sinceMs: number): string {
  return String(Math.max(0, Math.floor(sinceMs))).padStart(AT_DIGITS, '0');
}

export function auditToItem(entry: AuditEntry, index: number, retentionDays: number): Item {
  return {
    pk: KEYS.audit,
    sk: auditSortKey(entry.atMs, entry.tickId, index),
    atMs: entry.atMs,
    policy: entry.policy,
    tickId: entry.tickId,
    kind: entry.entry.kind,
    entry: toJson(entry.entry),
    expiresAtSec: Math.floor(entry.atMs / 1000) + retentionDays * 86_400,
  };
}

export function itemToAudit(item: Item): AuditEntry {
  const what = `audit item ${String(item.sk)}`;
  return {
    atMs: num(item, 'atMs', what),
    policy: str(item, 'policy', what),
    tickId: str(item, 'tickId', what),
    entry: fromJson(str(item, 'entry', what)) as AuditEntry['entry'],
  };
}
