import { DEPLOYED } from './deployment.js';

/**
 * The short fixed workload `npm run cost` and `npm run bench` measure (cost/measure.ts): a few shards of a
 * stream at half their write limit, read by the real dispatcher and worker handlers through the local event
 * source mapping, one forward shadow, then SPM ticks. Small on purpose (it runs on a shared laptop in about
 * a minute); what scales with shards is measured per record, per batch or per tick and multiplied up.
 */
export interface Workload {
  /** Shards of the measured stream. @default 2 */
  readonly shards: number;
  /**
   * Records put into each shard before the mapping starts reading: 10 s of the shard's time at 500/s. What
   * is done every 10-20 s (progress, EMF windows) is counted at least once per environment over those 10 s,
   * which overstates it up to twofold; longer runs take minutes on the emulators. @default 5000
   */
  readonly recordsPerShard: number;
  /** Records per second each shard carries, in the handlers' clock (half of the 1,000/s write limit). @default 500 */
  readonly recordsPerSecPerShard: number;
  /**
   * Bytes of each record's data. Nothing the meter prices depends on it (PUT units are modelled for 1 KB
   * records); small records keep the emulators quick. @default 200
   */
  readonly recordBytes: number;
  /** Partition keys per shard. @default 20 */
  readonly keysPerShard: number;
  /** Records per invocation of the mapping (the deployment's batch size). @default DEPLOYED.eventSource.batchSize */
  readonly batchSize: number;
  /** Replication rate of the one forward shadow, on the first shard (the SPM's default rate). @default 0.05 */
  readonly shadowRate: number;
  /**
   * The worker class whose owner batches the dispatcher runs inline (infra `inlineWorkerClass`); every shard
   * is then placed on it, as the SPM places new shards. Absent: every owner invoked, shards round-robin over
   * the classes. @default the deployment's (DEPLOYED.inlineWorkerClass)
   */
  readonly inlineWorkerClass?: string;
  /** SPM ticks measured (after one unmeasured tick that places the shards), one schedule period apart. @default 3 */
  readonly ticks: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  shards: 2,
  recordsPerShard: 5_000,
  recordsPerSecPerShard: 500,
  recordBytes: 200,
  keysPerShard: 20,
  batchSize: DEPLOYED.eventSource.batchSize,
  shadowRate: 0.05,
  ticks: 3,
  ...(DEPLOYED.inlineWorkerClass === undefined ? {} : { inlineWorkerClass: DEPLOYED.inlineWorkerClass }),
};

/** The load each shard carries in the priced deployment: half of Kinesis' 1,000 records/s write limit. */
export const PRICED_RECORDS_PER_SEC_PER_SHARD = 500;
