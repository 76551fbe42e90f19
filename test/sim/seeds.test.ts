import { describe, expect, it } from 'vitest';
import { meetsServiceLevel, overSeeds, parseSeeds } from '../../sim/report/seeds.js';
import type { PolicyReport } from '../../sim/report/report.js';

const report = (overloadSeconds: number, droppedRecords = 0, total = 1): PolicyReport =>
  ({ policy: 'p', overloadSeconds, droppedRecords, throttledRecords: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, moves: 1, splits: 2, merges: 0, shardCountUpdates: 0, cost: { usd: { total } } }) as unknown as PolicyReport;

describe('figures over seeds', () => {
  it.each([
    ['1-4', [1, 2, 3, 4]],
    ['7', [7]],
    ['1,5,9', [1, 5, 9]],
  ])('reads --seeds %s', (text, seeds) => expect(parseSeeds(text)).toEqual(seeds));

  it('meets the service level at exactly 1 % of a 90-min run (54 s) with nothing dropped, not at 55 s or with one record dropped', () => {
    expect(meetsServiceLevel(report(54), 5400)).toBe(true);
    expect(meetsServiceLevel(report(55), 5400)).toBe(false);
    expect(meetsServiceLevel(report(0, 1), 5400)).toBe(false);
  });

  it('takes the lower middle of an even number of seeds as the median (a real run), the largest as the worst, and counts actions', () => {
    const [row] = overSeeds([[report(10, 0, 4)], [report(0, 0, 1)], [report(60, 0, 3)], [report(20, 0, 2)]], 5400);
    expect(row).toMatchObject({ overloadSeconds: { median: 10, worst: 60 }, costUsd: { median: 2, worst: 4 }, actions: { median: 3, worst: 3 }, seedsMeetingServiceLevel: 3, seeds: 4 });
  });
});
