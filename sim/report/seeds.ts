import { ValidationError } from '../../core/errors.js';
import type { PolicyReport } from './report.js';

/** One policy's figure over seeds: the median (lower middle for an even count, so it is a real run's value) and the worst. */
export interface OverSeeds {
  readonly median: number;
  readonly worst: number;
}

/** Per policy, median and worst over seeds of the figures a reader compares. */
export interface PolicyOverSeeds {
  readonly policy: string;
  readonly seeds: number;
  readonly overloadSeconds: OverSeeds;
  readonly throttledRecords: OverSeeds;
  readonly droppedRecords: OverSeeds;
  readonly p99Ms: OverSeeds;
  /** Moves, splits, merges and UpdateShardCount calls (lane changes: none of today's policies makes one). */
  readonly actions: OverSeeds;
  /** Moves back to the worker a shard left within the SPM's cooldown (ping-pong). */
  readonly movesBack: OverSeeds;
  readonly costUsd: OverSeeds;
  /** Seeds in which the run met the service level. */
  readonly seedsMeetingServiceLevel: number;
}

/**
 * The stated service level (issue #10): overload-seconds at most 1 % of the run, and no record dropped after
 * the producer's retries (KPL record TTL).
 */
export const SERVICE_LEVEL = { maxOverloadFractionOfRun: 0.01, maxDroppedRecords: 0 } as const;

export function meetsServiceLevel(r: PolicyReport, runSeconds: number): boolean {
  return r.overloadSeconds <= SERVICE_LEVEL.maxOverloadFractionOfRun * runSeconds && r.droppedRecords <= SERVICE_LEVEL.maxDroppedRecords;
}

/** Parses `--seeds`: `1-10`, `3`, or `1,4,7`. */
export function parseSeeds(text: string): number[] {
  const bad = (): never => {
    throw new ValidationError('--seeds', 'a range like 1-10 or a comma-separated list of non-negative integers', text);
  };
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from || to - from >= 1000) bad();
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const list = text.split(',').map((s) => s.trim());
  if (list.some((s) => !/^\d+$/.test(s))) bad();
  return list.map(Number);
}

/** Median and worst over seeds for every policy; `bySeed[i]` holds seed i's reports, same policies in the same order. */
export function overSeeds(bySeed: readonly (readonly PolicyReport[])[], runSeconds: number): PolicyOverSeeds[] {
  const first = bySeed[0] ?? [];
  return first.map((r0, i) => {
    const runs = bySeed.map((reports) => reports[i]!);
    const of = (f: (r: PolicyReport) => number): OverSeeds => {
      const values = runs.map(f).sort((a, b) => a - b);
      return { median: values[Math.floor((values.length - 1) / 2)]!, worst: values[values.length - 1]! };
    };
    return {
      policy: r0.policy,
      seeds: runs.length,
      overloadSeconds: of((r) => r.overloadSeconds),
      throttledRecords: of((r) => r.throttledRecords),
      droppedRecords: of((r) => r.droppedRecords),
      p99Ms: of((r) => r.latencyMs.p99),
      actions: of((r) => r.moves + r.splits + r.merges + r.shardCountUpdates),
      movesBack: of((r) => r.movesBack),
      costUsd: of((r) => r.cost.usd.total),
      seedsMeetingServiceLevel: runs.filter((r) => meetsServiceLevel(r, runSeconds)).length,
    };
  });
}

const fmtUsd = (x: number): string => x.toFixed(3);

/** Markdown table of medians and worst values, one row per policy. */
export function formatOverSeeds(rows: readonly PolicyOverSeeds[]): string {
  const header = '| policy | overload s (median / worst) | throttled | dropped (worst) | p99 ms | actions | moved back (worst) | cost $ |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const pair = (o: OverSeeds, f: (x: number) => string = String): string => `${f(o.median)} / ${f(o.worst)}`;
  return [header, sep, ...rows.map((r) => `| ${r.policy} | ${pair(r.overloadSeconds)} | ${pair(r.throttledRecords)} | ${r.droppedRecords.worst} | ${pair(r.p99Ms)} | ${pair(r.actions)} | ${r.movesBack.worst} | ${pair(r.costUsd, fmtUsd)} |`)].join('\n');
}

/**
 * The service-level table: which policies meet the service level in every seed, and the median cost of
 * each, cheapest first among those that do; the others follow with how many seeds they met it in.
 */
export function formatServiceLevel(rows: readonly PolicyOverSeeds[], runSeconds: number): string {
  const limit = SERVICE_LEVEL.maxOverloadFractionOfRun * runSeconds;
  const meets = (r: PolicyOverSeeds): boolean => r.seedsMeetingServiceLevel === r.seeds;
  const ordered = [...rows].sort((a, b) => Number(meets(b)) - Number(meets(a)) || (meets(a) ? a.costUsd.median - b.costUsd.median : b.seedsMeetingServiceLevel - a.seedsMeetingServiceLevel));
  const header = `| policy | meets it (overload ≤ ${limit} s, 0 dropped) | seeds meeting it | median cost $ when met |`;
  return [header, '|---|---|---:|---:|', ...ordered.map((r) => `| ${r.policy} | ${meets(r) ? 'yes' : '**no**'} | ${r.seedsMeetingServiceLevel} of ${r.seeds} | ${meets(r) ? fmtUsd(r.costUsd.median) : '—'} |`)].join('\n');
}
