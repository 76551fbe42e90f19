/**
 * Where a record that keeps failing goes after a bounded number of attempts, with everything needed to
 * replay it (unlike Lambda's OnFailure destination, which receives metadata only). SQS on AWS, a local
 * store in the local runtime and tests.
 */
export interface FailedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Position of the user record inside a KPL-aggregated Kinesis record; absent for a plain record. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** The record's data, base64: as the ESM delivered it, or the user record's own inside an aggregate. */
  readonly data: string;
  readonly approximateArrivalMs: number;
  readonly workerId: string;
  readonly epoch: number;
  readonly attempts: number;
  /** The last error's message. */
  readonly error: string;
  readonly failedAtMs: number;
}

export interface FailureSink {
  send(record: FailedRecord): Promise<void>;
}
