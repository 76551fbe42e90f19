import type { Clock, CrashPoint, FailureSink, KeyedStateStore, MetadataStore } from '../../core/ports/index.js';

/** What the worker logic needs; the Lambda handler and the local runtime wire the same pieces. */
export interface WorkerDeps {
  readonly workerId: string;
  readonly metadata: Pick<MetadataStore, 'getPartition' | 'listShadows' | 'recordShadowSample'>;
  readonly state: KeyedStateStore;
  readonly failures: FailureSink;
  readonly clock: Clock;
  /** Attempts of a failing record before it goes to the failure sink. @default 3 */
  readonly maxAttempts: number;
  /** Buckets of the shadow's hash-key histogram. @default 32 (config.spm.histogramBuckets) */
  readonly histogramBuckets: number;
  /** Divides `ctx.spend` costs (1 = reference class). @default 1 */
  readonly speed: number;
  /** Partition keys of a batch processed at once (their state reads and writes overlap). @default 8 */
  readonly keyConcurrency?: number;
  /** Fault injection at named steps (core/ports/crash-points.port.ts): tests only. @default none */
  readonly crashPoint?: CrashPoint;
}
