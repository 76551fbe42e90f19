import { describe, expect, it } from 'vitest';
import { parseCostCliOptions } from '../../cost/cli-options.js';
import { CostCliError } from '../../cost/errors.js';
import type { CostItem } from '../../cost/cost-items.js';
import { costRows, RECORDS_PER_SHARD_MONTH, TICKS_PER_MONTH } from '../../cost/cost-table.js';

const item = (over: Partial<CostItem>): CostItem => ({ name: 'x', part: 'overhead', scale: 'shard-record', quantity: 1, unit: 'unit', unitPriceUsd: 1e-6, measured: true, note: '', ...over });

describe('npm run cost options', () => {
  it('defaults to the table for 10, 100 and 1,000 shards', () => {
    expect(parseCostCliOptions([])).toEqual({ json: false, shards: [10, 100, 1000], help: false });
  });

  it('reads --json, --write and a shard list', () => {
    expect(parseCostCliOptions(['--json', '--shards', '5,50', '--write', 'out/c.md'])).toEqual({ json: true, write: 'out/c.md', shards: [5, 50], help: false });
  });

  it.each([
    [['--shards', '0,10'], '--shards must be a comma-separated list of whole numbers from 1 to 100000 (given "0,10")'],
    [['--shards', 'ten'], '(given "ten")'],
    [['--jsn'], "'--jsn'"],
  ])('rejects %j in one line naming the value and what is allowed', (argv, text) => {
    const error = (() => {
      try {
        parseCostCliOptions(argv);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CostCliError);
    expect((error as Error).message).toContain(text);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('cost rows', () => {
  it('multiplies per-record, per-tick and monthly quantities up to a month of N shards', () => {
    const items = [
      item({ name: 'stream', part: 'baseline', scale: 'shard-month', quantity: 10, unitPriceUsd: 1 }),
      item({ name: 'writes', scale: 'shard-record', quantity: 0.01, unitPriceUsd: 1e-6 }),
      item({ name: 'reads', scale: 'shard-tick', quantity: 6, unitPriceUsd: 1e-5, measured: false }),
      item({ name: 'dashboard', scale: 'month', quantity: 1, unitPriceUsd: 3 }),
    ];
    const [row] = costRows(items, [100]);
    const writes = 100 * RECORDS_PER_SHARD_MONTH * 0.01 * 1e-6;
    const reads = 100 * TICKS_PER_MONTH * 6 * 1e-5;
    expect(row!.baselineUsd).toBe(1000);
    expect(row!.overheadUsd).toBeCloseTo(writes + reads + 3, 1);
    expect(row!.overheadPercent).toBeCloseTo(((writes + reads + 3) / 1000) * 100, 0);
    expect(row!.items.map((i) => i.name)).toEqual(['writes', 'reads', 'dashboard']);
    expect(row!.items.find((i) => i.name === 'reads')?.measured).toBe(false);
  });
});
