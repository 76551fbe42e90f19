import type { MeterPath } from '../adapters/meter/meter-snapshot.js';
import type { Measurement } from './measure.js';
import { PRICED_RECORDS_PER_SEC_PER_SHARD } from './workload.js';
import { DEPLOYED } from './deployment.js';

/** One count of a path per 1,000 records: calls of one operation, invocations, EMF lines or bytes. */
export interface PerThousand {
  readonly path: MeterPath;
  readonly what: string;
  readonly perThousand: number;
}

/**
 * The meter's counts per 1,000 records, per path: the dispatcher and worker per record of every shard,
 * the shadow per record of the shadowed shard, the SPM per record of every shard at the priced rate (its
 * ticks are per minute, whatever the load). What `npm run bench` prints and the call budget pins per batch.
 */
export function countsPerThousand(m: Measurement): PerThousand[] {
  const recordsPerTickPerShard = (PRICED_RECORDS_PER_SEC_PER_SHARD * DEPLOYED.schedule.rateMinutes * 60) / 1000;
  const per: Record<MeterPath, number> = {
    dispatcher: m.records / 1000,
    worker: m.records / 1000,
    shadow: m.shadowedShardRecords / 1000,
    spm: m.workload.ticks * m.workload.shards * recordsPerTickPerShard,
    outside: Number.POSITIVE_INFINITY,
  };
  const rows: PerThousand[] = [];
  for (const snapshot of [m.data, m.spm]) {
    // One row per operation, whatever table, function or stream it addressed.
    const byOperation = new Map<string, { path: MeterPath; name: string; calls: number; readUnits: number; writeUnits: number; metrics: number }>();
    for (const r of snapshot.calls) {
      if (r.path === 'outside') continue;
      const key = `${r.path}|${r.service} ${r.operation}`;
      const sum = byOperation.get(key) ?? { path: r.path, name: `${r.service} ${r.operation}`, calls: 0, readUnits: 0, writeUnits: 0, metrics: 0 };
      byOperation.set(key, { ...sum, calls: sum.calls + r.calls, readUnits: sum.readUnits + r.readUnits, writeUnits: sum.writeUnits + r.writeUnits, metrics: sum.metrics + r.metricsRequested });
    }
    for (const r of byOperation.values()) {
      const units = r.readUnits > 0 ? ` (${round(r.readUnits / per[r.path])} RRU)` : r.writeUnits > 0 ? ` (${round(r.writeUnits / per[r.path])} WRU)` : r.metrics > 0 ? ` (${round(r.metrics / per[r.path])} metrics)` : '';
      rows.push({ path: r.path, what: `${r.name}${units}`, perThousand: round(r.calls / per[r.path]) });
    }
    for (const r of snapshot.invocations) if (r.path !== 'outside') rows.push({ path: r.path, what: `invocations at ${r.memoryMb} MB`, perThousand: round(r.invocations / per[r.path]) });
    for (const r of snapshot.emf) if (r.path !== 'outside') rows.push({ path: r.path, what: `EMF lines (${round(r.bytes / per[r.path])} B)`, perThousand: round(r.lines / per[r.path]) });
  }
  const order: readonly MeterPath[] = ['dispatcher', 'worker', 'shadow', 'spm'];
  return rows.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path) || a.what.localeCompare(b.what));
}

function round(n: number): number {
  return Number(n.toPrecision(3));
}
