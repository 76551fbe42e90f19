import agg from 'aws-kinesis-agg';

/** A user record as a KPL producer takes it. */
export interface KplUserRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly explicitHashKey?: string;
}

/** One Kinesis record in the KPL aggregation format, as `aws-kinesis-agg`'s own aggregator builds it. */
export interface KplAggregate {
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly explicitHashKey?: string;
}

type Aggregator = { addUserRecord(record: object): void; build(): { partitionKey: string; data: Buffer; ExplicitHashKey?: string } };
const { RecordAggregator } = agg as unknown as { RecordAggregator: new () => Aggregator };

/** Packs `users` into one aggregated Kinesis record with the library's RecordAggregator (not a hand-made encoding). */
export function kplAggregate(users: readonly KplUserRecord[]): KplAggregate {
  const aggregator = new RecordAggregator();
  for (const user of users) aggregator.addUserRecord({ partitionKey: user.partitionKey, data: user.data, ...(user.explicitHashKey ? { explicitHashKey: user.explicitHashKey } : {}) });
  const built = aggregator.build();
  return { partitionKey: built.partitionKey, data: built.data, ...(built.ExplicitHashKey ? { explicitHashKey: built.ExplicitHashKey } : {}) };
}
