import type { ShadowPartition } from '../../core/model/index.js';
import type { ShadowSample, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import type { Processor } from '../../processor/api.js';
import { compareSequence } from '../sequence.js';
import type { WorkerBatchFigures } from '../telemetry.js';
import { collectingContext, groupByKey, startSpan, toProcessorRecord } from './context.js';
import { toUserRecords } from './user-records.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * Runs a sampled batch as a shadow: a dry run. The processor runs exactly as in primary mode (it reads the
 * key's real state, so its cost is realistic) but its outputs and state writes are counted and dropped; a
 * failing record is counted, never retried or dead-lettered. What it keeps is the measurement: busy ms per
 * record (wall time of `process`, plus its share of the key's state read) summed with its square, and spread over the shard's hash-key range, added to the shadow's
 * stats in the metadata store. A shadow that no longer exists (dropped or promoted) measures nothing.
 *
 * A retried batch is cloned to the shadow again, and the batch most likely retried is a slow one (it failed
 * or timed out): counting it twice would bias the cost upwards. So the stats keep a high-water sequence
 * number and a batch adds only its records above it, moving it in the same conditional write (see
 * `recordShadowSample`); records at or below it are counted as skipped duplicates instead. Shadow
 * invocations are asynchronous and may run out of order: a batch whose write comes after a later batch's is
 * then dropped too. That is accepted: the stats are a sample, and a reordering caused by the async queue is
 * independent of cost, so it only makes the sample smaller. One reordering is not: when batches of the same
 * shadow run at the same time, a slow one finishes (and writes) after a faster later one and is dropped, a
 * bias against slow batches. Consecutive batches of a shard rarely overlap on the shadow (the next clone
 * is sent only after the owner processed the whole batch, and the shadow processes a sample of it);
 * `skippedDuplicates` in the worker's figures shows how much is dropped.
 *
 * KPL aggregates are measured per user record (`records`, the cost sums and the histogram count user
 * records), each placed in the histogram at its Kinesis record's routing hash key (`UserRecord.routingHashKey`):
 * a split moves whole Kinesis records, so that is where their cost goes. The high-water mark stays a Kinesis
 * sequence number: an aggregate is never split across batches.
 */
export async function runShadowBatch<S>(
  processor: Processor<S>,
  request: WorkerRequest,
  deps: WorkerDeps,
  findShadow: (shadowId: string) => Promise<ShadowPartition | undefined>,
): Promise<{ response: WorkerResponse; figures: WorkerBatchFigures }> {
  const span = startSpan();
  const shadow = request.shadowId === undefined ? undefined : await findShadow(request.shadowId);
  let records = 0;
  /** CPU of the records' processing alone (the batch's CPU also holds the metadata calls). */
  let cpuMs = 0;
  let failed = 0;
  let discardedOutputs = 0;
  let discardedStateWrites = 0;
  let skippedDuplicates = 0;
  const measured: Measured[] = [];
  const range = parseRange(request);

  if (shadow) {
    for (const [key, group] of groupByKey(toUserRecords(request.records))) {
      // The state read is part of the cost the owner would pay: spread it over the key's records.
      const readSpan = startSpan();
      let value = (await deps.state.get(key))?.value as S | undefined;
      const readShareMs = readSpan().wallMs / group.length;
      for (const record of group) {
        const recordSpan = startSpan();
        const collecting = collectingContext<S>({ mode: 'shadow', shardId: request.shardId, workerId: deps.workerId, record, stateBefore: value, speed: deps.speed });
        try {
          if (record.undecodable !== undefined) throw new Error(record.undecodable);
          await processor.process(toProcessorRecord(request.shardId, record), collecting.ctx);
          const state = collecting.state();
          value = state.value;
          if (state.written) discardedStateWrites += 1;
          discardedOutputs += collecting.outputs().length;
        } catch {
          failed += 1;
        }
        const spent = recordSpan();
        cpuMs += spent.cpuMs;
        records += 1;
        // The load lands where Kinesis routes the record: an aggregate's user records all go with it.
        measured.push({ sequenceNumber: record.sequenceNumber, costMs: spent.wallMs + readShareMs, hashKey: range ? record.routingHashKey : undefined });
      }
    }
    skippedDuplicates = await recordAboveHighWater(deps, shadow, measured, range);
  }

  return shadowOutcome(request, deps, span(), { records, cpuMs, failed, skippedDuplicates, discardedOutputs, discardedStateWrites });
}

/** A shadow batch's answer (never a failure: a shadow hands nothing back) and its figures. */
export function shadowOutcome(
  request: WorkerRequest,
  deps: WorkerDeps,
  timing: { wallMs: number },
  counts: { records: number; cpuMs: number; failed: number; skippedDuplicates: number; discardedOutputs: number; discardedStateWrites: number },
): { response: WorkerResponse; figures: WorkerBatchFigures } {
  return {
    response: { batchItemFailures: [], processed: counts.records, busyMs: timing.wallMs },
    figures: { shardId: request.shardId, workerId: deps.workerId, mode: 'shadow', busyMs: timing.wallMs, deadLettered: 0, ...counts },
  };
}

type Buckets = { records: number; costMs: number }[];

/** One measured record: its Kinesis sequence number (the high-water mark's unit), cost and histogram key. */
export interface Measured {
  readonly sequenceNumber: string;
  readonly costMs: number;
  readonly hashKey: bigint | undefined;
}

/** Tries of `recordAboveHighWater` when other batches of the same shadow keep moving the mark meanwhile. */
const HIGH_WATER_ATTEMPTS = 3;

/**
 * Adds the records above the shadow's high-water mark to its stats. The first write assumes the whole batch
 * is new; if the store answers that the mark is at or above the batch's first record, the records above the
 * mark it returned are written instead. Returns how many measured records were not added because they were
 * counted already (or because the mark kept moving for every attempt). A dropped sample (shadow gone or
 * re-rated) skips nothing: it simply measures nothing, as before.
 */
export async function recordAboveHighWater(deps: WorkerDeps, shadow: ShadowPartition, measured: readonly Measured[], range: { start: bigint; end: bigint } | undefined): Promise<number> {
  let mark: string | undefined;
  for (let attempt = 0; attempt < HIGH_WATER_ATTEMPTS; attempt += 1) {
    const above = mark === undefined ? measured : measured.filter((m) => compareSequence(m.sequenceNumber, mark!) > 0);
    if (above.length === 0) return measured.length;
    const outcome = await deps.metadata.recordShadowSample(shadow, sampleOf(above, deps.histogramBuckets, range, deps.clock.nowMs()));
    if (outcome.added) return measured.length - above.length;
    if (outcome.reason === 'dropped') return 0;
    mark = outcome.highWaterSequenceNumber;
  }
  return measured.length;
}

function sampleOf(records: readonly Measured[], buckets: number, range: { start: bigint; end: bigint } | undefined, atMs: number): ShadowSample {
  const histogram = emptyHistogram(buckets);
  let busyMs = 0;
  let busyMsSquared = 0;
  let first = records[0]!.sequenceNumber;
  let last = first;
  const kinesisRecords = new Set<string>();
  let unplaced = 0;
  for (const record of records) {
    kinesisRecords.add(record.sequenceNumber);
    busyMs += record.costMs;
    busyMsSquared += record.costMs * record.costMs;
    if (range && record.hashKey !== undefined) {
      // A key outside the range was routed by an explicit hash key the event does not show: no bucket is right.
      if (record.hashKey < range.start || record.hashKey > range.end) unplaced += 1;
      else addToHistogram(histogram, range, record.hashKey, record.costMs);
    }
    if (compareSequence(record.sequenceNumber, first) < 0) first = record.sequenceNumber;
    if (compareSequence(record.sequenceNumber, last) > 0) last = record.sequenceNumber;
  }
  return {
    records: records.length,
    ...(kinesisRecords.size !== records.length ? { kinesisRecords: kinesisRecords.size } : {}),
    busyMs,
    busyMsSquared,
    histogram: { buckets: histogram, ...(unplaced > 0 ? { unplaced } : {}) },
    atMs,
    firstSequenceNumber: first,
    lastSequenceNumber: last,
  };
}

function emptyHistogram(count: number): Buckets {
  return Array.from({ length: count }, () => ({ records: 0, costMs: 0 }));
}

function parseRange(request: WorkerRequest): { start: bigint; end: bigint } | undefined {
  if (request.hashKeyStart === undefined || request.hashKeyEnd === undefined) return undefined;
  return { start: BigInt(request.hashKeyStart), end: BigInt(request.hashKeyEnd) };
}

/** Equal-width buckets over [start, end]; a key outside the range (a stale range) goes to the nearest edge. */
export function addToHistogram(buckets: Buckets, range: { start: bigint; end: bigint }, key: bigint, costMs: number): void {
  const width = range.end - range.start + 1n;
  const clamped = key < range.start ? range.start : key > range.end ? range.end : key;
  const index = Number(((clamped - range.start) * BigInt(buckets.length)) / width);
  const bucket = buckets[Math.min(index, buckets.length - 1)];
  if (!bucket) return;
  bucket.records += 1;
  bucket.costMs += costMs;
}
