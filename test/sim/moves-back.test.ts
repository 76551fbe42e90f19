import { describe, expect, it } from 'vitest';
import { MovesBack } from '../../sim/report/moves-back.js';
import { Simulation } from '../../sim/engine/engine.js';
import { scenario } from './factories.js';

const COOLDOWN_MS = 600_000;

describe('moves back within the cooldown (ping-pong)', () => {
  it('counts a shard taken back to the worker it left within the cooldown, and nothing else', () => {
    const m = new MovesBack();
    expect(m.note('s0', 'w1', 'w2', 0, COOLDOWN_MS)).toBe(false);
    expect(m.note('s1', 'w1', 'w3', 0, COOLDOWN_MS)).toBe(false);
    expect(m.note('s0', 'w2', 'w1', 599_999, COOLDOWN_MS)).toBe(true); // back to w1 within 10 min
    expect(m.note('s0', 'w1', 'w3', 600_000, COOLDOWN_MS)).toBe(false); // onwards, not back
    expect(m.note('s1', 'w3', 'w1', 600_000, COOLDOWN_MS)).toBe(false); // back, but after the cooldown
    expect(m.count).toBe(1);
  });

  it('shows in the simulator\u2019s report when moves are applied back and forth', () => {
    const sim = new Simulation({ scenario: scenario({ durationMin: 2 }), seed: 1 });
    const shard = [...sim.shards.values()][0]!;
    const home = shard.owner;
    const away = sim.workers.find((w) => w.id !== home)!.id;
    sim.apply({ type: 'move', shardId: shard.id, fromWorkerId: home, toWorkerId: away, expectedEpoch: shard.epoch, reason: 'test' });
    sim.advance(5_000);
    sim.apply({ type: 'move', shardId: shard.id, fromWorkerId: away, toWorkerId: home, expectedEpoch: shard.epoch, reason: 'test' });
    expect(sim.stats.movesBack.count).toBe(1);
  });
});
