import { HOURS_PER_MONTH } from '../definitions/prices.js';
import { MODELLED } from './assumptions.js';
import type { CostItem, Scale } from './cost-items.js';
import { DEPLOYED } from './deployment.js';
import { PRICED_RECORDS_PER_SEC_PER_SHARD } from './workload.js';

/** One row of `npm run cost -- --json`: a month of a stream of `shards` shards at half the write limit. */
export interface CostRow {
  readonly shards: number;
  readonly baselineUsd: number;
  readonly overheadUsd: number;
  readonly overheadPercent: number;
  /** Foreshadow's items (the overhead), largest first. */
  readonly items: readonly { readonly name: string; readonly usd: number; readonly measured: boolean }[];
}

export const DEFAULT_SHARD_COUNTS = [10, 100, 1000] as const;

/** Records a shard carries in a month at the priced rate. */
export const RECORDS_PER_SHARD_MONTH = PRICED_RECORDS_PER_SEC_PER_SHARD * 3600 * HOURS_PER_MONTH;
/** SPM ticks in a month at the deployment's schedule. */
export const TICKS_PER_MONTH = (HOURS_PER_MONTH * 60) / DEPLOYED.schedule.rateMinutes;

/** How many scale units a month of `shards` shards holds. */
export function unitsPerMonth(scale: Scale, shards: number): number {
  switch (scale) {
    case 'shard-record':
      return shards * RECORDS_PER_SHARD_MONTH;
    case 'shadow-record':
      return MODELLED.liveShadows(shards) * RECORDS_PER_SHARD_MONTH;
    case 'shard-tick':
      return shards * TICKS_PER_MONTH;
    case 'tick':
      return TICKS_PER_MONTH;
    case 'shard-month':
      return shards;
    case 'month':
      return 1;
  }
}

/** USD a month for one item at `shards` shards. */
export function itemUsd(item: CostItem, shards: number): number {
  return item.quantity * item.unitPriceUsd * unitsPerMonth(item.scale, shards);
}

const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** The cost table: one row per shard count, items priced and rounded to cents. */
export function costRows(items: readonly CostItem[], shardCounts: readonly number[] = DEFAULT_SHARD_COUNTS): CostRow[] {
  return shardCounts.map((shards) => {
    const priced = items.map((item) => ({ item, usd: itemUsd(item, shards) }));
    const baselineUsd = priced.filter((p) => p.item.part === 'baseline').reduce((n, p) => n + p.usd, 0);
    const overhead = priced.filter((p) => p.item.part === 'overhead').sort((a, b) => b.usd - a.usd);
    const overheadUsd = overhead.reduce((n, p) => n + p.usd, 0);
    return {
      shards,
      baselineUsd: cents(baselineUsd),
      overheadUsd: cents(overheadUsd),
      overheadPercent: Math.round((overheadUsd / baselineUsd) * 1000) / 10,
      items: overhead.map((p) => ({ name: p.item.name, usd: cents(p.usd), measured: p.item.measured })),
    };
  });
}
