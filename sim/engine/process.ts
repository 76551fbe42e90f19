import { laneDemand } from '../../core/model/lanes.js';
import { hotKeyRateAt } from '../scenario/world.js';
import { laneWork, NO_HELPERS, openBurstLanes, type LaneGrant } from './burst-lanes.js';
import type { Simulation } from './engine.js';
import { queuedWorkMs, type SimShadow, type SimShard, type SimWorker } from './state.js';

/**
 * Processing of one step on every worker. A shard needs one slot while it processes (it is sequential, so
 * it can use at most `dt` of busy time per step); a shadow likewise. A worker whose primary demand exceeds
 * `slots × dt` is over-subscribed: its invocations queue (reserved concurrency throttles them), which we
 * model as every demand getting the same fraction of what it asked for. Shadow work runs on the worker
 * class's own shadow function: same memory, so the worker's effective speed (a silent slowdown slows it
 * too), but its own `shadowSlots`, rationed the same way among the worker's shadows only. It never takes a
 * primary slot, and an over-subscribed shadow function harms no primary, so it is not an overload.
 */
export function processStep(sim: Simulation, t: number, dt: number): void {
  const byWorker = new Map<string, SimShard[]>();
  for (const shard of sim.shards.values()) {
    if (shard.drainedAtMs !== undefined) continue;
    countPause(sim, shard, t, dt);
    const list = byWorker.get(shard.owner) ?? [];
    list.push(shard);
    byWorker.set(shard.owner, list);
  }
  const shadowsByWorker = new Map<string, SimShadow[]>();
  for (const sh of sim.shadows.values()) {
    const list = shadowsByWorker.get(sh.workerId) ?? [];
    list.push(sh);
    shadowsByWorker.set(sh.workerId, list);
  }
  let overloaded = false;
  const grants: LaneGrant[] = [];
  const spareMs = new Map<string, number>();
  for (const worker of sim.workers) {
    const speed = worker.speed / worker.slowdown;
    const shards = (byWorker.get(worker.id) ?? []).filter((s) => canProcess(sim, s, t));
    const capacity = worker.slots * dt;
    const first = grants.length;
    let used = 0;
    for (const s of shards) {
      const avail = Math.max(0, t + dt - Math.max(t, s.pausedUntilMs));
      // Lanes run side by side: the shard can use `parallel` times its wall-clock time in busy time.
      const parallel = sim.lanes > 1 ? laneParallelism(sim, s, t, sim.lanes) : 1;
      // A queue whose work rounds to zero still needs a moment, or its last record would never finish.
      const queuedWork = Math.max(EPS, queuedWorkMs(s));
      const demand = Math.min(avail * parallel, queuedWork / speed);
      used += demand;
      grants.push({ s, owner: worker, speed, avail, parallel, scale: 1, queuedWork, ownerMs: demand, lanes: sim.lanes, helpers: NO_HELPERS, burst: undefined });
    }
    const scale = rationing(used, capacity);
    if (scale < 1) {
      overloaded = true;
      for (let i = first; i < grants.length; i++) {
        const g = grants[i]!;
        g.scale = scale;
        g.ownerMs *= scale;
      }
    }
    spareMs.set(worker.id, Math.max(0, capacity - used));
  }
  if (sim.deployment.burstLanes) openBurstLanes(sim, grants, spareMs, t);
  for (const g of grants) {
    if (g.ownerMs <= 0 && !g.burst) continue;
    const busy = processShard(sim, g, t + (dt - g.avail));
    if (sim.deployment.burstLanes) g.s.laneDemand = laneDemand(g.s.laneDemand, busy, dt);
    // Behind: it used all the time it could get (its owner's and its lanes') and still has queued work
    // from before this step.
    const behind = timeLimited(g) && g.s.queueHead < g.s.queue.length;
    if (behind) overloaded = true;
    g.s.behindSteps = behind ? g.s.behindSteps + 1 : 0;
  }
  for (const worker of sim.workers) {
    const effSpeed = worker.speed / worker.slowdown;
    const shadows = shadowsByWorker.get(worker.id) ?? [];
    const shadowDemand = shadows.map((sh) => Math.min(dt, sh.pendingWorkMs / effSpeed));
    const shadowScale = rationing(shadowDemand.reduce((a, b) => a + b, 0), worker.shadowSlots * dt);
    shadows.forEach((sh, i) => {
      const granted = shadowDemand[i]! * shadowScale;
      if (granted > 0) processShadow(sim, sh, worker, effSpeed, granted, t);
    });
  }
  for (const shard of sim.shards.values()) {
    if (shard.drainedAtMs !== undefined) continue;
    const oldest = shard.queue[shard.queueHead]?.arrivalMs;
    const age = oldest === undefined ? 0 : Math.max(0, t + dt - oldest);
    if (age > shard.metrics.iteratorAgeMsMax) shard.metrics.iteratorAgeMsMax = age;
    if (age > sim.stats.maxIteratorAgeMs) sim.stats.maxIteratorAgeMs = age;
    if (age > sim.profile.overloadIteratorAgeMs) {
      overloaded = true;
      if (!sim.stats.firstOverloadMs.has(shard.id)) sim.stats.firstOverloadMs.set(shard.id, t + dt);
    }
    if (shard.state === 'CLOSED' && oldest === undefined && shard.retries.length === 0) {
      shard.drainedAtMs = t + dt;
      sim.options.observer?.onShardDrained({ shardId: shard.id, atMs: t + dt });
      for (const sh of [...sim.shadows.values()]) {
        if (sh.shardId !== shard.id) continue;
        sim.shadows.delete(sh.id);
        sim.stats.log.push({ atMs: t + dt, kind: 'sim', what: `shadow ${sh.id} ended: shard drained`, shardId: shard.id });
      }
    }
  }
  if (overloaded) sim.stats.overloadSteps++;
  for (const sh of sim.shadows.values()) {
    sim.stats.shadowRateSeconds += (sh.rate * dt) / 1000;
    sim.stats.shadowSeconds += dt / 1000;
  }
}

