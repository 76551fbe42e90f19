import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/index.js';

describe('spm configuration', () => {
  it('has working defaults for every SPM setting', () => {
    const c = parseConfig({}).spm;
    expect(c).toMatchObject({ trendDampingPerPeriod: 0.9, coolThreshold: 0.45, settlePeriods: 2, hotKeyMaxShare: 0.7 });
    expect(c.replication).toMatchObject({ assumedCostCv: 1, raiseFactor: 2, lowerFactor: 0.7, lowerAfterHits: 3 });
  });

  it.each([
    [{ trendDampingPerPeriod: 0 }, 'config.spm.trendDampingPerPeriod must be a number greater than 0 (given 0)'],
    [{ hotKeyMaxShare: 0.5 }, 'config.spm.hotKeyMaxShare must be a number greater than 0.5 (given 0.5)'],
    [{ settlePeriods: 0 }, 'config.spm.settlePeriods must be a number at least 1 (given 0)'],
    [{ replication: { raiseFactor: 1 } }, 'config.spm.replication.raiseFactor must be a number greater than 1 (given 1)'],
    [{ replication: { minRate: 0.5, maxRate: 0.2 } }, 'config.spm.replication.minRate must be at most replication.maxRate (0.2) (given 0.5)'],
  ])('rejects %j with a message naming the field and the allowed range', (spm, message) => {
    expect(() => parseConfig({ spm })).toThrow(message);
  });
});
