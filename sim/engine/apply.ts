import type { Action, MergeAction, SplitAction, UpdateShardCountAction } from '../../core/model/actions.js';
import { evenRanges, type HashKeyRange } from '../../core/model/hash-key.js';
import { hotKeyRateAt } from '../scenario/world.js';
import type { Simulation } from './engine.js';
import type { SimShard } from './state.js';

export interface ActionResult {
  readonly applied: boolean;
  readonly detail: string;
}

/** A reshard in progress: the stream is UPDATING until `doneAtMs`, then `complete` runs. */
export interface PendingReshard {
  readonly doneAtMs: number;
  readonly what: string;
  /** Shards the reshard closes (a shard is in at most one reshard at a time). */
  readonly shardIds: readonly string[];
  readonly complete: () => void;
}

const DAY_MS = 86_400_000;
const ok = (detail: string): ActionResult => ({ applied: true, detail });
const no = (detail: string): ActionResult => ({ applied: false, detail });

/**
 * Applies one action the way the SPM's apply step would against Kinesis and the metadata store: ownership
 * changes are conditional on the epoch; resharding needs an ACTIVE stream and takes the profile's duration;
 * rejections are values with a reason, never exceptions.
 */
export function applyAction(sim: Simulation, action: Action): ActionResult {
  const result = applyInner(sim, action);
  if (!result.applied) sim.stats.rejectedActions++;
  return result;
}

function applyInner(sim: Simulation, a: Action): ActionResult {
  switch (a.type) {
    case 'move': {
      const s = sim.shards.get(a.shardId);
      if (!s || s.drainedAtMs !== undefined) return no(`not-found: shard ${a.shardId} is unknown or drained`);
      if (s.epoch !== a.expectedEpoch) return no(`stale-epoch: shard is at epoch ${s.epoch}, action expected ${a.expectedEpoch}`);
      if (s.owner !== a.fromWorkerId) return no(`stale-owner: shard is owned by ${s.owner}, not ${a.fromWorkerId}`);
      if (!sim.workerById.has(a.toWorkerId)) return no(`not-found: worker ${a.toWorkerId}`);
      if (a.toWorkerId === s.owner) return no(`no-op: ${a.toWorkerId} already owns the shard`);
      sim.stats.movesBack.note(s.id, s.owner, a.toWorkerId, sim.nowMs, sim.config.spm.cooldownMs);
      s.epoch += 1;
      s.owner = a.toWorkerId;
      s.lastMoveAtMs = sim.nowMs;
      // The dispatcher reads the new owner before the shard's next batch: the switch is at a batch boundary.
      s.pausedUntilMs = sim.nowMs + sim.handoffPauseMs;
      if (a.prediction) s.predictedUtilization = a.prediction;
      if (a.promotesShadowId) sim.shadows.delete(a.promotesShadowId);
      sim.options.observer?.onOwnerChange({ shardId: s.id, from: a.fromWorkerId, to: a.toWorkerId, epoch: s.epoch, atMs: sim.nowMs });
      sim.stats.moves++;
      return ok(`epoch ${s.epoch}`);
    }
    case 'split':
      return split(sim, a);
    case 'merge':
      return merge(sim, a);
    case 'update-shard-count':
      return updateShardCount(sim, a);
    case 'create-shadow': {
      const s = sim.shards.get(a.shardId);
      if (!s || s.state !== 'OPEN') return no(`not-found: shard ${a.shardId} is unknown or closed`);
      if (!sim.workerById.has(a.workerId)) return no(`not-found: worker ${a.workerId}`);
      if (sim.shadows.has(a.shadowId)) return no(`already-exists: shadow ${a.shadowId}`);
      // As the metadata store: one live shadow per shard and kind (an expired one may be replaced).
      const holder = [...sim.shadows.values()].find((sh) => sh.shardId === a.shardId && sh.kind === a.kind && (sh.expiresAtMs === undefined || sh.expiresAtMs > sim.nowMs));
      if (holder) return no(`already-exists: shard ${a.shardId} already has a live ${a.kind} shadow ${holder.id}`);
      if (!(a.rate > 0 && a.rate <= 1)) return no(`invalid-argument: rate must be in (0, 1] (given ${a.rate})`);
      sim.shadows.set(a.shadowId, {
        id: a.shadowId,
        shardId: a.shardId,
        workerId: a.workerId,
        kind: a.kind,
        rate: a.rate,
        createdAtMs: sim.nowMs,
        ...(a.expiresAtMs !== undefined ? { expiresAtMs: a.expiresAtMs } : {}),
        pendingRecords: 0,
        pendingWorkMs: 0,
        statsFromMs: sim.nowMs,
        records: 0,
        busyMs: 0,
        busyMsSquared: 0,
        histogram: Array.from({ length: sim.config.spm.histogramBuckets }, () => ({ records: 0, costMs: 0 })),
      });
      sim.stats.shadowsCreated++;
      return ok(`rate ${a.rate}`);
    }
    case 'set-shadow-rate': {
      const sh = sim.shadows.get(a.shadowId);
      if (!sh) return no(`not-found: shadow ${a.shadowId}`);
      if (!(a.rate > 0 && a.rate <= 1)) return no(`invalid-argument: rate must be in (0, 1] (given ${a.rate})`);
      sh.rate = a.rate;
      sh.statsFromMs = sim.nowMs;
      sh.records = 0;
      sh.busyMs = 0;
      sh.busyMsSquared = 0;
      for (const b of sh.histogram) {
        b.records = 0;
        b.costMs = 0;
      }
      return ok(`rate ${a.rate}`);
    }
    case 'drop-shadow':
      return sim.shadows.delete(a.shadowId) ? ok('dropped') : no(`not-found: shadow ${a.shadowId}`);
  }
}

