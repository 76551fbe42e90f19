import type { Random } from '../../core/random.js';
import { shardLoadAt, type ScenarioWorld } from '../../sim/scenario/world.js';

/** One record the producer is to put: its key, the value the ledger tracks, and its synthetic cost. */
export interface PlannedRecord {
  readonly partitionKey: string;
  readonly hashKey: bigint;
  /** Unique per run (the ledger sums and folds it). */
  readonly v: number;
  /** Work on a speed-1 worker, in ms of local (wall) time. */
  readonly costMs: number;
  /** Bytes the record counts against the shard limit (data + partition key). */
  readonly bytes: number;
  readonly data: Uint8Array;
}

export interface TrafficOptions {
  readonly world: ScenarioWorld;
  readonly random: Random;
  /**
   * Local records per scenario record. Rates are multiplied by it and per-record costs divided by it, so a
   * shard's utilization (rate × cost) and its load relative to the shard limit (scaled by the same factor)
   * are what the scenario says, at a rate a laptop can carry. @default chosen by the orchestrator
   */
  readonly rateScale: number;
}

/**
 * Turns a scenario into records, step by step: each region (initial shard range) produces
 * rate × rateScale × dt records, carried over as a fraction between steps, with keys drawn by their share of
 * the region's traffic and costs drawn around the key's mean with the scenario's coefficient of variation.
 */
export class TrafficPlan {
  private readonly carry: number[];
  private nextV = 1;

  constructor(private readonly options: TrafficOptions) {
    this.carry = options.world.regionRanges.map(() => 0);
  }

  /** Records due in the wall-clock step `[.., +dtMs]` at scenario time `scenarioMs`. */
  step(scenarioMs: number, dtMs: number): PlannedRecord[] {
    const { world, random, rateScale } = this.options;
    const noise = world.scenario.rateNoise;
    const out: PlannedRecord[] = [];
    for (let region = 0; region < world.regionRanges.length; region++) {
      const load = shardLoadAt(world, region, scenarioMs);
      const jitter = noise > 0 ? 1 + noise * (2 * random.next() - 1) : 1;
      const due = this.carry[region]! + load.recordsPerSec * rateScale * jitter * (dtMs / 1000);
      const count = Math.floor(due);
      this.carry[region] = due - count;
      if (count === 0 || load.recordsPerSec <= 0) continue;
      const cumulative: number[] = [];
      let sum = 0;
      for (const k of load.keys) cumulative.push((sum += k.recordsPerSec));
      for (let i = 0; i < count; i++) {
        const key = load.keys[pick(cumulative, random.next() * sum)]!;
        out.push(this.record(key.partitionKey, key.hashKey, key.costMsPerRecord / rateScale));
      }
    }
    return out;
  }

  /** A few cheap records per region (the first key of each pool), to warm the emulators and pollers up. */
  warmUp(perRegion: number): PlannedRecord[] {
    return this.options.world.pools.flatMap((pool) => Array.from({ length: perRegion }, () => this.record(pool[0]!.partitionKey, pool[0]!.hashKey, 0)));
  }

  private record(partitionKey: string, hashKey: bigint, meanCostMs: number): PlannedRecord {
    const { world, random } = this.options;
    const cv = world.scenario.costCv;
    // Gamma-like spread via a clipped normal: enough for a coefficient of variation, cheap and seeded.
    const costMs = Math.max(0, meanCostMs * Math.max(0.05, 1 + cv * gaussian(random)));
    const v = this.nextV++;
    const body = JSON.stringify({ v, costMs: Math.round(costMs * 1000) / 1000 });
    const target = Math.max(0, world.scenario.recordSizeBytes - Buffer.byteLength(partitionKey) - body.length - 8);
    const data = Buffer.from(target > 0 ? `${body.slice(0, -1)},"p":"${'.'.repeat(target)}"}` : body, 'utf8');
    return { partitionKey, hashKey, v, costMs, bytes: data.length + Buffer.byteLength(partitionKey), data };
  }
}

function pick(cumulative: readonly number[], x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function gaussian(random: Random): number {
  const u = Math.max(1e-12, random.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}
