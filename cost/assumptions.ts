/**
 * What `npm run cost` cannot measure on this machine and therefore models, each with the reason. Everything
 * else in the cost table is counted by the meter on the real handlers (cost/measure.ts).
 */
export const MODELLED = {
  /**
   * Billed duration of the user's own processing function per batch of 100 records, at 1 GB: 0.5 ms per
   * record plus 10 ms. Lambda's billed duration on AWS cannot be measured here (this laptop's wall time is
   * not Lambda's), so the baseline's compute is modelled. @default 60 ms
   */
  processingMsPerBatch: 60,
  /** Memory of the processing function in the baseline, in MB. @default 1024 */
  processingMemoryMb: 1024,
  /**
   * Billed duration of the dispatcher per batch: it waits synchronously for the owner (the processing time
   * above) plus its own reads, progress write and invocation overhead. Modelled for the same reason.
   * @default 75 ms
   */
  dispatcherMsPerBatch: 75,
  /**
   * Billed duration the dispatcher adds to a batch it processes inline (its placement read, progress and
   * shadow calls; the processing itself is the baseline's). Modelled for the same reason. @default 15 ms
   */
  dispatcherOwnMsPerBatch: 15,
  /** Billed duration of one shadow invocation (a 5 % sample of a batch plus its stats write), at 1 GB. @default 12.5 ms */
  shadowMsPerInvocation: 12.5,
  shadowMemoryMb: 1024,
  /** Billed duration of one SPM tick. @default 500 ms (sim/report/prices.ts SPM_FUNCTION) */
  spmMsPerTick: 500,
  /** Kinesis PUT payload units per record (a 1 KB record is one 25 KB unit). @default 1 */
  putUnitsPerRecord: 1,
  /** Live shadows on average, by shard count (the SPM's default budget `maxShadows` 4, raised to 20 at 1,000 shards). */
  liveShadows(shards: number): number {
    if (shards <= 10) return 1;
    if (shards <= 100) return 4;
    return 20;
  },
  /** Standard alarms the stack creates (infra/constructs/observability.construct.ts), billed per alarm metric. @default 10 */
  alarmMetrics: 10,
  /** The stack's dashboard (billed beyond an account's free three). @default 1 */
  dashboards: 1,
  /** Dimensionless metrics the SPM function publishes (Powertools, per tick). @default 8 */
  spmMetrics: 8,
} as const;