function split(sim: Simulation, a: SplitAction): ActionResult {
  const s = sim.shards.get(a.shardId);
  if (!s || s.state !== 'OPEN') return no(`not-found: shard ${a.shardId} is unknown or closed`);
  // On-demand mode: Kinesis reshards its own stream, several shards at once; a SplitShard call needs ACTIVE.
  const internal = sim.deployment.capacityMode === 'on-demand';
  if (!internal && sim.streamStatus !== 'ACTIVE') return no('resource-in-use: the stream is UPDATING');
  if (sim.pendingReshards.some((r) => r.shardIds.includes(s.id))) return no(`resource-in-use: shard ${s.id} is being resharded`);
  if (s.epoch !== a.expectedEpoch) return no(`stale-epoch: shard is at epoch ${s.epoch}, action expected ${a.expectedEpoch}`);
  if (a.newStartingHashKey <= s.range.start || a.newStartingHashKey > s.range.end) return no(`invalid-argument: split key ${a.newStartingHashKey} outside (${s.range.start}, ${s.range.end}]`);
  for (const w of [a.lowChildWorkerId, a.highChildWorkerId]) if (!sim.workerById.has(w)) return no(`not-found: worker ${w}`);
  sim.stats.splits++;
  schedule(sim, sim.profile.splitDurationMs, `split ${s.id}`, [s.id], () =>
    reshard(sim, [s], [
      { range: { start: s.range.start, end: a.newStartingHashKey - 1n }, owner: a.lowChildWorkerId },
      { range: { start: a.newStartingHashKey, end: s.range.end }, owner: a.highChildWorkerId },
    ]),
  );
  return ok(`children open in ${sim.profile.splitDurationMs} ms`);
}

function merge(sim: Simulation, a: MergeAction): ActionResult {
  const x = sim.shards.get(a.shardId);
  const y = sim.shards.get(a.adjacentShardId);
  if (!x || !y || x.state !== 'OPEN' || y.state !== 'OPEN') return no('not-found: both shards must be known and OPEN');
  if (sim.streamStatus !== 'ACTIVE') return no('resource-in-use: the stream is UPDATING');
  const [lo, hi] = x.range.start < y.range.start ? [x, y] : [y, x];
  if (lo.range.end + 1n !== hi.range.start) return no('invalid-argument: shards are not adjacent');
  if (!sim.workerById.has(a.workerId)) return no(`not-found: worker ${a.workerId}`);
  sim.stats.merges++;
  schedule(sim, sim.profile.splitDurationMs, `merge ${lo.id}+${hi.id}`, [lo.id, hi.id], () => reshard(sim, [lo, hi], [{ range: { start: lo.range.start, end: hi.range.end }, owner: a.workerId }]));
  return ok(`child opens in ${sim.profile.splitDurationMs} ms`);
}

