import { describe, expect, it } from 'vitest';
import { ProgressWriter } from '../../app/dispatch/progress-writer.js';
import type { PartitionMetadata } from '../../core/model/index.js';
import type { ShardProgress, WireRecord } from '../../core/ports/index.js';
import { partition, wireRecord } from './factories.js';

const SHARD = 'shardId-000000000000';

/** A writer on a hand-moved clock, and the progress it wrote. */
function setup() {
  let now = 1_000_000;
  const writes: ShardProgress[] = [];
  const writer = new ProgressWriter({ putShardProgress: async (p) => void writes.push(p) }, { nowMs: () => now }, { progressIntervalMs: 10_000, fullBatchRecords: 100, claimedWindowMs: 120_000 });
  let seq = 0;
  const batch = (size = 100): WireRecord[] => Array.from({ length: size }, () => wireRecord((seq += 1), 'k', { v: 1 }));
  /** One batch `afterMs` after the previous one, fully processed under `placement`. */
  const processed = async (afterMs: number, records: WireRecord[], placement: PartitionMetadata | null = partition({ shardId: SHARD })) => {
    now += afterMs;
    await writer.record(SHARD, records, records.at(-1), placement ?? undefined);
    return records.at(-1)!.sequenceNumber;
  };
  return { writer, writes, batch, processed, now: () => now };
}

describe('shard progress written when needed', () => {
  it('writes the first batch of a shard in an execution environment, then one full batch per interval with the latest progress', async () => {
    const { writes, batch, processed } = setup();
    const first = await processed(0, batch());
    for (let i = 0; i < 48; i += 1) await processed(200, batch());
    const atInterval = await processed(400, batch()); // 10 s after the first write
    expect(writes.map((w) => w.lastSequenceNumber)).toEqual([first, atInterval]);
  });

  it.each([
    ['a batch smaller than a full one (it may be the shard\u2019s last)', 99, partition({ shardId: SHARD })],
    ['every batch of a CLOSED shard (its children may be waiting)', 100, partition({ shardId: SHARD, state: 'CLOSED' })],
    ['every batch of a shard the SPM claimed within the window (a split or merge is coming)', 100, partition({ shardId: SHARD, lastMoveAtMs: 1_000_100 })],
    ['a batch no owner accepted a placement for', 100, null],
  ])('writes at once %s', async (_, size, placement) => {
    const { writes, batch, processed } = setup();
    await processed(0, batch());
    const last = await processed(200, batch(size), placement);
    expect(writes.at(-1)?.lastSequenceNumber).toBe(last);
  });

  it('does not write a full batch of an open shard claimed longer ago than the window', async () => {
    const { writes, batch, processed } = setup();
    await processed(0, batch());
    await processed(200, batch(), partition({ shardId: SHARD, lastMoveAtMs: 1_000_000 - 120_000 }));
    expect(writes).toHaveLength(1);
  });

  it('flushes the unwritten progress of a parent when a child of it waits in the same environment', async () => {
    const { writer, writes, batch, processed } = setup();
    await processed(0, batch());
    const last = await processed(200, batch());
    expect(writes).toHaveLength(1);
    await writer.flush([SHARD, 'shardId-000000000009']);
    expect(writes.map((w) => w.lastSequenceNumber).at(-1)).toBe(last);
    await writer.flush([SHARD]);
    expect(writes).toHaveLength(2);
  });

  it('writes nothing for a batch whose first record failed when nothing is pending', async () => {
    const { writer, writes, batch } = setup();
    await writer.record(SHARD, batch(99), undefined, partition({ shardId: SHARD }));
    expect(writes).toEqual([]);
  });
});
