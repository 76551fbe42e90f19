import { describe, expect, it } from 'vitest';
import { evenRanges } from '../../core/model/hash-key.js';
import type { PartitionMetadata } from '../../core/model/partition.js';
import type { ShadowStats } from '../../core/model/metrics.js';
import type { ProducerStats } from '../../local/load/producer.js';
import { RunState, shadowPrediction, type Snapshot } from '../../local/run-state.js';
import { TelemetryTap } from '../../local/telemetry-tap.js';

const partition = (shardId: string, ownerWorkerId: string, i = 0): PartitionMetadata => ({
  shardId,
  hashKeyRange: evenRanges(2)[i]!,
  parentShardIds: [],
  state: 'OPEN',
  ownerWorkerId,
  epoch: 1,
  ingestRecordsPerSec: 0,
  ingestBytesPerSec: 0,
  utilization: 0,
  utilizationTrendPerSec: 0,
});

const producer = (accepted: number): ProducerStats => ({ generated: accepted, accepted, throttled: 0, retries: 0, expired: 0, putCalls: 0, putErrors: 0, queued: 0, inFlight: 0 });

/** A run of two shards on one worker, sampled once a second; `busyPerSec` is shard s0's owner busy ms per second. */
function runWith(busyPerSec: number, seconds: number): RunState {
  const tap = new TelemetryTap(() => 0);
  const state = new RunState({ scenario: 's', policy: 'spm', durationSec: 60, timeScale: 10, overloadIteratorAgeMs: 5000 }, tap);
  state.start(0);
  const partitions = [partition('s0', 'w1', 0), partition('s1', 'w1', 1)];
  const workers = [{ workerId: 'w1', workerClass: 'std', speed: 1, memoryMb: 1024, slots: 2, utilization: 0, predictedCapacity: 1 }];
  for (let t = 0; t <= seconds; t++) {
    if (t > 0) {
      tap.workerBatch({ shardId: 's0', workerId: 'w1', mode: 'primary', records: 10, busyMs: busyPerSec, cpuMs: 0, failed: 0, deadLettered: 0, skippedDuplicates: 0, discardedOutputs: 0, discardedStateWrites: 0 });
      tap.dispatch({ shardId: 's0', records: 10, bytes: 100, iteratorAgeMs: 700, heldMs: 0, held: false, invokeMs: 1, staleEpochRetries: 0, failedRecords: 0, shadowRecords: 0, shadowErrors: 0 });
    }
    const snapshot: Snapshot = { atMs: t * 1000, partitions, workers, shadows: [], shadowStats: [], producer: producer(t * 10), acceptedByShard: new Map([['s0', t * 10]]) };
    state.sample(snapshot);
  }
  return state;
}

describe('the live run state', () => {
  it("turns the tap's counters into per-second rates and utilizations for the dashboard", () => {
    const d = runWith(400, 5).dashboard(5000);
    const s0 = d.shards.find((s) => s.shardId === 's0')!;
    expect(s0).toMatchObject({ ownerWorkerId: 'w1', ingestRecordsPerSec: 10, utilization: 0.4, iteratorAgeMs: 700, rangeFrom: 0, rangeTo: 0.5 });
    expect(d.workers[0]).toMatchObject({ workerId: 'w1', utilization: 0.2, shardIds: ['s0', 's1'] });
    expect(d.series).toHaveLength(5);
    expect(d.series.at(-1)).toMatchObject({ producedPerSec: 10, appliedPerSec: 10 });
    expect(d.totals).toMatchObject({ produced: 50, applied: 50 });
  });

  it.each([
    [400, 0, undefined],
    // Judged over a window of at least 2.5 s, so the first three samples cannot count yet.
    [990, 7, 4],
  ])('counts a shard busy %d ms a second as overloaded for %d wall seconds, first at %s s', (busy, seconds, first) => {
    const state = runWith(busy, 10);
    expect(Math.round(state.overloadWallSec)).toBe(seconds);
    expect(state.firstOverloadAtSec.get('s0')).toBe(first);
  });
});

describe('the shadow prediction shown live', () => {
  it('scales the sampled busy time by 1/r over the window', () => {
    const stats: ShadowStats = { shadowId: 'x', shardId: 's0', workerId: 'w2', rate: 0.05, fromMs: 0, toMs: 10_000, records: 50, busyMs: 250, busyMsSquared: 0, histogram: { buckets: [] } };
    expect(shadowPrediction(stats)).toBeCloseTo(0.5, 9);
  });
});