/** Uniform scaling: every open shard closes and `target` even ranges open, each child of the shards it overlaps. */
function updateShardCount(sim: Simulation, a: UpdateShardCountAction): ActionResult {
  if (sim.streamStatus !== 'ACTIVE') return no('resource-in-use: the stream is UPDATING');
  const open = [...sim.shards.values()].filter((s) => s.state === 'OPEN');
  if (!Number.isInteger(a.targetShardCount) || a.targetShardCount < Math.ceil(open.length / 2) || a.targetShardCount > open.length * 2) {
    return no(`invalid-argument: targetShardCount must be between ${Math.ceil(open.length / 2)} and ${open.length * 2} (given ${a.targetShardCount})`);
  }
  if (a.targetShardCount === open.length) return no('no-op: already at that shard count');
  const recent = sim.shardCountUpdateTimes.filter((t) => t > sim.nowMs - DAY_MS);
  if (recent.length >= 10) return no('limit-exceeded: 10 UpdateShardCount calls per rolling 24 hours');
  sim.shardCountUpdateTimes.push(sim.nowMs);
  sim.stats.shardCountUpdates++;
  schedule(sim, sim.profile.updateShardCountDurationMs, `update-shard-count ${a.targetShardCount}`, open.map((x) => x.id), () => {
    const openNow = [...sim.shards.values()].filter((s) => s.state === 'OPEN');
    const counts = new Map(sim.workers.map((w) => [w.id, 0]));
    const children = evenRanges(a.targetShardCount).map((range) => {
      const owner = [...counts.entries()].sort((p, q) => p[1] - q[1])[0]![0];
      counts.set(owner, counts.get(owner)! + 1);
      return { range, owner };
    });
    reshard(sim, openNow, children);
  });
  return ok(`${a.targetShardCount} shards in ${sim.profile.updateShardCountDurationMs} ms`);
}

function schedule(sim: Simulation, durationMs: number, what: string, shardIds: readonly string[], complete: () => void): void {
  sim.pendingReshards.push({ doneAtMs: sim.nowMs + durationMs, what, shardIds, complete });
}

/** Runs the reshards whose time has come (the stream turns ACTIVE again). */
export function completeReshards(sim: Simulation, t: number): void {
  const due = sim.pendingReshards.filter((r) => r.doneAtMs <= t);
  if (due.length === 0) return;
  sim.pendingReshards = sim.pendingReshards.filter((r) => r.doneAtMs > t);
  for (const r of due) {
    r.complete();
    sim.stats.log.push({ atMs: t, kind: 'sim', what: `${r.what} done` });
  }
}

/**
 * Closes `parents` and opens `children`. A child's parents are the closed shards its range overlaps; it
 * processes nothing until all of them are drained. Producer retries waiting on a parent go to the child
 * now holding their keys (by the child's share of the parent's traffic), and so do records offered by hand
 * that had not arrived yet.
 */
function reshard(sim: Simulation, parents: SimShard[], children: { range: HashKeyRange; owner: string }[]): void {
  const created = children.map((c) => {
    const parentIds = parents.filter((p) => p.range.start <= c.range.end && p.range.end >= c.range.start).map((p) => p.id);
    return sim.addShard(c.range, parentIds, c.owner);
  });
  for (const p of parents) {
    p.state = 'CLOSED';
    p.closedAtMs = sim.nowMs;
    const kids = created.filter((c) => c.parentIds.includes(p.id));
    const weights = kids.map((k) => k.regionShares.reduce((a, rs) => a + rs.share * sim.regionRate[rs.region]!, 0) + k.hotKeys.reduce((a, h) => a + hotKeyRateAt(h.hot, sim.nowMs), 0));
    const total = weights.reduce((a, b) => a + b, 0);
    /** `count` records shared over the children by their traffic weights; the last child takes the rest. */
    const shareOut = (count: number, give: (kid: SimShard, n: number) => void): void => {
      let left = count;
      kids.forEach((k, i) => {
        const n = i === kids.length - 1 ? left : Math.round((count * weights[i]!) / (total || 1));
        const take = Math.min(left, n);
        left -= take;
        if (take > 0) give(k, take);
      });
    };
    for (const r of p.retries) shareOut(r.count, (k, n) => k.retries.push({ count: n, arrivalMs: r.arrivalMs, costMs: r.costMs }));
    p.retries = [];
    // Records offered by hand that had not yet arrived go to the children as well (they were dropped here,
    // uncounted: found by test/sim/model-based.test.ts, seed 663444543).
    shareOut(p.manualOffered, (k, n) => (k.manualOffered += n));
    p.manualOffered = 0;
  }
}
