import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/index.js';
import { burstLanes, laneDemand } from '../../../core/model/lanes.js';

const lanes = parseConfig({}).lanes;

describe('burst lanes', () => {
  it('opens a lane per 3 s of age from 3 s on, up to 4 (the defaults)', () => {
    expect([0, 2999, 3000, 5999, 6000, 8000, 9000, 20_000, 600_000].map((age) => burstLanes(1, age, 0, lanes))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 4]);
  });

  it('keeps open lanes while the shard needs 0.9 of a lane or more, and closes them below', () => {
    expect(burstLanes(3, 0, 0.9, lanes)).toBe(3);
    expect(burstLanes(3, 0, 2.5, lanes)).toBe(3);
    expect(burstLanes(3, 0, 0.89, lanes)).toBe(1);
    // The age only adds lanes: three held lanes stay three at 3 s of age.
    expect(burstLanes(3, 3000, 1.2, lanes)).toBe(3);
    expect(burstLanes(2, 9000, 1.2, lanes)).toBe(4);
  });

  it('has one lane when max is 1, whatever the age and demand', () => {
    const off = parseConfig({ lanes: { max: 1 } }).lanes;
    expect(burstLanes(1, 600_000, 5, off)).toBe(1);
    expect(burstLanes(4, 600_000, 5, off)).toBe(1);
  });

  it('smooths the demand over batches with weight 0.3, and keeps it when no time passed', () => {
    expect(laneDemand(0, 2000, 1000)).toBeCloseTo(0.6);
    expect(laneDemand(0.6, 2000, 1000)).toBeCloseTo(1.02);
    expect(laneDemand(1.5, 100, 0)).toBe(1.5);
  });

  it('rejects a lane count above 10 with the field and what is allowed', () => {
    expect(() => parseConfig({ lanes: { max: 11 } })).toThrow(/config\.lanes\.max.*at most 10/);
  });
});
