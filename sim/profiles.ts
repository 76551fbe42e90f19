import { ValidationError } from '../core/errors.js';

/**
 * Timing of the world a policy runs in. `aws`: CloudWatch's 1-minute metric period, available about two
 * minutes after the period ends (ANCHORS: third-party reports, no AWS figure), the SPM scheduled every
 * minute, a SplitShard taking ~30 s. `local`: the embedded runtime, whose metrics are in-process.
 */
export interface Profile {
  readonly name: 'aws' | 'local';
  /** Simulation step; every step ends at a batch boundary of every shard. */
  readonly stepMs: number;
  readonly metricPeriodMs: number;
  /** Time after the end of a period until its point is visible to the SPM. */
  readonly metricDelayMs: number;
  /**
   * Time after the end of a period until the shard load the dispatchers write to the metadata table for it
   * is readable (the `metadata-table` data path: app/metrics/shard-load.metrics.ts's availability delay).
   */
  readonly loadDelayMs: number;
  readonly tickIntervalMs: number;
  /** SplitShard / MergeShards: UPDATING this long, then the parent closes and the children open. */
  readonly splitDurationMs: number;
  /** UpdateShardCount (uniform, all shards at once). */
  readonly updateShardCountDurationMs: number;
  /** A moved shard is paused this long: the dispatcher reads the new owner before its next batch. */
  readonly handoffPauseMs: number;
  /** Metric points per series handed to the policy. */
  readonly metricWindowPoints: number;
  /** The producer (KPL) drops a record it could not put within this time. @default 30000 (KPL RecordTtl) */
  readonly producerRecordTtlMs: number;
  /** Records per invocation when a shard has a backlog (ESM BatchSize default). */
  readonly batchSize: number;
  /** A shard whose iterator age exceeds this is overloaded (see the report's overload-seconds). */
  readonly overloadIteratorAgeMs: number;
}

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  aws: {
    name: 'aws',
    stepMs: 1000,
    metricPeriodMs: 60_000,
    metricDelayMs: 120_000,
    loadDelayMs: 15_000,
    tickIntervalMs: 60_000,
    splitDurationMs: 30_000,
    updateShardCountDurationMs: 120_000,
    handoffPauseMs: 1000,
    metricWindowPoints: 30,
    producerRecordTtlMs: 30_000,
    batchSize: 100,
    overloadIteratorAgeMs: 30_000,
  },
  local: {
    name: 'local',
    stepMs: 100,
    metricPeriodMs: 1000,
    metricDelayMs: 2000,
    loadDelayMs: 250,
    tickIntervalMs: 5000,
    splitDurationMs: 2000,
    updateShardCountDurationMs: 5000,
    handoffPauseMs: 100,
    metricWindowPoints: 30,
    producerRecordTtlMs: 30_000,
    batchSize: 100,
    overloadIteratorAgeMs: 3_000,
  },
};

export function profileByName(name: string): Profile {
  const p = (PROFILES as Record<string, Profile | undefined>)[name];
  if (!p) throw new ValidationError('profile', `one of ${Object.keys(PROFILES).join(', ')}`, name);
  return p;
}
