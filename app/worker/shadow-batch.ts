import type { ShadowPartition } from '../../core/model/index.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import type { Processor } from '../../processor/api.js';
import { hashKeyOf } from '../sequence.js';
import type { WorkerBatchFigures } from '../telemetry.js';
import { collectingContext, groupByKey, startSpan, toProcessorRecord } from './context.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * Runs a sampled batch as a shadow: a dry run. The processor runs exactly as in primary mode (it reads the
 * key's real state, so its cost is realistic) but its outputs and state writes are counted and dropped; a
 * failing record is counted, never retried or dead-lettered. What it keeps is the measurement: busy ms per
 * record (wall time of `process`, plus its share of the key's state read) summed with its square, and spread over the shard's hash-key range, added to the shadow's
 * stats in the metadata store. A shadow that no longer exists (dropped or promoted) measures nothing.
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
  let busyMs = 0;
  let busyMsSquared = 0;
  /** CPU of the records' processing alone (the batch's CPU also holds the metadata calls). */
  let cpuMs = 0;
  let failed = 0;
  let discardedOutputs = 0;
  let discardedStateWrites = 0;
  const histogram = emptyHistogram(deps.histogramBuckets);
  const range = parseRange(request);

  if (shadow) {
    for (const [key, group] of groupByKey(request.records)) {
      // The state read is part of the cost the owner would pay: spread it over the key's records.
      const readSpan = startSpan();
      let value = (await deps.state.get(key))?.value as S | undefined;
      const readShareMs = readSpan().wallMs / group.length;
      for (const record of group) {
        const recordSpan = startSpan();
        const collecting = collectingContext<S>({ mode: 'shadow', shardId: request.shardId, workerId: deps.workerId, record, stateBefore: value, speed: deps.speed });
        try {
          await processor.process(toProcessorRecord(request.shardId, record), collecting.ctx);
          const state = collecting.state();
          value = state.value;
          if (state.written) discardedStateWrites += 1;
          discardedOutputs += collecting.outputs().length;
        } catch {
          failed += 1;
        }
        const spent = recordSpan();
        const cost = spent.wallMs + readShareMs;
        cpuMs += spent.cpuMs;
        records += 1;
        busyMs += cost;
        busyMsSquared += cost * cost;
        if (range) addToHistogram(histogram, range, hashKeyOf(record.partitionKey), cost);
      }
    }
    if (records > 0) await deps.metadata.recordShadowSample(shadow, { records, busyMs, busyMsSquared, histogram: { buckets: histogram }, atMs: deps.clock.nowMs() });
  }

  const timing = span();
  return {
    response: { batchItemFailures: [], processed: records, busyMs: timing.wallMs },
    figures: {
      shardId: request.shardId,
      workerId: deps.workerId,
      mode: 'shadow',
      records,
      busyMs: timing.wallMs,
      cpuMs,
      failed,
      deadLettered: 0,
      skippedDuplicates: 0,
      discardedOutputs,
      discardedStateWrites,
    },
  };
}

type Buckets = { records: number; costMs: number }[];

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
