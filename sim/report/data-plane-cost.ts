import type { CapacityMode } from '../../core/policies/deployment.js';
import { PRIMARY_PATH_CALLS_PER_BATCH } from '../../cost/call-budget.js';
import { PRICES } from './prices.js';

/**
 * What each batch through Foreshadow's dispatcher costs besides Lambda, from the meter's figures on the real
 * handlers (main's `cost/`): the per-batch AWS calls of the primary path as pinned by
 * `cost/call-budget.ts` (dispatcher: placement GetItem and shadow-list Query once a second, i.e. 0.2 per
 * batch at 5 batches a second, the progress PutItem 0.02, the shard load UpdateItem 0.02; worker: the placement fence GetItem, 1), each
 * counted as one request unit; and the EMF bytes per record the meter measured for the dispatcher and the
 * worker (docs/COST.md: 147.3 B per 1,000 records). The time-based calls are priced per batch as at 500
 * records/s per shard, so a slower shard's are underestimated. A plain event source mapping has none of
 * these.
 */
const dispatcher = PRIMARY_PATH_CALLS_PER_BATCH.dispatcher;
export const DISPATCHED_BATCH = {
  dynamoWrites: dispatcher['DynamoDB PutItem'] + dispatcher['DynamoDB UpdateItem'],
  dynamoReads: dispatcher['DynamoDB GetItem'] + dispatcher['DynamoDB Query'] + PRIMARY_PATH_CALLS_PER_BATCH.worker['DynamoDB GetItem'],
} as const;

/** EMF bytes per record on the primary path (dispatcher and worker), as measured (docs/COST.md). */
export const EMF_BYTES_PER_RECORD = 0.1473;

/** Kinesis on-demand bills each record rounded up to 1 KB, written and read. */
const ON_DEMAND_RECORD_UNIT_BYTES = 1024;

/** The Kinesis part of a run's bill for its capacity mode. */
export function kinesisUsd(u: {
  readonly capacityMode: CapacityMode;
  readonly shardHours: number;
  readonly streamHours: number;
  readonly acceptedRecords: number;
  readonly readRecords: number;
  readonly recordSizeBytes: number;
}): number {
  if (u.capacityMode === 'provisioned') return u.shardHours * PRICES.shardHour + (u.acceptedRecords / 1e6) * PRICES.putPayloadUnitsPerMillion;
  const gbPerRecord = (Math.ceil(u.recordSizeBytes / ON_DEMAND_RECORD_UNIT_BYTES) * ON_DEMAND_RECORD_UNIT_BYTES) / 1024 ** 3;
  return u.streamHours * PRICES.onDemandStreamHour + u.acceptedRecords * gbPerRecord * PRICES.onDemandIngestPerGb + u.readRecords * gbPerRecord * PRICES.onDemandRetrievalPerGb;
}

/** DynamoDB and CloudWatch Logs cost of `batches` dispatched batches carrying `records` records. */
export function dispatcherSideUsd(batches: number, records: number): { dynamodb: number; logs: number } {
  return {
    dynamodb: ((batches * DISPATCHED_BATCH.dynamoWrites) / 1e6) * PRICES.dynamoWriteUnitsPerMillion + ((batches * DISPATCHED_BATCH.dynamoReads) / 1e6) * PRICES.dynamoReadUnitsPerMillion,
    logs: ((records * EMF_BYTES_PER_RECORD) / 1024 ** 3) * PRICES.logsIngestionPerGb,
  };
}
