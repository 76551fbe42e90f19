import { describe, expect, it } from 'vitest';
import { curveAt } from '../../sim/scenario/curves.js';
import { builtinScenarioNames, loadScenario, parseScenario } from '../../sim/scenario/load.js';
import { buildWorld, shardLoadAt } from '../../sim/scenario/world.js';
import { md5HashKey } from '../../sim/scenario/keys.js';
import type { Curve } from '../../sim/scenario/schema.js';
import { rangeContains } from '../../core/model/hash-key.js';
import { scenarioInput } from './factories.js';

describe('scenario curves', () => {
  it.each<[Curve, number, number]>([
    [{ kind: 'constant', value: 7 }, 30, 7],
    [{ kind: 'step', from: 1, to: 6, atMin: 10 }, 9.99, 1],
    [{ kind: 'step', from: 1, to: 6, atMin: 10 }, 10, 6],
    [{ kind: 'ramp', from: 100, to: 500, startMin: 10, endMin: 30 }, 20, 300],
    [{ kind: 'ramp', from: 100, to: 500, startMin: 10, endMin: 30 }, 45, 500],
    [{ kind: 'diurnal', mean: 100, amplitude: 0.5, periodMin: 120, peakAtMin: 60 }, 60, 150],
    [{ kind: 'diurnal', mean: 100, amplitude: 0.5, periodMin: 120, peakAtMin: 60 }, 0, 50],
    [{ kind: 'points', points: [{ atMin: 0, value: 10 }, { atMin: 10, value: 30 }, { atMin: 20, value: 0 }] }, 5, 20],
    [{ kind: 'points', points: [{ atMin: 0, value: 10 }, { atMin: 10, value: 30 }, { atMin: 20, value: 0 }] }, 15, 15],
    [{ kind: 'points', points: [{ atMin: 5, value: 10 }] }, 50, 10],
  ])('%j at minute %d is %d', (curve, minute, expected) => {
    expect(curveAt(curve, minute * 60_000)).toBeCloseTo(expected, 9);
  });
});

describe('built-in scenarios', () => {
  const ISSUE_2 = ['cost-shift', 'diurnal-skew', 'flash-crowd', 'hot-key', 'hot-shift', 'worker-degrades'];

  it('are the six scenarios of issue #2 and the three of issue #10', () => {
    expect(builtinScenarioNames()).toEqual([...ISSUE_2, 'diurnal-night', 'kcl-regime', 'stream-growth'].sort());
  });

  it.each(ISSUE_2)('%s has at least 8 shards, 3 worker classes of unequal speed and an hour on aws', (name) => {
    const s = loadScenario(name);
    expect(s.shards.count).toBeGreaterThanOrEqual(8);
    expect(new Set(s.workers.map((w) => w.speed)).size).toBeGreaterThanOrEqual(3);
    expect(s.durationMin).toBeGreaterThanOrEqual(60);
    expect(s.profile).toBe('aws');
  });

  it("kcl-regime is KCL's regime: at least 32 shards, at least 5 per worker, identical workers, a gradual hot spot", () => {
    const s = loadScenario('kcl-regime');
    const workers = s.workers.reduce((a, w) => a + w.count, 0);
    expect(s.shards.count).toBeGreaterThanOrEqual(32);
    expect(s.shards.count / workers).toBeGreaterThanOrEqual(5);
    expect(s.workers).toHaveLength(1);
    expect(s.category).toBe('gradual');
    expect(s.shards.overrides.every((o) => o.rate?.kind === 'ramp')).toBe(true);
  });

  it('stream-growth takes every shard past its 1,000 records/s write limit', () => {
    const s = loadScenario('stream-growth');
    expect(s.shards.rate).toMatchObject({ kind: 'ramp', to: 1400 });
    expect(s.shards.overrides).toEqual([]);
  });

  it('diurnal-night is a real day whose night low is under a quarter of the write capacity', () => {
    const s = loadScenario('diurnal-night');
    expect(s.durationMin).toBe(1440);
    expect(s.shards.rate).toMatchObject({ kind: 'diurnal', periodMin: 1440 });
    const r = s.shards.rate as { mean: number; amplitude: number };
    expect(r.mean * (1 - r.amplitude)).toBeLessThan(250);
  });
});

