import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holtForecast, holtSmooth, holtUpdate } from '../../../core/estimators/holt.js';

const params = { levelSmoothing: 0.5, trendSmoothing: 0.5, referencePeriodMs: 60_000 };

describe('Holt double exponential smoothing', () => {
  it('gives nothing to forecast from an empty series', () => {
    expect(holtSmooth([], params)).toBeUndefined();
    expect(holtForecast(undefined, 1_000)).toBe(0);
  });

  it('forecasts a single point flat', () => {
    const s = holtSmooth([{ atMs: 0, value: 0.4 }], params);
    expect(s).toEqual({ level: 0.4, trendPerMs: 0, atMs: 0, count: 1 });
    expect(holtForecast(s, 600_000)).toBe(0.4);
  });

  it('takes the trend from the first two points, then smooths level and trend (worked numbers)', () => {
    const s = holtSmooth(
      [
        { atMs: 0, value: 1 },
        { atMs: 60_000, value: 2 },
        { atMs: 120_000, value: 4 },
      ],
      params,
    )!;
    // projected 2 + 1 = 3; level 0.5·4 + 0.5·3 = 3.5; trend 0.5·(1.5/60000) + 0.5·(1/60000)
    expect(s.level).toBeCloseTo(3.5, 12);
    expect(s.trendPerMs * 60_000).toBeCloseTo(1.25, 12);
    expect(holtForecast(s, 180_000)).toBeCloseTo(4.75, 12);
  });

  it('weighs a point after a gap of two periods as two smoothing steps', () => {
    const s = holtSmooth(
      [
        { atMs: 0, value: 1 },
        { atMs: 60_000, value: 2 },
        { atMs: 180_000, value: 4 },
      ],
      params,
    )!;
    // α = β = 1 − 0.5² = 0.75; projected 2 + 2 = 4; level 4; trend 0.75·(2/120000) + 0.25·(1/60000)
    expect(s.level).toBeCloseTo(4, 12);
    expect(s.trendPerMs * 60_000).toBeCloseTo(1, 12);
  });

  it('sorts points given out of order and only nudges the level for a repeated timestamp', () => {
    const shuffled = holtSmooth(
      [
        { atMs: 120_000, value: 4 },
        { atMs: 0, value: 1 },
        { atMs: 60_000, value: 2 },
      ],
      params,
    );
    expect(shuffled?.level).toBeCloseTo(3.5, 12);
    const repeated = holtUpdate(shuffled, { atMs: 120_000, value: 5.5 }, params);
    expect(repeated.level).toBeCloseTo(4.5, 12);
    expect(repeated.trendPerMs).toBe(shuffled?.trendPerMs);
  });

  it('never forecasts a negative load', () => {
    const s = holtSmooth(
      [
        { atMs: 0, value: 1 },
        { atMs: 60_000, value: 0.2 },
      ],
      params,
    );
    expect(holtForecast(s, 3_600_000)).toBe(0);
  });

  it('reproduces any straight line exactly, whatever the gaps', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: -1e-5, max: 1e-5, noNaN: true }),
        fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 20 }),
        (a, b, steps) => {
          const points = steps.map((k) => ({ atMs: k * 30_000, value: a + b * k * 30_000 }));
          const s = holtSmooth(points, params)!;
          const last = Math.max(...steps) * 30_000;
          expect(s.level).toBeCloseTo(a + b * last, 6);
          expect(s.trendPerMs).toBeCloseTo(b, 9);
        },
      ),
    );
  });
});
