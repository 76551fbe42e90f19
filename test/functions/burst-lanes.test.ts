import { describe, expect, it } from 'vitest';
import { laneOf } from '../../app/dispatch/burst-lanes.js';
import { createDispatcher } from '../../app/dispatch/dispatcher.js';
import { hashKeyOf } from '../../app/sequence.js';
import type { DispatchFigures } from '../../app/telemetry.js';
import { parseConfig } from '../../core/config/index.js';
import type { InvokeFailure, Outcome, WireRecord, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/index.js';
import { FakeMetadata, partition, wireRecord } from './factories.js';

type Answer = (workerId: string, request: WorkerRequest) => Outcome<WorkerResponse, InvokeFailure>;

const SHARD = 'shardId-000000000000';
const done: Answer = (_w, r) => ok({ batchItemFailures: [], processed: r.records.length, busyMs: r.records.length });

/** w1 owns the shard (speed 1); w2 (speed 2) and w3 (speed 0.5) are the other classes. The clock stands at 100 s. */
function setup(answer: Answer = done, lanes = parseConfig({}).lanes) {
  const calls: { workerId: string; request: WorkerRequest }[] = [];
  const figures: DispatchFigures[] = [];
  let now = 100_000;
  const dispatcher = createDispatcher(
    {
      metadata: new FakeMetadata(partition()),
      stream: { isDrained: async () => true },
      invoker: {
        invoke: async (workerId, request) => (calls.push({ workerId, request }), answer(workerId, request)),
        invokeAsync: async () => ok({ calls: 1 }),
      },
      clock: { nowMs: () => now },
      sleep: async (ms) => void (now += ms),
      telemetry: { dispatch: (f) => figures.push(f), workerBatch: () => undefined },
      lanePool: [
        { workerId: 'w1', speed: 1 },
        { workerId: 'w2', speed: 2 },
        { workerId: 'w3', speed: 0.5 },
      ],
    },
    { lanes },
  );
  const batch = (ageMs: number, keys = 40, from = 1) => {
    const records = Array.from({ length: keys }, (_, i): WireRecord => ({ ...wireRecord(from + i, `key-${i}`, { v: i }), approximateArrivalMs: now - ageMs }));
    return { shardId: SHARD, records, bytes: 10 * records.length };
  };
  return { dispatcher, calls, figures, batch, advance: (ms: number) => void (now += ms) };
}

describe('the lane of a record', () => {
  it('puts every record of a key in one lane, spreads keys over every lane, and matches the simulator (hash key % 2520 % lanes)', () => {
    const keys = Array.from({ length: 400 }, (_, i) => `key-${i}`);
    const counts = [0, 0, 0, 0];
    for (const k of keys) counts[laneOf(k, 4)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(70);
    expect(keys.every((k) => laneOf(k, 1) === 0)).toBe(true);
    for (const lanes of [2, 3, 4, 7, 10]) expect(keys.every((k) => laneOf(k, lanes) === Number(hashKeyOf(k) % 2520n) % lanes)).toBe(true);
  });
});

describe('burst lanes in the dispatcher', () => {
  it('sends a batch that keeps up to its owner alone', async () => {
    const { dispatcher, calls, batch } = setup();
    await dispatcher.dispatch(batch(1000));
    expect(calls.map((c) => [c.workerId, c.request.records.length, c.request.laneOf])).toEqual([['w1', 40, undefined]]);
  });

  it('fans a lagging batch out by key, heaviest lane on the fastest class, each lane in order, every key in one lane', async () => {
    const { dispatcher, calls, batch, figures } = setup();
    const b = batch(6000); // 6 s old: 3 lanes
    const result = await dispatcher.dispatch(b);
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.workerId)).toEqual(['w2', 'w1', 'w3']);
    expect(calls[0]!.request.records.length).toBeGreaterThanOrEqual(calls[1]!.request.records.length);
    expect(calls.map((c) => c.request.laneOf)).toEqual(['w1', undefined, 'w1']);
    const seen = calls.flatMap((c) => c.request.records.map((r) => r.sequenceNumber));
    expect(seen.sort()).toEqual(b.records.map((r) => r.sequenceNumber).sort());
    for (const c of calls) {
      const seqs = c.request.records.map((r) => Number(r.sequenceNumber));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(c.request.records.map((r) => laneOf(r.partitionKey, 3))).size).toBe(1);
    }
    expect(figures.at(-1)?.lanes).toBe(3);
  });

  it('returns every lane failure sorted (the mapping resumes at the lowest) and adds busy time in the owner’s time', async () => {
    const answer: Answer = (w, r) => ok({ batchItemFailures: w === 'w3' ? [] : [{ itemIdentifier: r.records.at(-1)!.sequenceNumber }], processed: r.records.length, busyMs: 10 });
    const { dispatcher, calls, batch } = setup(answer);
    const result = await dispatcher.dispatch(batch(6000));
    const expected = calls.filter((c) => c.workerId !== 'w3').map((c) => c.request.records.at(-1)!.sequenceNumber);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([...expected].sort());
  });

  it('runs a lane whose class is throttled on the owner after the others, so nothing goes back for it', async () => {
    const answer: Answer = (w, r) => (w === 'w2' ? failed('throttled', 'all slots busy') : done(w, r));
    const { dispatcher, calls, batch } = setup(answer);
    const result = await dispatcher.dispatch(batch(6000));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls.map((c) => c.workerId)).toEqual(['w2', 'w1', 'w3', 'w1']);
    expect(calls[3]!.request.records).toEqual(calls[0]!.request.records);
    expect(calls[3]!.request.laneOf).toBeUndefined();
  });

  it('treats a lane that crashes as a crash of the batch, and narrows it down in one lane afterwards', async () => {
    let crashOn: string | undefined = 'w2';
    const answer: Answer = (w, r) => (w === crashOn ? failed('function-error', 'boom') : done(w, r));
    const { dispatcher, calls, batch } = setup(answer);
    const first = await dispatcher.dispatch(batch(6000));
    expect(first.batchItemFailures).toHaveLength(40);
    calls.length = 0;
    crashOn = undefined;
    await dispatcher.dispatch(batch(6000));
    // The crash search is on: the first half goes to the owner alone.
    expect(calls.map((c) => [c.workerId, c.request.records.length])).toEqual([['w1', 20]]);
  });

  it('keeps KPL aggregates in one lane: a key’s user records may sit in aggregates of different partition keys', async () => {
    const { dispatcher, calls, batch } = setup();
    const b = batch(6000);
    const aggregate = Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2, 3]).toString('base64');
    await dispatcher.dispatch({ ...b, records: b.records.map((r, i) => (i === 5 ? { ...r, data: aggregate } : r)) });
    expect(calls.map((c) => c.workerId)).toEqual(['w1']);
  });

  it('holds the lanes while the shard needs more than 0.9 of one, and closes them when it fits one again', async () => {
    let busy = 30_000;
    const answer: Answer = (_w, r) => ok({ batchItemFailures: [], processed: r.records.length, busyMs: busy / 3 });
    const { dispatcher, figures, batch, advance } = setup(answer);
    for (let i = 0; i < 4; i++) {
      await dispatcher.dispatch(batch(6000, 40, 1 + 40 * i));
      advance(10_000);
    }
    // Caught up (1 s old) but busy 30 s per 10 s: the lanes stay.
    await dispatcher.dispatch(batch(1000, 40, 200));
    expect(figures.at(-1)?.lanes).toBe(3);
    busy = 1000;
    for (let i = 0; i < 8; i++) {
      advance(10_000);
      await dispatcher.dispatch(batch(1000, 40, 300 + 40 * i));
    }
    expect(figures.at(-1)?.lanes).toBe(1);
  });

  it('has no lanes with lanes.max 1', async () => {
    const { dispatcher, calls, batch } = setup(done, parseConfig({ lanes: { max: 1 } }).lanes);
    await dispatcher.dispatch(batch(60_000));
    expect(calls.map((c) => c.workerId)).toEqual(['w1']);
  });
});