describe('scenario validation', () => {
  it.each([
    [{ durationMin: 0 }, 'scenario.durationMin must be a number greater than 0 (given 0)'],
    [{ profile: 'gcp' }, 'scenario.profile must be one of "aws", "local" (given "gcp")'],
    [{ workers: [] }, 'scenario.workers must be a list of length at least 1 (given [])'],
    [{ workers: [{ class: 'small', count: 1, speed: 1, slots: 0, memoryMb: 512 }] }, 'scenario.workers[0].slots must be a number at least 1 (given 0)'],
    [{ workers: [{ class: 'small', count: 1, speed: 1, slots: 1, shadowSlots: 0, memoryMb: 512 }] }, 'scenario.workers[0].shadowSlots must be a number at least 1 (given 0)'],
    [{ workers: [{ class: 'small', count: 1, speed: 1, slots: 1, shadowSlots: 1.5, memoryMb: 512 }] }, 'scenario.workers[0].shadowSlots must be of type int (given 1.5)'],
    [{ shards: { count: 4, rate: { kind: 'sawtooth' }, cost: { kind: 'constant', value: 1 } } }, 'scenario.shards.rate.kind must be one of "constant", "points", "ramp", "step", "diurnal" (given "sawtooth")'],
    [{ shards: { count: 4, rate: { kind: 'constant', value: 1 }, cost: { kind: 'constant', value: 1 }, overrides: [{ shard: 9 }] } }, 'scenario.shards.overrides[0].shard must be an integer between 0 and 3 (given 9)'],
    [{ events: [{ kind: 'worker-slowdown', atMin: 1, workerClass: 'tiny', factor: 3 }] }, 'scenario.events[0].workerClass must be one of small, medium, large (given "tiny")'],
    [{ config: { spm: { hotThreshold: 0 } } }, 'scenario.config.spm.hotThreshold must be a number greater than 0 (given 0)'],
    [{ colour: 'red' }, 'scenario must be free of unknown keys (unknown: colour)'],
  ])('%j is rejected with a one-line message naming the field', (override, message) => {
    const input = { ...scenarioInput(), ...override };
    expect(() => parseScenario(input)).toThrow(message);
  });

  it('gives every worker class one shadow slot unless it says otherwise', () => {
    const s = parseScenario(scenarioInput({ workers: [{ class: 'small', count: 1, speed: 1, slots: 2, memoryMb: 512 }, { class: 'large', count: 1, speed: 2, slots: 2, shadowSlots: 3, memoryMb: 2048 }] }));
    expect(s.workers.map((w) => w.shadowSlots)).toEqual([1, 3]);
  });

  it('names a missing scenario file and lists the built-ins', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/--scenario must be a built-in scenario \(cost-shift, .*\) or an existing \.yaml\/\.json file \(given "no-such-scenario"\)/);
  });
});

describe('scenario world', () => {
  const s = parseScenario(scenarioInput({ events: [{ kind: 'hot-key', atMin: 5, shard: 1, recordsPerSec: 400 }] }));
  const world = buildWorld(s, 7);

  it('gives every region a pool of keys whose MD5 hash keys lie in its range', () => {
    world.pools.forEach((pool, region) => {
      expect(pool).toHaveLength(16);
      for (const k of pool) {
        expect(md5HashKey(k.partitionKey)).toBe(k.hashKey);
        expect(rangeContains(world.regionRanges[region]!, k.hashKey)).toBe(true);
      }
    });
  });

  it('adds a hot key to its region from its start time on', () => {
    expect(shardLoadAt(world, 1, 4 * 60_000).recordsPerSec).toBeCloseTo(100);
    const after = shardLoadAt(world, 1, 6 * 60_000);
    expect(after.recordsPerSec).toBeCloseTo(500);
    expect(Math.max(...after.keys.map((k) => k.recordsPerSec))).toBeCloseTo(400);
    expect(shardLoadAt(world, 0, 6 * 60_000).recordsPerSec).toBeCloseTo(100);
  });
});
