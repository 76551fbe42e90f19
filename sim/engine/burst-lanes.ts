import { burstLanes } from '../../core/model/lanes.js';
import type { Simulation } from './engine.js';
import { hotKeyRateAt } from '../scenario/world.js';
import type { SimShard, SimWorker } from './state.js';

/** What one shard may process in a step: its owner's slot time, and burst lanes on free slots. */
export interface LaneGrant {
  readonly s: SimShard;
  readonly owner: SimWorker;
  /** The owner's effective speed (a silent slowdown included). */
  readonly speed: number;
  /** Wall time of the step the shard may process (not paused). */
  readonly avail: number;
  /** Busy time it can use per wall-clock time on its owner (ParallelizationFactor lanes; 1 without). */
  readonly parallel: number;
  /** Rationing of the owner's slots (1: not over-subscribed). */
  scale: number;
  readonly queuedWork: number;
  /** Slot time granted on the owner. */
  ownerMs: number;
  /** Concurrent invocations per batch (the mapping's lanes, or burst lanes). */
  lanes: number;
  /** Burst lanes on other workers: slot time there, and its speed. */
  helpers: readonly Helper[];
  /** With burst lanes: the work granted, and the work done per wall-clock ms while its lanes run. */
  burst: { readonly work: number; readonly rate: number } | undefined;
}

interface Helper {
  readonly worker: SimWorker;
  readonly speed: number;
  readonly ms: number;
}

/** The helpers of a grant without burst lanes (shared: never written). */
export const NO_HELPERS: readonly Helper[] = Object.freeze([]);

interface Slot {
  readonly worker: SimWorker;
  readonly speed: number;
  readonly ms: number;
  /** The slot the shard holds on its owner anyway (its first lane), not a free one. */
  readonly own: boolean;
}

const EPS = 1e-9;

/** The shard's current work per lane (`laneKey % lanes`), in cost per second. */
export function laneWork(sim: Simulation, shard: SimShard, t: number, lanes: number): Float64Array {
  const work = new Float64Array(lanes);
  for (const rs of shard.regionShares) {
    const w = sim.regionRate[rs.region]! * sim.regionCost[rs.region]!;
    for (const k of rs.keys) work[k.laneKey % lanes]! += w * k.weight;
  }
  for (const h of shard.hotKeys) work[h.laneKey % lanes]! += hotKeyRateAt(h.hot, t) * sim.regionCost[h.hot.region]! * h.hot.costFactor;
  return work;
}

/**
 * Burst lanes (core/model/lanes.ts) in a step. A shard whose lanes are open (its oldest record old enough, or
 * its demand still above one lane) has its keys split into lanes by key hash; the lanes go to the slots that
 * do the most work among the one it holds on its owner and the free ones (what the workers' own shards leave
 * this step), one lane per slot, the heaviest lane on the fastest, as the dispatcher sends its heaviest lane
 * to the fastest class. Lanes beyond the slots found share them. The batch is done when its slowest
 * lane is, so the shard's work in the step is the least, over the slots, of a slot's work over its lanes'
 * share. A lane never takes a slot a worker's own shard needs; the oldest backlog is served first.
 */
export function openBurstLanes(sim: Simulation, grants: LaneGrant[], spareMs: Map<string, number>, t: number): void {
  const lagging: { g: LaneGrant; age: number }[] = [];
  for (const g of grants) {
    const age = t - (g.s.queue[g.s.queueHead]?.arrivalMs ?? t);
    g.s.burstLanes = burstLanes(g.s.burstLanes, age, g.s.laneDemand, sim.config.lanes);
    if (g.avail > 0 && g.s.burstLanes > 1) lagging.push({ g, age });
  }
  if (lagging.length === 0) return;
  lagging.sort((a, b) => b.age - a.age || (a.g.s.id < b.g.s.id ? -1 : 1));
  const fastest = sim.workers.map((w) => ({ worker: w, speed: w.speed / w.slowdown })).sort((a, b) => b.speed - a.speed || (a.worker.id < b.worker.id ? -1 : 1));
  for (const { g } of lagging) {
    const lanes = g.s.burstLanes;
    const work = [...laneWork(sim, g.s, t, lanes)].filter((x) => x > 0).sort((a, b) => b - a);
    const total = work.reduce((a, b) => a + b, 0);
    if (work.length <= 1 || total <= 0) continue;
    const slots: Slot[] = [{ worker: g.owner, speed: g.speed, ms: g.avail * g.scale, own: true }];
    for (const f of fastest) {
      let free = spareMs.get(f.worker.id) ?? 0;
      while (free > EPS && slots.length <= work.length) {
        const ms = Math.min(g.avail, free);
        slots.push({ worker: f.worker, speed: f.speed, ms, own: false });
        free -= ms;
      }
    }
    if (slots.length <= 1) continue;
    // The lanes take the slots that do the most work: the owner's own is dropped when enough faster ones are free.
    slots.sort((a, b) => b.ms * b.speed - a.ms * a.speed);
    slots.length = Math.min(slots.length, work.length);
    const load = assignLanes(work.map((w) => w / total), slots);
    let throughput = Number.POSITIVE_INFINITY;
    slots.forEach((slot, i) => {
      if (load[i]! > 0) throughput = Math.min(throughput, (slot.ms * slot.speed) / load[i]!);
    });
    const granted = Math.min(throughput, g.queuedWork);
    if (granted <= g.ownerMs * g.speed + EPS) continue;
    g.ownerMs = 0;
    const helpers: Helper[] = [];
    slots.forEach((slot, i) => {
      if (load[i]! <= 0) return;
      const ms = (load[i]! * granted) / slot.speed;
      if (!slot.own) spareMs.set(slot.worker.id, (spareMs.get(slot.worker.id) ?? 0) - ms);
      if (slot.worker === g.owner) g.ownerMs += ms;
      else helpers.push({ worker: slot.worker, speed: slot.speed, ms });
    });
    g.helpers = helpers;
    g.lanes = lanes;
    g.burst = { work: granted, rate: throughput / g.avail };
  }
}

/**
 * Shares of the shard's work per slot: lane i (heaviest first) on slot i (most work first); a lane beyond
 * the slots joins the slot it slows least.
 */
function assignLanes(shares: readonly number[], slots: readonly Slot[]): number[] {
  const load = slots.map(() => 0);
  shares.forEach((share, i) => {
    if (i < slots.length) {
      load[i]! += share;
      return;
    }
    let best = 0;
    for (let j = 1; j < slots.length; j++) {
      if ((load[j]! + share) / (slots[j]!.ms * slots[j]!.speed) < (load[best]! + share) / (slots[best]!.ms * slots[best]!.speed)) best = j;
    }
    load[best]! += share;
  });
  return load;
}
