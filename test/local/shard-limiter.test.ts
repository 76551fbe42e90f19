import { describe, expect, it } from 'vitest';
import { ShardLimiter, scaledLimits } from '../../local/shard-limiter.js';

const accepted = (limiter: ShardLimiter, shardId: string, count: number, bytes: number, atMs: number): number =>
  Array.from({ length: count }, () => limiter.tryAccept(shardId, bytes, atMs)).filter(Boolean).length;

describe('the emulated shard write limit', () => {
  it('scales both Kinesis limits by the factor', () => {
    expect(scaledLimits(0.05)).toEqual({ recordsPerSec: 50, bytesPerSec: 52428.8 });
  });

  it('accepts one second of records and throttles the rest', () => {
    const limiter = new ShardLimiter({ recordsPerSec: 50, bytesPerSec: 1e9 });
    expect(accepted(limiter, 's1', 80, 10, 0)).toBe(50);
  });

  it('throttles on bytes when the records are large', () => {
    const limiter = new ShardLimiter({ recordsPerSec: 1000, bytesPerSec: 1000 });
    expect(accepted(limiter, 's1', 20, 100, 0)).toBe(10);
  });

  it('refills in proportion to elapsed time, capped at one second of capacity', () => {
    const limiter = new ShardLimiter({ recordsPerSec: 50, bytesPerSec: 1e9 });
    accepted(limiter, 's1', 50, 1, 0);
    expect(accepted(limiter, 's1', 50, 1, 200)).toBe(10);
    expect(accepted(limiter, 's1', 100, 1, 10_200)).toBe(50);
  });

  it('keeps shards independent', () => {
    const limiter = new ShardLimiter({ recordsPerSec: 5, bytesPerSec: 1e9 });
    accepted(limiter, 's1', 5, 1, 0);
    expect(accepted(limiter, 's2', 5, 1, 0)).toBe(5);
  });

  it('gives back capacity for a record Kinesis rejected for another reason', () => {
    const limiter = new ShardLimiter({ recordsPerSec: 1, bytesPerSec: 1e9 });
    expect(limiter.tryAccept('s1', 1, 0)).toBe(true);
    limiter.giveBack('s1', 1);
    expect(limiter.tryAccept('s1', 1, 0)).toBe(true);
  });
});