/**
 * How many times its wall-clock time a shard can use in busy time with `lanes` lanes (ParallelizationFactor):
 * each key's records stay in the lane `laneKey % lanes`, so the busiest lane bounds it: 1 / (that lane's share
 * of the shard's current work), at most `lanes`. A hot key carrying 60 % of the work gives 1 / 0.6 ≈ 1.67.
 */
export function laneParallelism(sim: Simulation, shard: SimShard, t: number, lanes: number): number {
  const work = laneWork(sim, shard, t, lanes);
  let total = 0;
  let busiest = 0;
  for (const x of work) {
    total += x;
    if (x > busiest) busiest = x;
  }
  return total > 0 && busiest > 0 ? Math.min(lanes, total / busiest) : 1;
}

/** Work (ms) below which floating-point leftovers count as done. */
const EPS = 1e-9;

/** The fraction of its demand every invocation gets when `demand` competes for `capacity` (1: no queueing). */
function rationing(demand: number, capacity: number): number {
  return demand > capacity ? capacity / demand : 1;
}

/**
 * Handoff pause of one step: a shard with queued records that may not process because a move's handoff
 * pause is running (for the paused part of the step), or because a parent has not drained yet (the whole
 * step). Counted before processing, on the records queued from earlier steps.
 */
function countPause(sim: Simulation, shard: SimShard, t: number, dt: number): void {
  if (shard.queueHead >= shard.queue.length) return;
  if (!parentsDrained(sim, shard)) sim.stats.parentWaitMs += dt;
  else if (shard.pausedUntilMs > t) sim.stats.movePauseMs += Math.min(dt, shard.pausedUntilMs - t);
}

/** A shard may process when it has records, is not paused by a handoff and every parent has drained. */
function canProcess(sim: Simulation, shard: SimShard, t: number): boolean {
  if (shard.queueHead >= shard.queue.length || shard.pausedUntilMs >= t + sim.profile.stepMs) return false;
  return parentsDrained(sim, shard);
}

/** Parent before children: every parent of the shard has been read to its end. */
function parentsDrained(sim: Simulation, shard: SimShard): boolean {
  return shard.parentIds.every((p) => sim.shards.get(p)?.drainedAtMs !== undefined);
}

/** Whether a shard got less time than its queue needed (rationed, or on its lanes' time), not its whole queue. */
function timeLimited(g: LaneGrant): boolean {
  return g.burst ? g.burst.work < g.queuedWork - EPS : g.ownerMs >= g.avail * g.parallel * g.scale - EPS;
}

