import type { WorkerRequest, WorkerResponse } from '../core/ports/index.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from '../app/telemetry.js';
import { LatencyHistogram } from '../sim/report/latency.js';

/** Running totals of one shard or worker; the sampler turns differences into per-second figures. */
export interface ShardCounters {
  primaryRecords: number;
  primaryBusyMs: number;
  /** Largest iterator age the dispatcher reported since the last `takeIteratorAges`. */
  iteratorAgeMsMax: number;
  lastIteratorAgeMs: number;
}

export interface WorkerCounters {
  primaryBusyMs: number;
  /** Records the owner applied, and the sum of their nominal cost (ms at speed 1, from the load's payload). */
  primaryApplied: number;
  primaryNominalMs: number;
  shadowBusyMs: number;
  shadowRecords: number;
  invocations: number;
  errors: number;
  /** Owner invocations running now (slots in use; shadow batches run in the worker's separate shadow slots). */
  running: number;
}

/**
 * The local run's own view of what the handlers did, fed by the same telemetry calls the EMF emitter gets
 * and by a wrapper around each in-process worker: per-shard and per-worker counters for the dashboard,
 * end-to-end latency of every applied record, and the dispatcher's iterator ages.
 */
export class TelemetryTap implements Telemetry {
  readonly shards = new Map<string, ShardCounters>();
  readonly workers = new Map<string, WorkerCounters>();
  readonly latency = new LatencyHistogram();
  /** Latencies since the last `takeWindowLatency`, for the per-second p50/p99 of the dashboard. */
  private window = new LatencyHistogram();
  dispatches = 0;
  shadowRecords = 0;
  shadowInvocations = 0;
  heldBatches = 0;
  /** Batches that went out over burst lanes (more than one invocation). */
  lanedBatches = 0;
  staleEpochRetries = 0;
  maxIteratorAgeMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  workerBatch(f: WorkerBatchFigures): void {
    const w = this.worker(f.workerId);
    w.invocations++;
    w.errors += f.failed;
    if (f.mode === 'primary') {
      const s = this.shard(f.shardId);
      s.primaryRecords += f.records;
      s.primaryBusyMs += f.busyMs;
      w.primaryBusyMs += f.busyMs;
    } else {
      w.shadowBusyMs += f.busyMs;
      w.shadowRecords += f.records;
      this.shadowRecords += f.records;
      this.shadowInvocations++;
    }
  }

  dispatch(f: DispatchFigures): void {
    this.dispatches++;
    const s = this.shard(f.shardId);
    s.iteratorAgeMsMax = Math.max(s.iteratorAgeMsMax, f.iteratorAgeMs);
    s.lastIteratorAgeMs = f.iteratorAgeMs;
    this.maxIteratorAgeMs = Math.max(this.maxIteratorAgeMs, f.iteratorAgeMs);
    if (f.held) this.heldBatches++;
    if ((f.lanes ?? 1) > 1) this.lanedBatches++;
    this.staleEpochRetries += f.staleEpochRetries;
  }

  /** Wraps a worker's handler: counts running invocations and the latency of every record it applied. */
  wrapWorker(workerId: string, handle: (request: WorkerRequest) => Promise<WorkerResponse>): (request: WorkerRequest) => Promise<WorkerResponse> {
    return async (request) => {
      const w = this.worker(workerId);
      const owner = request.mode === 'primary';
      if (owner) w.running++;
      try {
        const response = await handle(request);
        if (request.mode === 'primary' && !response.rejected) {
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          const now = this.now();
          for (const r of request.records) {
            if (failed.has(r.sequenceNumber)) continue;
            w.primaryApplied++;
            w.primaryNominalMs += nominalCostMs(r.data);
            const ms = Math.max(0, now - r.approximateArrivalMs);
            this.latency.add(ms, 1);
            this.window.add(ms, 1);
          }
        }
        return response;
      } finally {
        if (owner) w.running--;
      }
    };
  }

  /** p50/p99 of the records applied since the last call (0 when none), then starts a new window. */
  takeWindowLatency(): { p50: number; p99: number } {
    const w = this.window;
    this.window = new LatencyHistogram();
    return { p50: w.quantile(0.5), p99: w.quantile(0.99) };
  }

  /** Largest iterator age per shard since the last call; resets the per-shard maxima. */
  takeIteratorAges(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, s] of this.shards) {
      out.set(id, s.iteratorAgeMsMax);
      s.iteratorAgeMsMax = 0;
    }
    return out;
  }

  shard(id: string): ShardCounters {
    let s = this.shards.get(id);
    if (!s) this.shards.set(id, (s = { primaryRecords: 0, primaryBusyMs: 0, iteratorAgeMsMax: 0, lastIteratorAgeMs: 0 }));
    return s;
  }

  worker(id: string): WorkerCounters {
    let w = this.workers.get(id);
    if (!w) this.workers.set(id, (w = { primaryBusyMs: 0, primaryApplied: 0, primaryNominalMs: 0, shadowBusyMs: 0, shadowRecords: 0, invocations: 0, errors: 0, running: 0 }));
    return w;
  }
}

/** Sends every figure to each telemetry in turn (EMF for the metrics source, the tap for the dashboard). */
/** The cost the local load generator wrote into a record (`{"v":…,"costMs":…}`), 0 for any other payload. */
export function nominalCostMs(base64: string): number {
  const head = Buffer.from(base64.slice(0, 64), 'base64').toString('utf8');
  const match = /"costMs":(\d+(?:\.\d+)?)/.exec(head);
  return match ? Number(match[1]) : 0;
}

export function fanOut(...sinks: readonly Telemetry[]): Telemetry {
  return {
    workerBatch: (f) => sinks.forEach((s) => s.workerBatch(f)),
    dispatch: (f) => sinks.forEach((s) => s.dispatch(f)),
  };
}
