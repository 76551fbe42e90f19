/**
 * What the dashboard page shows, as the JSON `/api/state` returns. Plain numbers and strings (hash keys
 * as decimal strings) so the page needs no build step and no bigint handling.
 */
export const RUN_PHASES = ['starting', 'running', 'draining', 'done', 'failed'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface DashboardShard {
  readonly shardId: string;
  readonly state: 'OPEN' | 'CLOSED';
  readonly ownerWorkerId: string;
  readonly epoch: number;
  /** Hash-key range as decimal strings and as fractions 0..1 of the key space (for drawing). */
  readonly hashKeyStart: string;
  readonly hashKeyEnd: string;
  readonly rangeFrom: number;
  readonly rangeTo: number;
  readonly parentShardIds: readonly string[];
  readonly ingestRecordsPerSec: number;
  readonly utilization: number;
  readonly predictedUtilization?: number;
  readonly iteratorAgeMs: number;
}

export interface DashboardWorker {
  readonly workerId: string;
  readonly workerClass: string;
  readonly speed: number;
  readonly slots: number;
  readonly busySlots: number;
  /**
   * Primary busy fraction over all slots, and shadow busy time over the same slots: the overhead shadows
   * cost, not capacity they take (they run in the worker's separate shadow slots).
   */
  readonly utilization: number;
  readonly shadowUtilization: number;
  readonly shardIds: readonly string[];
}

export interface DashboardShadow {
  readonly shadowId: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly kind: string;
  readonly rate: number;
  readonly samples: number;
  readonly predictedUtilization?: number;
}

export interface DashboardDecision {
  readonly atSec: number;
  readonly kind: string;
  readonly shardId?: string;
  readonly applied?: boolean;
  readonly text: string;
}

/** One point per sample of the run (about one a second). */
export interface DashboardPoint {
  readonly atSec: number;
  readonly producedPerSec: number;
  readonly appliedPerSec: number;
  readonly throttledPerSec: number;
  readonly maxIteratorAgeMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Per shard: actual utilization on its owner and the live prediction (if any). */
  readonly shards: Readonly<Record<string, { readonly actual: number; readonly predicted?: number }>>;
}

export interface DashboardState {
  readonly run: {
    readonly phase: RunPhase;
    readonly scenario: string;
    readonly policy: string;
    readonly elapsedSec: number;
    readonly durationSec: number;
    readonly timeScale: number;
    readonly scenarioSec: number;
    readonly message?: string;
  };
  readonly totals: {
    readonly produced: number;
    readonly applied: number;
    readonly throttled: number;
    readonly producerRetries: number;
    readonly shadowRecords: number;
    readonly moves: number;
    readonly splits: number;
    readonly shadowsCreated: number;
  };
  readonly shards: readonly DashboardShard[];
  readonly workers: readonly DashboardWorker[];
  readonly shadows: readonly DashboardShadow[];
  readonly decisions: readonly DashboardDecision[];
  readonly series: readonly DashboardPoint[];
}

export function emptyDashboardState(scenario: string, policy: string): DashboardState {
  return {
    run: { phase: 'starting', scenario, policy, elapsedSec: 0, durationSec: 0, timeScale: 1, scenarioSec: 0 },
    totals: { produced: 0, applied: 0, throttled: 0, producerRetries: 0, shadowRecords: 0, moves: 0, splits: 0, shadowsCreated: 0 },
    shards: [],
    workers: [],
    shadows: [],
    decisions: [],
    series: [],
  };
}