/** Processes a shard's grant as one batch (fanned out over its lanes); its busy time, in its owner's time. */
function processShard(sim: Simulation, g: LaneGrant, startMs: number): number {
  const { s: shard, owner: worker, speed: effSpeed } = g;
  const total = g.burst ? g.burst.work : g.ownerMs * effSpeed;
  let work = total;
  const firstSeq = shard.processedSeq;
  let used = 0;
  // Work done per wall-clock ms: its lanes side by side (rationed), or its burst lanes'.
  const rate = g.burst ? g.burst.rate : effSpeed * g.scale * g.parallel;
  while (shard.queueHead < shard.queue.length) {
    const chunk = shard.queue[shard.queueHead]!;
    const per = chunk.costMs;
    const headLeft = per - shard.headProgressMs;
    if (per > 0 && work <= EPS) break;
    if (per > 0 && work + EPS < headLeft) {
      shard.headProgressMs += work;
      used += work;
      work = 0;
      break;
    }
    const k = per <= 0 ? chunk.count : Math.min(chunk.count, 1 + Math.floor((work - headLeft + EPS) / per));
    const spent = per <= 0 ? 0 : Math.max(0, headLeft) + (k - 1) * per;
    const doneAt = startMs + (used + spent / 2) / rate;
    sim.stats.latency.add(doneAt - chunk.arrivalMs, k);
    shard.metrics.ageMsSum += (doneAt - chunk.arrivalMs) * k;
    used += spent;
    work -= spent;
    shard.headProgressMs = 0;
    shard.processedSeq += k;
    chunk.count -= k;
    if (chunk.count === 0) shard.queueHead++;
    sampleForShadows(sim, shard, shard.processedSeq - k, shard.processedSeq, per);
  }
  if (shard.queueHead > 64 && shard.queueHead * 2 > shard.queue.length) {
    shard.queue = shard.queue.slice(shard.queueHead);
    shard.queueHead = 0;
  }
  // Busy time where it ran, in proportion to each lane's work; the shard's own figure in its owner's time (what
  // the dispatcher reports, so the SPM sees the shard's demand on its owner, lanes or not).
  const usedShare = total > 0 ? used / total : 0;
  const ownerBusy = g.ownerMs * usedShare;
  const busy = used / effSpeed;
  shard.metrics.busyMs += busy;
  worker.metrics.primaryBusyMs += ownerBusy;
  sim.stats.primaryBusyMs += ownerBusy;
  sim.stats.workerGbMs += (ownerBusy * worker.memoryMb) / 1024;
  for (const h of g.helpers) {
    const helperBusy = h.ms * usedShare;
    h.worker.metrics.primaryBusyMs += helperBusy;
    sim.stats.primaryBusyMs += helperBusy;
    sim.stats.workerGbMs += (helperBusy * h.worker.memoryMb) / 1024;
  }
  const laneCount = g.lanes;
  const scale = rate / effSpeed;
  const processed = shard.processedSeq - firstSeq;
  shard.metrics.processedRecords += processed;
  if (processed > 0) {
    const lanes = Math.min(laneCount, processed);
    if (sim.deployment.dataPlane !== 'dispatcher') {
      // With ParallelizationFactor, each lane's records come in batches of their own (keys spread over every lane).
      const invocations = lanes * Math.ceil(processed / lanes / sim.profile.batchSize);
      worker.metrics.invocations += invocations;
      sim.stats.workerInvocations += invocations;
    } else {
      // Burst lanes: the dispatcher's batch goes out as one invocation of the owner per lane.
      const batches = Math.ceil(processed / sim.profile.batchSize);
      const ownerCalls = batches * lanes;
      worker.metrics.invocations += ownerCalls;
      sim.stats.dispatcherInvocations += batches;
      if (worker.workerClass === sim.inlineClass) {
        // Inline: the dispatcher, sized as the class, processes a batch (its first lane) itself: the worker's
        // busy time is already billed above at the class's memory; its own overhead, no wait billed twice.
        // Further lanes go to the class's worker function.
        sim.stats.workerInvocations += ownerCalls - batches;
        sim.stats.dispatcherGbMs += (batches * DISPATCH_OVERHEAD_MS * worker.memoryMb) / 1024;
      } else {
        // It waits for its lanes side by side: the wall time of the busiest one.
        sim.stats.workerInvocations += ownerCalls;
        sim.stats.dispatcherGbMs += ((busy / Math.max(1, scale) + batches * DISPATCH_OVERHEAD_MS) * sim.dispatcherMemoryMb) / 1024;
      }
    }
    sim.output.set(shard.id, (sim.output.get(shard.id) ?? 0) + processed);
    sim.options.observer?.onPrimaryBatch({ shardId: shard.id, firstSeq, endSeq: shard.processedSeq, workerId: worker.id, epoch: shard.epoch, startMs, endMs: startMs + used / rate });
  }
  return busy;
}

/** Dispatcher: its own time per invocation (it also waits on the owner); its memory is `sim.dispatcherMemoryMb`. */
export const DISPATCH_OVERHEAD_MS = 5;

