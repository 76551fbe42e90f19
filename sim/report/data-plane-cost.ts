import type { CapacityMode } from '../../core/policies/deployment.js';
import { PRICES } from './prices.js';

/**
 * What each batch through Foreshadow's dispatcher costs besides Lambda, counted from the handlers' code (not
 * measured; the `meter` work replaces these with measured per-operation counts):
 * - DynamoDB writes: the dispatcher's PROGRESS write after each batch (`app/dispatch/dispatcher.ts`).
 * - DynamoDB reads: the placement read (cached 1 s, about one per batch at a batch per second per shard,
 *   `app/dispatch/placement-cache.ts`), the live-shadow list (same cache), the worker's epoch read of the
 *   partition item (`app/worker/primary-batch.ts`): three per batch, counted as one read unit each.
 * - EMF: one 502-B log line per primary worker batch (`app/emf-line.ts`), CloudWatch Logs ingestion.
 * A plain event source mapping has none of these.
 */
export const DISPATCHED_BATCH = { dynamoWrites: 1, dynamoReads: 3, emfBytes: 502 } as const;

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

/** DynamoDB and CloudWatch Logs cost of `batches` dispatched batches. */
export function dispatcherSideUsd(batches: number): { dynamodb: number; logs: number } {
  return {
    dynamodb: ((batches * DISPATCHED_BATCH.dynamoWrites) / 1e6) * PRICES.dynamoWriteUnitsPerMillion + ((batches * DISPATCHED_BATCH.dynamoReads) / 1e6) * PRICES.dynamoReadUnitsPerMillion,
    logs: ((batches * DISPATCHED_BATCH.emfBytes) / 1024 ** 3) * PRICES.logsIngestionPerGb,
  };
}
