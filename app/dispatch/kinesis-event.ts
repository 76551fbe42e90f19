import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { WireRecord } from '../../core/ports/index.js';

/** One shard's records from an ESM event, in the order the ESM delivered them (sequence order). */
export interface ShardBatch {
  readonly shardId: string;
  readonly records: WireRecord[];
  readonly bytes: number;
}

/**
 * The shard id of an ESM record: Lambda's `eventID` is `<shardId>:<sequenceNumber>`. A Kinesis ESM
 * invocation carries one shard's records; the dispatcher still groups by shard so that it never mixes two.
 */
export function shardIdOf(record: KinesisStreamRecord): string {
  const colon = record.eventID.indexOf(':');
  if (colon <= 0) throw new TypeError(`ESM record eventID must be "<shardId>:<sequenceNumber>" (given ${JSON.stringify(record.eventID)})`);
  return record.eventID.slice(0, colon);
}

export function shardBatches(event: KinesisStreamEvent): ShardBatch[] {
  const batches = new Map<string, { records: WireRecord[]; bytes: number }>();
  for (const record of event.Records ?? []) {
    const shardId = shardIdOf(record);
    const batch = batches.get(shardId) ?? { records: [], bytes: 0 };
    batches.set(shardId, batch);
    batch.records.push({
      sequenceNumber: record.kinesis.sequenceNumber,
      partitionKey: record.kinesis.partitionKey,
      data: record.kinesis.data,
      approximateArrivalMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    });
    batch.bytes += recordBytes(record.kinesis);
  }
  return [...batches].map(([shardId, b]) => ({ shardId, records: b.records, bytes: b.bytes }));
}

/** A record's size as Kinesis counts it toward the shard limit: its data (base64-decoded) and partition key. */
export function recordBytes(r: { readonly data: string; readonly partitionKey: string }): number {
  return Math.floor((r.data.length * 3) / 4) + Buffer.byteLength(r.partitionKey);
}