/**
 * The dispatcher clones a deterministic sample of each batch to the shard's shadows: sequence number s is
 * sampled at rate r when ⌊(s+1)·r⌋ > ⌊s·r⌋, so exactly a fraction r of the sequence is sampled, with no
 * randomness, and the same records would be chosen again on a replay.
 */
function sampleForShadows(sim: Simulation, shard: SimShard, fromSeq: number, toSeq: number, costMs: number): void {
  if (sim.shadows.size === 0) return;
  for (const sh of sim.shadows.values()) {
    if (sh.shardId !== shard.id) continue;
    const sampled = Math.floor(toSeq * sh.rate) - Math.floor(fromSeq * sh.rate);
    if (sampled <= 0) continue;
    const cv = sim.options.scenario.costCv;
    sh.pendingRecords += sampled;
    sh.pendingWorkMs += sampled * Math.max(0, costMs * (1 + (cv / Math.sqrt(sampled)) * sim.shadowGauss()));
  }
}

/** Dry-run processing of a shadow's sampled records: busy time on its worker and stats, no output. */
function processShadow(sim: Simulation, sh: SimShadow, worker: SimWorker, effSpeed: number, grantedMs: number, t: number): void {
  const fraction = Math.min(1, (grantedMs * effSpeed) / sh.pendingWorkMs);
  const records = fraction >= 1 ? sh.pendingRecords : Math.floor(sh.pendingRecords * fraction);
  if (records <= 0) return;
  const work = (sh.pendingWorkMs * records) / sh.pendingRecords;
  sh.pendingRecords -= records;
  sh.pendingWorkMs -= work;
  const busy = work / effSpeed;
  const mean = busy / records;
  const cv = sim.options.scenario.costCv;
  sh.records += records;
  sh.busyMs += busy;
  sh.busyMsSquared += records * mean * mean * (1 + cv * cv);
  addToHistogram(sim, sh, records, busy, t);
  worker.metrics.shadowBusyMs += busy;
  sim.stats.shadowBusyMs += busy;
  sim.stats.workerGbMs += (busy * worker.memoryMb) / 1024;
  const invocations = Math.max(1, Math.ceil(records / sim.profile.batchSize));
  sim.stats.shadowInvocations += invocations;
  sim.stats.dispatcherGbMs += (invocations * DISPATCH_OVERHEAD_MS * sim.dispatcherMemoryMb) / 1024;
  sim.options.observer?.onShadowBatch({ shadowId: sh.id, shardId: sh.shardId, workerId: worker.id, records, atMs: t });
}

/** Spreads a shadow batch over the shard's hash-key buckets by the current popularity of its keys. */
function addToHistogram(sim: Simulation, sh: SimShadow, records: number, busy: number, t: number): void {
  const shard = sim.shards.get(sh.shardId);
  if (!shard) return;
  const rec = new Float64Array(sh.histogram.length);
  const cost = new Float64Array(sh.histogram.length);
  for (const rs of shard.regionShares) {
    const rate = sim.regionRate[rs.region]!;
    const c = sim.regionCost[rs.region]!;
    for (const k of rs.keys) {
      rec[k.bucket]! += rate * k.weight;
      cost[k.bucket]! += rate * k.weight * c;
    }
  }
  for (const h of shard.hotKeys) {
    const rate = hotKeyRateAt(h.hot, t);
    rec[h.bucket]! += rate;
    cost[h.bucket]! += rate * sim.regionCost[h.hot.region]! * h.hot.costFactor;
  }
  const recTotal = rec.reduce((a, b) => a + b, 0);
  if (recTotal <= 0) return;
  // A sample, not the truth: each bucket's count gets Poisson-like noise, then the batch's records and busy
  // time are shared out by the noisy counts (busy time weighted by each bucket's cost per record).
  const noisy = new Float64Array(rec.length);
  const noisyCost = new Float64Array(rec.length);
  for (let i = 0; i < rec.length; i++) {
    if (rec[i]! <= 0) continue;
    const expected = (records * rec[i]!) / recTotal;
    noisy[i] = Math.max(0, expected + Math.sqrt(expected) * sim.shadowGauss());
    noisyCost[i] = noisy[i]! * (cost[i]! / rec[i]!);
  }
  const n = noisy.reduce((a, b) => a + b, 0);
  const c = noisyCost.reduce((a, b) => a + b, 0);
  if (n <= 0 || c <= 0) return;
  for (let i = 0; i < sh.histogram.length; i++) {
    sh.histogram[i]!.records += (records * noisy[i]!) / n;
    sh.histogram[i]!.costMs += (busy * noisyCost[i]!) / c;
  }
}
