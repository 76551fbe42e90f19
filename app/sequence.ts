import { createHash } from 'node:crypto';

/** Kinesis sequence numbers are decimal strings of varying length: compare them as integers. */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** MD5 of the partition key as an unsigned 128-bit integer: the record's Kinesis hash key. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/**
 * A uniform number in [0, 1) derived from a sequence number. The dispatcher samples a record for a shadow
 * when this is below the shadow's rate: deterministic (a retried batch samples the same records, and the
 * shadows of one shard at rates r1 < r2 sample nested sets) and independent of partition keys, so a hot key
 * is sampled at the same rate as the rest.
 */
export function sampleFraction(sequenceNumber: string): number {
  const digest = createHash('md5').update(sequenceNumber, 'utf8').digest();
  return digest.readUInt32BE(0) / 4294967296;
}

export function isSampled(sequenceNumber: string, rate: number): boolean {
  return sampleFraction(sequenceNumber) < rate;
}
