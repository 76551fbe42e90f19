import { describe, expect, it } from 'vitest';
import { workerBusyUtilization } from '../../../core/model/metrics.js';

describe('a worker\'s busy utilization (baselines, simulator)', () => {
  it('is owner busy time over its slots: shadow samples run on the class\'s shadow function, not in these slots', () => {
    const point = { atMs: 0, periodMs: 60_000, primaryBusyMs: 60_000, shadowBusyMs: 30_000, invocations: 10, errors: 0 };
    expect(workerBusyUtilization(point, 2)).toBe(0.5);
  });

  it('is 0 for an empty period', () => {
    const empty = { atMs: 0, periodMs: 0, primaryBusyMs: 0, shadowBusyMs: 0, invocations: 0, errors: 0 };
    expect(workerBusyUtilization(empty, 2)).toBe(0);
  });
});
