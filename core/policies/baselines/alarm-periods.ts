import type { ShardMetricPoint } from '../../model/metrics.js';

/** Stream-level sums over one alarm period, as CloudWatch's stream-dimension metrics would report them. */
export interface AlarmPeriod {
  readonly startMs: number;
  readonly incomingBytes: number;
  readonly incomingRecords: number;
  /** Largest iterator age of any shard in the period (GetRecords.IteratorAgeMilliseconds, Maximum). */
  readonly iteratorAgeMsMax: number;
}

/** What the aggregation keeps between ticks: closed periods, the open ones, and what was already counted. */
export interface AlarmPeriodsState {
  /** Closed periods, oldest first, gaps filled with zeros (the sample's `FILL(m, 0)`). */
  readonly closed: readonly AlarmPeriod[];
  /** Periods still receiving points. */
  readonly open: readonly AlarmPeriod[];
  /** Per shard, the start of the newest point already counted, so overlapping views never count a point twice. */
  readonly watermarks: Readonly<Record<string, number>>;
}

export const emptyAlarmPeriods = (): AlarmPeriodsState => ({ closed: [], open: [], watermarks: {} });

/**
 * Folds the shard metric points of one view into alarm periods of `periodMs`. A period closes once a point
 * ending at or after its end has been seen on any shard; points arriving for an already closed period are
 * dropped (CloudWatch would still count them, minutes late). At most `keep` closed periods are retained.
 */
export function foldAlarmPeriods(
  previous: AlarmPeriodsState,
  shardMetrics: Readonly<Record<string, readonly ShardMetricPoint[]>>,
  periodMs: number,
  keep: number,
): AlarmPeriodsState {
  const open = new Map(previous.open.map((p) => [p.startMs, { ...p }]));
  const lastClosed = previous.closed[previous.closed.length - 1];
  const firstOpenable = lastClosed ? lastClosed.startMs + periodMs : -Infinity;
  const watermarks: Record<string, number> = {};
  let latestEndMs = -Infinity;

  for (const shardId of Object.keys(shardMetrics).sort()) {
    const points = shardMetrics[shardId] ?? [];
    let mark = previous.watermarks[shardId] ?? -Infinity;
    for (const point of points) {
      latestEndMs = Math.max(latestEndMs, point.atMs + point.periodMs);
      if (point.atMs <= mark) continue;
      mark = point.atMs;
      const startMs = Math.floor(point.atMs / periodMs) * periodMs;
      if (startMs < firstOpenable) continue;
      const bucket = open.get(startMs) ?? { startMs, incomingBytes: 0, incomingRecords: 0, iteratorAgeMsMax: 0 };
      bucket.incomingBytes += point.incomingBytes;
      bucket.incomingRecords += point.incomingRecords;
      bucket.iteratorAgeMsMax = Math.max(bucket.iteratorAgeMsMax, point.iteratorAgeMsMax);
      open.set(startMs, bucket);
    }
    if (Number.isFinite(mark)) watermarks[shardId] = mark;
  }

  const closed = [...previous.closed];
  const stillOpen: AlarmPeriod[] = [];
  for (const bucket of [...open.values()].sort((a, b) => a.startMs - b.startMs)) {
    if (bucket.startMs + periodMs > latestEndMs) {
      stillOpen.push(bucket);
      continue;
    }
    const last = closed[closed.length - 1];
    if (last) {
      // Only the newest `keep` periods survive, so a long gap needs no more zeros than that.
      for (let start = Math.max(last.startMs + periodMs, bucket.startMs - keep * periodMs); start < bucket.startMs; start += periodMs) {
        closed.push({ startMs: start, incomingBytes: 0, incomingRecords: 0, iteratorAgeMsMax: 0 });
      }
    }
    closed.push(bucket);
  }
  return { closed: closed.slice(Math.max(0, closed.length - keep)), open: stillOpen, watermarks };
}
