import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import type { TargetCheck } from '../../sim/report/targets.js';
import { countVerdicts, formatPooledRow, formatVerdictRow, parseSeeds, poolErrors, type ScoredError } from '../../sim/robustness.stats.js';

function scored(absolutePercentageError: number, more: Partial<ScoredError> = {}): ScoredError {
  return { scenario: 'hot-shift', seed: 1, shardId: 'shardId-000000000002', atMs: 1_860_000, absolutePercentageError, ...more };
}

const check = (target: string, met: boolean, feasible?: boolean): TargetCheck => ({ target, met, ...(feasible !== undefined ? { feasible } : {}), detail: '' });

describe('poolErrors', () => {
  it('pools every prediction: MAPE, median of the middle two, max with where it happened, share within 10 %', () => {
    const p = poolErrors([scored(0.02), scored(0.12, { scenario: 'cost-shift', seed: 5 }), scored(0.04), scored(0.1)]);
    expect(p.scored).toBe(4);
    expect(p.mapePercent).toBeCloseTo(7, 9);
    expect(p.medianPercent).toBeCloseTo(7, 9);
    expect(p.maxPercent).toBeCloseTo(12, 9);
    expect(p.worst).toMatchObject({ scenario: 'cost-shift', seed: 5 });
    expect(p.withinSharePercent).toBe(75);
  });

  it('takes the middle value as the median of an odd count and the first worst on a tie', () => {
    const p = poolErrors([scored(0.3, { seed: 2 }), scored(0.01), scored(0.3, { seed: 3 })]);
    expect(p.medianPercent).toBeCloseTo(30, 9);
    expect(p.worst?.seed).toBe(2);
  });

  it('reports no figures when nothing was scored', () => {
    expect(poolErrors([])).toEqual({ scored: 0, mapePercent: null, medianPercent: null, maxPercent: null, withinSharePercent: null });
  });
});

describe('countVerdicts', () => {
  it('counts per target the seeds that met it, that the model rules out, and the seeds that missed', () => {
    const counts = countVerdicts([
      { seed: 1, checks: [check('overload', true), check('p99', false, false)] },
      { seed: 2, checks: [check('overload', false), check('p99', false, false)] },
      { seed: 3, checks: [check('overload', true), check('p99', true, true)] },
    ]);
    expect(counts).toEqual([
      { target: 'overload', seeds: 3, met: 2, infeasible: 0, missedSeeds: [2] },
      { target: 'p99', seeds: 3, met: 1, infeasible: 2, missedSeeds: [1, 2] },
    ]);
    expect(formatVerdictRow('hot-shift', counts[1]!)).toBe('| hot-shift | p99 | 1 / 3 | 2 / 3 | 1, 2 |');
  });
});

describe('parseSeeds', () => {
  it.each([
    ['1-10', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['3', [3]],
    ['7,1-3,2', [1, 2, 3, 7]],
  ])('reads %s as %j', (text, seeds) => {
    expect(parseSeeds(text)).toEqual(seeds);
  });

  it.each(['', '5-1', 'a', '1-', '-2', '1.5'])('rejects %j naming --seeds', (text) => {
    expect(() => parseSeeds(text)).toThrow(ValidationError);
    expect(() => parseSeeds(text)).toThrow(/--seeds/);
  });
});

describe('formatPooledRow', () => {
  it('prints the figures with two decimals and names the worst prediction (its scenario only when pooled over several)', () => {
    const p = poolErrors([scored(0.05), scored(0.1)]);
    expect(formatPooledRow('hot-shift', 2, p)).toBe('| hot-shift | 2 | 2 | 7.50 % | 7.50 % | 10.00 % (seed 1, shardId-000000000002 at min 31) | 100.0 % |');
    expect(formatPooledRow('**all**', 12, p)).toContain('(hot-shift, seed 1,');
    expect(formatPooledRow('x', 1, poolErrors([]))).toBe('| x | 1 | 0 | – | – | – | – |');
  });
});
