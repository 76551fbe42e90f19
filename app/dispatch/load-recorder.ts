import type { Clock, ShardLoadPoint, ShardLoadStore, WireRecord } from '../../core/ports/index.js';
import { LOAD_PERIOD_MS } from '../../core/ports/index.js';
import { compareSequence } from '../sequence.js';
import { recordBytes } from './kinesis-event.js';

export interface LoadRecorderOptions {
  /** Longest counted load stays in this environment before it is written, in ms. @default 30000 */
  readonly loadFlushIntervalMs?: number;
  /** Length of a load period, in ms; the SPM's reader must use the same. @default 60000 */
  readonly loadPeriodMs?: number;
  /** Counted periods older than this are dropped if they still cannot be written, in ms. @default 600000 */
  readonly loadKeepMs?: number;
}

type Counts = { incomingRecords: number; incomingBytes: number; processedRecords: number; busyMs: number; ageMsSum: number };

/**
 * Counts each shard's load per minute in this execution environment and adds it to the metadata table
 * (ShardLoadStore) about every 30 s and soon after each minute ends: the SPM's fresh load, KCL-style, in
 * place of five CloudWatch metrics per shard read every tick (docs/ARCHITECTURE.md, "Where the SPM reads
 * load").
 *
 * Everything is counted in the minute the owner answered (see `note`); incoming once per record: only records
 * above the highest sequence number this environment already counted for the shard (an ESM retry delivers
 * them again), while a retried batch's busy time is counted again (it was spent again). A write that fails keeps its
 * counts for the next one and never fails the batch; what an environment holds when Lambda recycles it is
 * lost, at most `loadFlushIntervalMs` of one shard's load.
 */
export class LoadRecorder {
  private readonly pending = new Map<string, Counts>();
  private readonly highWater = new Map<string, string>();
  private readonly intervalMs: number;
  private readonly keepMs: number;
  private readonly periodMs: number;
  private lastWriteMs: number | undefined;

  constructor(
    private readonly store: Pick<ShardLoadStore, 'addShardLoad'>,
    private readonly clock: Clock,
    options: LoadRecorderOptions = {},
  ) {
    this.intervalMs = options.loadFlushIntervalMs ?? 30_000;
    this.keepMs = options.loadKeepMs ?? 600_000;
    this.periodMs = options.loadPeriodMs ?? LOAD_PERIOD_MS;
  }

  /**
   * Counts what the owner processed of `records` (the batch sent), with its processed count and busy ms,
   * in the period the owner answered: records read (incoming, once per record), processed and busy alike.
   * Not by arrival: a shard that lags would then show its newest periods empty (their records not yet read)
   * and read as idle when it is overloaded; counted as read, it shows its owner saturated, which is what
   * the SPM must see. Caught up, the two differ by the ~1 s a record waits to be read. How far above its
   * owner's pace the shard is, the records' ages say: their sum is counted with them (core/forecast/arrivals.ts).
   */
  note(shardId: string, records: readonly WireRecord[], processed: number, busyMs: number): void {
    const seen = this.highWater.get(shardId);
    const nowMs = this.clock.nowMs();
    const counts = this.counts(shardId, this.periodOf(nowMs));
    let newest = seen;
    for (const r of records) {
      if (seen !== undefined && compareSequence(r.sequenceNumber, seen) <= 0) continue;
      counts.incomingRecords += 1;
      counts.incomingBytes += recordBytes(r);
      // Age at the answer; a clock skew between Kinesis and Lambda shifts every age alike and leaves their rise.
      if (Number.isFinite(r.approximateArrivalMs)) counts.ageMsSum += Math.max(0, nowMs - r.approximateArrivalMs);
      if (newest === undefined || compareSequence(r.sequenceNumber, newest) > 0) newest = r.sequenceNumber;
    }
    if (newest !== undefined) this.highWater.set(shardId, newest);
    counts.processedRecords += Math.max(0, processed);
    counts.busyMs += Math.max(0, busyMs);
  }

  /**
   * Writes what is held if `loadFlushIntervalMs` passed since the last write or a period ended since it (the
   * first call writes at once); never throws (a failed write keeps its counts).
   */
  async flushDue(): Promise<void> {
    if (this.pending.size === 0) return;
    const nowMs = this.clock.nowMs();
    // A period ended since the last write: its counts are written now, so the SPM sees it soon after it ends.
    // (Not "a held count is from an earlier period": a lagging shard's records all are, every batch.)
    const periodEnded = this.lastWriteMs !== undefined && this.periodOf(nowMs) > this.periodOf(this.lastWriteMs);
    if (!periodEnded && this.lastWriteMs !== undefined && nowMs - this.lastWriteMs < this.intervalMs) return;
    const taken = [...this.pending];
    this.pending.clear();
    this.lastWriteMs = nowMs;
    const points: ShardLoadPoint[] = taken.map(([key, c]) => ({ shardId: shardOfKey(key), atMs: periodOfKey(key), ...c }));
    // One write per shard and minute, in parallel: a failed one is kept (added to whatever was counted
    // meanwhile) for the next write, unless too old to matter; the others are not written twice.
    await Promise.all(
      points.map(async (m) => {
        try {
          await this.store.addShardLoad([m]);
        } catch {
          if (nowMs - m.atMs > this.keepMs) return;
          const counts = this.counts(m.shardId, m.atMs);
          counts.incomingRecords += m.incomingRecords;
          counts.incomingBytes += m.incomingBytes;
          counts.processedRecords += m.processedRecords;
          counts.busyMs += m.busyMs;
          counts.ageMsSum += m.ageMsSum;
        }
      }),
    );
  }

  private periodOf(ms: number): number {
    return Math.floor(ms / this.periodMs) * this.periodMs;
  }

  private counts(shardId: string, atMs: number): Counts {
    const key = `${atMs}|${shardId}`;
    let counts = this.pending.get(key);
    if (!counts) this.pending.set(key, (counts = { incomingRecords: 0, incomingBytes: 0, processedRecords: 0, busyMs: 0, ageMsSum: 0 }));
    return counts;
  }
}

function periodOfKey(key: string): number {
  return Number(key.slice(0, key.indexOf('|')));
}
function shardOfKey(key: string): string {
  return key.slice(key.indexOf('|') + 1);
}
