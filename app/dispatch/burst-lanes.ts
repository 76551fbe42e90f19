import type { LanesConfig } from '../../core/config/index.js';
import { burstLanes, laneDemand } from '../../core/model/lanes.js';
import { failed, ok, type InvokeFailure, type Outcome, type WireRecord, type WorkerInvoker, type WorkerRequest, type WorkerResponse } from '../../core/ports/index.js';
import { compareSequence, hashKeyOf } from '../sequence.js';

/** A worker class a lane can run on, with its speed hint (the workers list the dispatcher is given). */
export interface LaneTarget {
  readonly workerId: string;
  readonly speed: number;
}

/** The first bytes of a KPL aggregate (the aggregation format's magic number), base64 of F3 89 9A. */
const AGGREGATE_PREFIX = '84ma';

/**
 * Burst lanes of the dispatcher (core/model/lanes.ts): while a shard lags, its batch is split by partition-key
 * hash into lanes invoked side by side, the heaviest lane on the fastest worker class, the others on the next
 * fastest (the owner among them). Every record of a key is in one lane, and the batch returns only when every
 * lane answered, so per-key order holds as with one invocation; a lane is an owner batch for the shard's
 * owner at its epoch (`WorkerRequest.laneOf`): the worker's fence checks both, and its per-key marks and
 * conditional writes keep effects exactly once whichever worker runs the key.
 *
 * One lane (the owner alone) when the shard keeps up, when the batch holds KPL aggregates (a key's user
 * records can sit in aggregates of different partition keys, so lanes would not keep its order), and while a
 * crash in the shard is being narrowed down (the search needs the batch in one invocation).
 *
 * A lane the class throttles runs again on the owner after the others; a lane that crashes makes the batch a
 * crash (the crash search then goes on in one lane). The lanes' failures are merged (the mapping resumes at
 * the lowest), their busy times added in the owner's time (each scaled by its class's speed over the
 * owner's), which is what the SPM's utilization of the shard means.
 */
export class BurstLanes {
  private readonly shards = new Map<string, { lanes: number; demand: number; lastStartMs?: number }>();
  private readonly speeds: Map<string, number>;

  constructor(
    private readonly config: LanesConfig,
    private readonly pool: readonly LaneTarget[],
    private readonly invoker: Pick<WorkerInvoker, 'invoke'>,
  ) {
    this.speeds = new Map(pool.map((t) => [t.workerId, t.speed]));
  }

  /** Lanes for this batch of the shard, from its oldest record's age and the shard's recent demand. */
  plan(shardId: string, records: readonly WireRecord[], startMs: number, oneLane: boolean): number {
    const state = this.shards.get(shardId) ?? { lanes: 1, demand: 0 };
    this.shards.set(shardId, state);
    if (oneLane || records.length < 2 || this.pool.length === 0 || records.some((r) => r.data.startsWith(AGGREGATE_PREFIX))) {
      state.lanes = 1;
      return 1;
    }
    const oldest = Math.min(...records.map((r) => r.approximateArrivalMs));
    state.lanes = burstLanes(state.lanes, Math.max(0, startMs - oldest), state.demand, this.config);
    return state.lanes;
  }

  /** Counts the batch's busy time (in its owner's time) into the shard's demand. */
  done(shardId: string, startMs: number, busyMs: number): void {
    const state = this.shards.get(shardId);
    if (!state) return;
    if (state.lastStartMs !== undefined) state.demand = laneDemand(state.demand, busyMs, startMs - state.lastStartMs);
    state.lastStartMs = startMs;
  }

  /** Invokes the owner with the request, or fans it out over `lanes` lanes; one answer either way. */
  async invoke(ownerWorkerId: string, request: WorkerRequest, lanes: number): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    const groups = lanes > 1 ? splitByKey(request.records, lanes) : [];
    if (groups.length < 2) return this.invoker.invoke(ownerWorkerId, request);
    const targets = this.targets(ownerWorkerId, request.shardId);
    const ownerSpeed = this.speeds.get(ownerWorkerId) ?? 1;
    const run = async (workerId: string, records: readonly WireRecord[]) => ({ workerId, outcome: await this.invoker.invoke(workerId, { ...request, records, ...(workerId === ownerWorkerId ? {} : { laneOf: ownerWorkerId }) }) });
    const first = await Promise.all(groups.map((records, i) => run(targets[i % targets.length]!, records)));
    const answers: { workerId: string; outcome: Outcome<WorkerResponse, InvokeFailure> }[] = [];
    for (const [i, answer] of first.entries()) {
      // A throttled class had no free slot: the owner runs the lane after the others.
      answers.push(!answer.outcome.ok && answer.outcome.reason === 'throttled' && answer.workerId !== ownerWorkerId ? await run(ownerWorkerId, groups[i]!) : answer);
    }
    const crash = answers.find((a) => !a.outcome.ok);
    if (crash && !crash.outcome.ok) return failed(crash.outcome.reason, `lane on ${crash.workerId}: ${crash.outcome.detail}`);
    const responses = answers.map((a) => ({ workerId: a.workerId, response: (a.outcome as { value: WorkerResponse }).value }));
    const rejected = responses.find((r) => r.response.rejected)?.response.rejected;
    const failures = responses.flatMap((r) => r.response.batchItemFailures.map((f) => f.itemIdentifier));
    return ok({
      batchItemFailures: [...new Set(failures)].sort(compareSequence).map((itemIdentifier) => ({ itemIdentifier })),
      processed: responses.reduce((a, r) => a + r.response.processed, 0),
      busyMs: responses.reduce((a, r) => a + (r.response.busyMs * (this.speeds.get(r.workerId) ?? ownerSpeed)) / ownerSpeed, 0),
      ...(rejected ? { rejected } : {}),
    });
  }

  /**
   * Where the lanes go, heaviest first: the classes by speed, fastest first; among equally fast ones the
   * owner first, the rest in an order that depends on the shard, so lagging shards do not all pile onto one.
   */
  private targets(ownerWorkerId: string, shardId: string): string[] {
    const rank = (id: string) => (id === ownerWorkerId ? -1 : Number(hashKeyOf(`${shardId}/${id}`) % 1_000_003n));
    return [...this.pool].sort((a, b) => b.speed - a.speed || rank(a.workerId) - rank(b.workerId)).map((t) => t.workerId);
  }
}

/**
 * The lane of a record: the hash key Kinesis routes it by (the MD5 of its partition key) modulo `lanes`, so
 * every record of a key is in one lane and keeps its order. The simulator assigns lanes the same way
 * (`laneKey % lanes`, sim/engine/topology.ts), so the twin of a local run splits a shard's keys alike.
 */
export function laneOf(partitionKey: string, lanes: number): number {
  return lanes <= 1 ? 0 : Number(hashKeyOf(partitionKey) % BigInt(lanes));
}

/**
 * The batch's records by lane (`laneOf` their partition key), each lane in sequence order, heaviest (most
 * records) first; empty lanes left out.
 */
export function splitByKey(records: readonly WireRecord[], lanes: number): WireRecord[][] {
  const groups: WireRecord[][] = Array.from({ length: lanes }, () => []);
  for (const r of records) groups[laneOf(r.partitionKey, lanes)]!.push(r);
  return groups.filter((g) => g.length > 0).sort((a, b) => b.length - a.length);
}
