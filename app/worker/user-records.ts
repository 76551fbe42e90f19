import agg from 'aws-kinesis-agg';
import type { WireRecord } from '../../core/ports/index.js';
import { compareSequence, hashKeyOf } from '../sequence.js';

/**
 * One record as its producer wrote it. A Kinesis record written by the Kinesis Producer Library (or
 * `aws-kinesis-agg`) packs many of them (the aggregation format: a magic number, a protobuf with partition-key
 * and explicit-hash-key tables, an MD5 checksum); a plain Kinesis record is one user record of its own.
 */
export interface UserRecord extends WireRecord {
  /** The user record's own partition key (its state key); `partitionKey` of a plain record. */
  readonly partitionKey: string;
  /** The Kinesis record's sequence number: what the event source mapping knows and retries from. */
  readonly sequenceNumber: string;
  /** Index inside the aggregate; undefined for a plain record. */
  readonly subSequenceNumber?: number;
  /** The user record's explicit hash key, when its producer set one (inside an aggregate only). */
  readonly explicitHashKey?: string;
  /**
   * The hash key Kinesis routed the enclosing Kinesis record by: where the whole aggregate lands after a split.
   * An aggregate's routing key: the first user record's explicit hash key if it has one (what the KPL and
   * `aws-kinesis-agg` set on the Kinesis record), else the MD5 of the Kinesis record's partition key.
   */
  readonly routingHashKey: bigint;
  /** Why an aggregate could not be decoded (bad checksum, bad protobuf): the record fails as a whole. */
  readonly undecodable?: string;
}

interface LibraryUserRecord {
  readonly partitionKey: string;
  readonly explicitPartitionKey?: string;
  readonly subSequenceNumber?: number;
  readonly data: string;
}
const deaggregateSync = (agg as unknown as { deaggregateSync: (record: object, checksums: boolean, done: (error: Error | null | undefined, records?: LibraryUserRecord[]) => void) => void })
  .deaggregateSync;

/**
 * Expands a batch's Kinesis records into user records, in order: by Kinesis sequence number, then by
 * sub-sequence number. Checksums are verified; an aggregate that does not decode becomes one user record
 * marked `undecodable`, carrying the Kinesis record's key and data, so it is retried and dead-lettered whole.
 */
export function toUserRecords(records: readonly WireRecord[]): UserRecord[] {
  const out: UserRecord[] = [];
  for (const record of records) {
    let users: LibraryUserRecord[] | undefined;
    let failure: string | undefined;
    deaggregateSync({ partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, data: record.data }, true, (error, decoded) => {
      if (error) failure ??= error.message;
      else users = decoded;
    });
    if (failure !== undefined || users === undefined) {
      out.push({ ...record, routingHashKey: hashKeyOf(record.partitionKey), undecodable: failure ?? 'no user records' });
      continue;
    }
    const first = users[0];
    const aggregated = first?.subSequenceNumber !== undefined;
    const routingHashKey = aggregated && first.explicitPartitionKey ? BigInt(first.explicitPartitionKey) : hashKeyOf(record.partitionKey);
    for (const user of users) {
      out.push({
        sequenceNumber: record.sequenceNumber,
        partitionKey: user.partitionKey,
        data: user.data,
        approximateArrivalMs: record.approximateArrivalMs,
        routingHashKey,
        ...(aggregated ? { subSequenceNumber: user.subSequenceNumber } : {}),
        ...(user.explicitPartitionKey ? { explicitHashKey: user.explicitPartitionKey } : {}),
      });
    }
  }
  return out;
}

/**
 * A user record's place in its shard, as an exactly-once mark: `seq` for a plain record, `seq:sub` inside an
 * aggregate. A mark without `:sub` stands for the whole Kinesis record (every sub-record of it), which is also
 * how marks written before aggregation was understood compare.
 */
export function positionOf(record: { readonly sequenceNumber: string; readonly subSequenceNumber?: number }): string {
  return record.subSequenceNumber === undefined ? record.sequenceNumber : `${record.sequenceNumber}:${record.subSequenceNumber}`;
}

/** Orders two positions: by sequence number, then sub-sequence number, a whole record after all its sub-records. */
export function comparePosition(a: string, b: string): number {
  const [seqA, subA] = a.split(':');
  const [seqB, subB] = b.split(':');
  const bySequence = compareSequence(seqA!, seqB!);
  if (bySequence !== 0) return bySequence;
  const x = subA === undefined ? Number.POSITIVE_INFINITY : Number(subA);
  const y = subB === undefined ? Number.POSITIVE_INFINITY : Number(subB);
  return x < y ? -1 : x > y ? 1 : 0;
}
