/**
 * One shard's load period as the dispatcher counted it: the records its owner was sent (each once) and
 * the sum of their ages when the owner answered (answer time minus the record's approximate arrival).
 */
export interface ReadPeriod {
  readonly atMs: number;
  readonly periodMs: number;
  readonly incomingRecords: number;
  readonly incomingBytes: number;
  readonly ageMsSum: number;
}

/**
 * Largest rise of the mean age per ms of wall time the estimate believes: 0.9 says records arrive 10× as
 * fast as they are read. Beyond it a rise is as likely a stall (a handoff, an outage) as load.
 */
export const MAX_AGE_SLOPE = 0.9;
/** Largest fall believed: -9 says records arrive 10× slower than a draining backlog is read. */
export const MIN_AGE_SLOPE = -9;
/**
 * Mean age at which a period counts as lagging, ms. Below it the counts stand: a shard that keeps up
 * reads what arrives, give or take a batch, and a mean over a period that was half waiting (a child
 * behind its parent, a handoff) and half caught up says nothing about the producers. 10 s is more than
 * a batch takes to be read and processed when a shard keeps up.
 */
export const LAGGING_MEAN_AGE_MS = 10_000;

/**
 * What arrived at the shard in each period, from what its owner read. Counts of records read cap at what
 * the owner can process: a shard whose owner saturates reads as exactly full however far above capacity
 * its producers are, and a backlog draining after a move reads as more load than arrives. The ages say
 * the rest: reading at μ records/s a stream that arrives at λ, the age of the record being read grows by
 * 1 - μ/λ every second, so λ = μ / (1 - g), with g the rise of the mean age between two periods per ms.
 * Only a period whose mean age says the shard lags (`LAGGING_MEAN_AGE_MS`) is corrected; one that keeps up
 * keeps its counts, as do the first period, one after a gap and one with nothing read (no slope to read).
 *
 * Pure and shared: the SPM's reader of the metadata table and the simulator's view of it call this one
 * function, so both see the same estimate. Points must be one shard's, oldest first.
 */
export function estimateArrivals<P extends ReadPeriod>(points: readonly P[]): P[] {
  return points.map((p, i) => {
    const factor = arrivalFactor(points[i - 1], p);
    return factor === 1 ? p : { ...p, incomingRecords: p.incomingRecords * factor, incomingBytes: p.incomingBytes * factor };
  });
}

/** λ/μ for `cur` given the period before it; 1 when there is no slope to read. */
export function arrivalFactor(prev: ReadPeriod | undefined, cur: ReadPeriod): number {
  if (!prev || prev.atMs + prev.periodMs !== cur.atMs || prev.periodMs !== cur.periodMs) return 1;
  if (!(prev.incomingRecords > 0 && cur.incomingRecords > 0 && prev.ageMsSum > 0 && cur.ageMsSum > 0)) return 1;
  const meanAgeMs = cur.ageMsSum / cur.incomingRecords;
  if (meanAgeMs < LAGGING_MEAN_AGE_MS) return 1;
  const slope = (meanAgeMs - prev.ageMsSum / prev.incomingRecords) / cur.periodMs;
  if (!Number.isFinite(slope)) return 1;
  return 1 / (1 - Math.min(MAX_AGE_SLOPE, Math.max(MIN_AGE_SLOPE, slope)));
}
