import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { TrafficPlan } from '../../local/load/traffic.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { buildWorld } from '../../sim/scenario/world.js';

function plan(rateScale: number, seed = 1, overrides: Record<string, unknown> = {}): TrafficPlan {
  const scenario = parseScenario({
    name: 't',
    durationMin: 10,
    rateNoise: 0,
    costCv: 0,
    shards: { count: 2, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 2 }, overrides: [{ shard: 1, rate: { kind: 'step', from: 0, to: 400, atMin: 1 } }] },
    workers: [{ class: 'std', count: 2, speed: 1, slots: 2, memoryMb: 1024 }],
    ...overrides,
  });
  return new TrafficPlan({ world: buildWorld(scenario, 7), random: seededRandom(seed), rateScale });
}

const inRegion = (records: readonly { hashKey: bigint }[], half: 0 | 1): number => records.filter((r) => (r.hashKey >= 1n << 127n ? 1 : 0) === half).length;

describe('the traffic plan', () => {
  it("produces each region's rate times the rate scale", () => {
    const p = plan(0.1);
    const records = Array.from({ length: 10 }, (_, i) => p.step(30_000 + i * 100, 100)).flat();
    // 1 s of wall time: region 0 at 100 rec/s × 0.1, region 1 still at 0 before minute 1.
    expect(inRegion(records, 0)).toBe(10);
    expect(inRegion(records, 1)).toBe(0);
  });

  it('follows the scenario clock: the step curve raises region 1 after its minute', () => {
    const p = plan(0.1);
    const records = Array.from({ length: 10 }, (_, i) => p.step(61_000 + i * 100, 100)).flat();
    expect(inRegion(records, 1)).toBe(40);
  });

  it('divides the per-record cost by the rate scale, so rate × cost stays as in the scenario', () => {
    const records = plan(0.1).step(0, 1000);
    expect(records.every((r) => Math.abs(r.costMs - 20) < 1e-9)).toBe(true);
  });

  it('numbers records uniquely and pads them to the scenario record size', () => {
    const records = plan(0.5, 1, { recordSizeBytes: 300 }).step(0, 1000);
    expect(new Set(records.map((r) => r.v)).size).toBe(records.length);
    expect(records.every((r) => Math.abs(r.bytes - 300) <= 8)).toBe(true);
    expect(JSON.parse(Buffer.from(records[0]!.data).toString('utf8'))).toMatchObject({ v: 1, costMs: 4 });
  });

  it('is deterministic for a seed', () => {
    const keys = (seed: number): string[] => plan(1, seed).step(0, 1000).map((r) => r.partitionKey);
    expect(keys(3)).toEqual(keys(3));
    expect(keys(3)).not.toEqual(keys(4));
  });
});
