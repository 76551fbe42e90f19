import type { ShadowPartition } from '../../core/model/shadow.js';
import type { ShadowSample } from '../../core/ports/metadata-store.port.js';
import { and, highWaterBelow, rateIs, update, type Expression } from './expressions.dynamodb.js';
import { bucketAttribute, KEYS, sequenceSortKey, type Item } from './items.dynamodb.js';

/**
 * The writes of a shadow's stats item (`SHADOW_STATS` / shadow id), as pure expressions for the store.
 *
 * The stats restart when the rate changes or the shadow is re-created: samples taken at another rate or by
 * an earlier incarnation would bias the prediction. The restart writes an empty stats item that holds the
 * new rate (rather than deleting the old one), so that a late sample at the old rate — a worker or
 * dispatcher still caching it — is refused by the sample's condition instead of re-creating stats at the
 * old rate and freezing them. The empty item has no high-water mark: the mark restarts with the stats.
 */
export function emptyStats(shadow: ShadowPartition): { item: Item; condition: Expression } {
  return {
    item: { pk: KEYS.shadowStats, sk: shadow.shadowId, rate: shadow.rate, shadowCreatedAtMs: shadow.createdAtMs },
    condition: {
      text: 'attribute_not_exists(#c_rate) OR #c_rate <> :c_rate OR attribute_not_exists(#c_created) OR #c_created < :c_created',
      names: { '#c_rate': 'rate', '#c_created': 'shadowCreatedAtMs' },
      values: { ':c_rate': shadow.rate, ':c_created': shadow.createdAtMs },
    },
  };
}

/**
 * One UpdateItem with ADD for the counters and every non-empty histogram bucket, so concurrent samples of
 * the same shadow never lose an update. Conditional on the stats' rate (a sample at another rate, or for
 * deleted stats, is refused) and, when the sample carries sequence numbers, on the high-water mark being
 * below its first record; the mark moves to its last record in the same write. The mark is stored twice:
 * as given (`highWaterSequenceNumber`) and fixed-width (`highWaterKey`) for the condition's string order.
 */
export function sampleUpdate(shadow: ShadowPartition, sample: ShadowSample): { expression: Expression; condition: Expression } {
  const add: Record<string, number> = { records: sample.records, busyMs: sample.busyMs, busyMsSquared: sample.busyMsSquared };
  // Every sample adds its Kinesis records, its own count when it packs none (so the ratio stays right).
  add.kinesisRecords = sample.kinesisRecords ?? sample.records;
  if ((sample.histogram.unplaced ?? 0) > 0) add.unplaced = sample.histogram.unplaced!;
  sample.histogram.buckets.forEach((bucket, i) => {
    if (bucket.records !== 0) add[bucketAttribute(i, 'records')] = bucket.records;
    if (bucket.costMs !== 0) add[bucketAttribute(i, 'cost')] = bucket.costMs;
  });
  const { firstSequenceNumber: first, lastSequenceNumber: last } = sample;
  const marked = first !== undefined && last !== undefined;
  const highWater = marked ? { highWaterSequenceNumber: last, highWaterKey: sequenceSortKey(last) } : {};
  return {
    expression: update({
      set: { shadowId: shadow.shadowId, shardId: shadow.shardId, workerId: shadow.workerId, rate: shadow.rate, toMs: sample.atMs, buckets: sample.histogram.buckets.length, ...highWater },
      setIfAbsent: { fromMs: sample.atMs },
      add,
    }),
    condition: marked ? and(rateIs(shadow.rate), highWaterBelow(sequenceSortKey(first))) : rateIs(shadow.rate),
  };
}
