import { describe, expect, it } from 'vitest';
import { LoadRecorder } from '../../app/dispatch/load-recorder.js';
import type { ShardLoadPoint, WireRecord } from '../../core/ports/index.js';
import { wireRecord } from './factories.js';

const A = 'shardId-000000000000';
const B = 'shardId-000000000001';
const MINUTE = 60_000;

/** A recorder on a hand-moved clock, the points it added, and a switch that makes the store fail. */
function setup(startMs = 10 * MINUTE) {
  let now = startMs;
  let failing = false;
  const added: ShardLoadPoint[] = [];
  const recorder = new LoadRecorder(
    {
      addShardLoad: async (points) => {
        if (failing) throw new Error('ProvisionedThroughputExceededException');
        added.push(...points);
      },
    },
    { nowMs: () => now },
    { loadFlushIntervalMs: 30_000 },
  );
  let seq = 0;
  const records = (n: number, arrivalMs = now): WireRecord[] => Array.from({ length: n }, () => ({ ...wireRecord((seq += 1), 'k', { v: 1 }), approximateArrivalMs: arrivalMs }));
  const total = (shardId: string, field: keyof Omit<ShardLoadPoint, 'shardId' | 'atMs'>, atMs?: number) =>
    added.filter((p) => p.shardId === shardId && (atMs === undefined || p.atMs === atMs)).reduce((s, p) => s + p[field], 0);
  return {
    recorder,
    added,
    records,
    total,
    advance: (ms: number) => void (now += ms),
    fail: (on: boolean) => void (failing = on),
  };
}

describe('LoadRecorder: each shard\u2019s load per minute for the SPM', () => {
  it('writes at once the first time, then not again within the interval, then everything held', async () => {
    const { recorder, added, records, total, advance } = setup();
    recorder.note(A, records(100), 100, 50);
    await recorder.flushDue();
    expect(added).toHaveLength(1);
    for (let i = 0; i < 10; i += 1) {
      advance(2_000);
      recorder.note(A, records(100), 100, 50);
      await recorder.flushDue();
    }
    expect(added).toHaveLength(1);
    advance(10_000); // 30 s after the first write
    recorder.note(A, records(100), 100, 50);
    await recorder.flushDue();
    expect(total(A, 'incomingRecords')).toBe(1_200);
    expect(total(A, 'processedRecords')).toBe(1_200);
    expect(total(A, 'busyMs')).toBe(600);
    expect(total(A, 'incomingBytes')).toBe(1_200 * (Math.floor((records(1)[0]!.data.length * 3) / 4) + 1));
  });

  it('counts a batch in the minute the owner answered, so a lagging shard reads as saturated rather than idle', async () => {
    const { recorder, records, total, advance } = setup(11 * MINUTE + 5_000);
    recorder.note(A, records(40, 5 * MINUTE), 40, 80); // records six minutes old
    advance(60_000);
    await recorder.flushDue();
    expect(total(A, 'incomingRecords', 5 * MINUTE)).toBe(0);
    expect([total(A, 'incomingRecords', 11 * MINUTE), total(A, 'processedRecords', 11 * MINUTE), total(A, 'busyMs', 11 * MINUTE)]).toEqual([40, 40, 80]);
  });

  it('adds up the ages of the records it counts, at the answer, once per record', async () => {
    const { recorder, records, total } = setup(11 * MINUTE);
    const batch = records(10, 11 * MINUTE - 4_000); // 4 s old
    recorder.note(A, batch, 10, 5);
    recorder.note(A, batch, 10, 5); // delivered again: its ages are not counted twice
    recorder.note(A, records(5, 11 * MINUTE - 1_000), 5, 1);
    await recorder.flushDue();
    expect(total(A, 'ageMsSum')).toBe(10 * 4_000 + 5 * 1_000);
  });

  it('writes soon after a minute ends, not every batch of a shard that lags behind', async () => {
    const { recorder, added, records, advance } = setup(10 * MINUTE);
    recorder.note(A, records(100), 100, 10);
    await recorder.flushDue();
    advance(58_000);
    recorder.note(A, records(100, 5 * MINUTE), 100, 10); // records five minutes old: a lagging shard
    await recorder.flushDue(); // past the 30 s interval: written
    const afterInterval = added.length;
    advance(1_000);
    recorder.note(A, records(100, 5 * MINUTE), 100, 10);
    await recorder.flushDue(); // 1 s later, same minute: held
    expect(added.length).toBe(afterInterval);
    advance(2_000); // minute 11 begins
    recorder.note(A, records(100, 5 * MINUTE), 100, 10);
    await recorder.flushDue();
    expect(added.length).toBeGreaterThan(afterInterval);
  });

  it('counts a record delivered again (an ESM retry) once', async () => {
    const { recorder, records, total } = setup();
    const batch = records(10);
    recorder.note(A, batch, 4, 4);
    recorder.note(A, batch.slice(4), 6, 6);
    await recorder.flushDue();
    expect(total(A, 'incomingRecords')).toBe(10);
    expect(total(A, 'processedRecords')).toBe(10);
  });

  it('keeps the shards apart', async () => {
    const { recorder, records, total } = setup();
    recorder.note(A, records(10), 10, 1);
    recorder.note(B, records(3), 3, 9);
    await recorder.flushDue();
    expect([total(A, 'incomingRecords'), total(B, 'incomingRecords'), total(B, 'busyMs')]).toEqual([10, 3, 9]);
  });

  it('never fails the batch when the write fails, and writes what it held with the next write', async () => {
    const { recorder, added, records, total, advance, fail } = setup();
    fail(true);
    recorder.note(A, records(10), 10, 5);
    await expect(recorder.flushDue()).resolves.toBeUndefined();
    expect(added).toHaveLength(0);
    fail(false);
    advance(30_000);
    recorder.note(A, records(7), 7, 2);
    await recorder.flushDue();
    expect(total(A, 'incomingRecords')).toBe(17);
    expect(total(A, 'busyMs')).toBe(7);
  });
});
