import type { Action } from '../core/model/actions.js';
import type { ForeshadowConfig } from '../core/config/index.js';

/** Hooks the engine calls as things happen; the invariant checker is the one implementation. */
export interface SimObserver {
  onShardCreated(e: { shardId: string; parentIds: readonly string[]; owner: string; epoch: number; atMs: number }): void;
  onOwnerChange(e: { shardId: string; from: string; to: string; epoch: number; atMs: number }): void;
  /** Sequence numbers [firstSeq, endSeq) processed by `workerId` at `epoch` between startMs and endMs. */
  onPrimaryBatch(e: { shardId: string; firstSeq: number; endSeq: number; workerId: string; epoch: number; startMs: number; endMs: number }): void;
  onShadowBatch(e: { shadowId: string; shardId: string; workerId: string; records: number; atMs: number }): void;
  onShardDrained(e: { shardId: string; atMs: number }): void;
  onDecision(e: { policy: string; atMs: number; applied: readonly Action[]; liveShadows: number; config: ForeshadowConfig }): void;
}

/** What the checker needs to see at the end of a run. */
export interface FinalShardState {
  readonly shardId: string;
  /** Records accepted (sequence numbers assigned). */
  readonly accepted: number;
  /** Records the queue still holds. */
  readonly queued: number;
  /** Records written to the primary output (the processor's side effects). */
  readonly output: number;
}

interface ShardTrack {
  parentIds: readonly string[];
  epochOwners: Map<number, string>;
  epoch: number;
  nextSeq: number;
  lastEndMs: number;
  drainedAtMs?: number;
  started: boolean;
}

/**
 * Checks the invariants of DESIGN section 4 online, as the engine runs: one owner per epoch; primary batches
 * of a shard are contiguous, each sequence number processed exactly once, never overlapping in time (so
 * per-key order holds across moves); a child starts only after every parent drained; budgets per tick;
 * shadows never touch the primary path. `finish` adds the conservation check (accepted = processed + queued
 * = output + queued). Violations are collected, not thrown, so a run reports all of them.
 */
export class InvariantChecker implements SimObserver {
  readonly violations: string[] = [];
  private readonly shards = new Map<string, ShardTrack>();

  constructor(readonly seed: number) {}

  private fail(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }

  onShardCreated(e: { shardId: string; parentIds: readonly string[]; owner: string; epoch: number; atMs: number }): void {
    if (this.shards.has(e.shardId)) this.fail(`${e.shardId} created twice`);
    this.shards.set(e.shardId, { parentIds: e.parentIds, epochOwners: new Map([[e.epoch, e.owner]]), epoch: e.epoch, nextSeq: 0, lastEndMs: -Infinity, started: false });
  }

  onOwnerChange(e: { shardId: string; from: string; to: string; epoch: number; atMs: number }): void {
    const t = this.track(e.shardId);
    if (!t) return;
    if (e.epoch !== t.epoch + 1) this.fail(`${e.shardId}: owner change to epoch ${e.epoch} from epoch ${t.epoch} at ${e.atMs} ms`);
    if (t.epochOwners.get(t.epoch) !== e.from) this.fail(`${e.shardId}: move from ${e.from} but epoch ${t.epoch} is owned by ${String(t.epochOwners.get(t.epoch))}`);
    if (t.epochOwners.has(e.epoch)) this.fail(`${e.shardId}: epoch ${e.epoch} got a second owner ${e.to}`);
    t.epochOwners.set(e.epoch, e.to);
    t.epoch = e.epoch;
  }

  onPrimaryBatch(e: { shardId: string; firstSeq: number; endSeq: number; workerId: string; epoch: number; startMs: number; endMs: number }): void {
    const t = this.track(e.shardId);
    if (!t) return;
    if (t.epochOwners.get(e.epoch) !== e.workerId) this.fail(`${e.shardId}: batch processed by ${e.workerId} at epoch ${e.epoch}, owned by ${String(t.epochOwners.get(e.epoch))}`);
    if (e.epoch !== t.epoch) this.fail(`${e.shardId}: batch at stale epoch ${e.epoch} (current ${t.epoch})`);
    if (e.firstSeq !== t.nextSeq) this.fail(`${e.shardId}: batch starts at seq ${e.firstSeq}, expected ${t.nextSeq} (${e.firstSeq > t.nextSeq ? 'records skipped' : 'records processed twice'})`);
    if (e.endSeq <= e.firstSeq) this.fail(`${e.shardId}: empty or reversed batch [${e.firstSeq}, ${e.endSeq})`);
    if (e.startMs < t.lastEndMs) this.fail(`${e.shardId}: batch at ${e.startMs} ms overlaps the previous one (ended ${t.lastEndMs} ms): per-key order at risk`);
    if (!t.started) {
      for (const p of t.parentIds) {
        const parent = this.shards.get(p);
        if (parent?.drainedAtMs === undefined || parent.drainedAtMs > e.startMs) this.fail(`${e.shardId}: child started at ${e.startMs} ms before parent ${p} drained`);
      }
      t.started = true;
    }
    t.nextSeq = Math.max(t.nextSeq, e.endSeq);
    t.lastEndMs = e.endMs;
  }

  onShadowBatch(e: { shadowId: string; shardId: string; records: number }): void {
    if (e.records <= 0) this.fail(`shadow ${e.shadowId}: empty batch`);
    if (!this.shards.has(e.shardId)) this.fail(`shadow ${e.shadowId}: unknown shard ${e.shardId}`);
  }

  onShardDrained(e: { shardId: string; atMs: number }): void {
    const t = this.track(e.shardId);
    if (t) t.drainedAtMs = e.atMs;
  }

  onDecision(e: { policy: string; atMs: number; applied: readonly Action[]; liveShadows: number; config: ForeshadowConfig }): void {
    const moves = e.applied.filter((a) => a.type === 'move').length;
    const splits = e.applied.filter((a) => a.type === 'split').length;
    const budget = budgetsOf(e.policy, e.config);
    if (moves > budget.moves) this.fail(`${e.policy} at ${e.atMs} ms: ${moves} moves in one tick (budget ${budget.moves})`);
    if (splits > budget.splits) this.fail(`${e.policy} at ${e.atMs} ms: ${splits} splits in one tick (budget ${budget.splits})`);
    if (e.liveShadows > budget.shadows) this.fail(`${e.policy} at ${e.atMs} ms: ${e.liveShadows} live shadows (budget ${budget.shadows})`);
  }

  /** End-of-run checks: no record lost, none processed twice, shadows wrote no primary output. */
  finish(final: readonly FinalShardState[]): string[] {
    for (const s of final) {
      const t = this.track(s.shardId);
      if (!t) continue;
      if (s.accepted !== t.nextSeq + s.queued) this.fail(`${s.shardId}: ${s.accepted} accepted but ${t.nextSeq} processed + ${s.queued} queued (records lost or duplicated)`);
      if (s.output !== t.nextSeq) this.fail(`${s.shardId}: primary output holds ${s.output} records, ${t.nextSeq} were processed (shadow output leaked or records lost)`);
    }
    return this.violations;
  }

  /** Throws with every violation and the seed to reproduce the run. */
  assertHolds(): void {
    if (this.violations.length === 0) return;
    const text = `${this.violations.length} invariant violation(s):\n  ${this.violations.join('\n  ')}\nreproduce: seed=${this.seed}`;
    console.error(text);
    throw new Error(text);
  }

  private track(shardId: string): ShardTrack | undefined {
    const t = this.shards.get(shardId);
    if (!t) this.fail(`${shardId}: unknown shard`);
    return t;
  }
}

/** Per-tick budgets of a policy: its own configuration where it has one, unbounded otherwise. */
function budgetsOf(policy: string, config: ForeshadowConfig): { moves: number; splits: number; shadows: number } {
  if (policy === 'spm') return { moves: config.spm.maxMovesPerTick, splits: config.spm.maxSplitsPerTick, shadows: config.spm.maxShadows };
  if (policy === 'reactive-threshold') return { moves: config.baselines.reactiveThreshold.maxMovesPerTick, splits: Infinity, shadows: 0 };
  if (policy === 'static' || policy === 'parallelization-factor') return { moves: 0, splits: 0, shadows: 0 };
  if (policy === 'reactive-split') return { moves: 0, splits: 1, shadows: 0 };
  if (policy === 'on-demand') return { moves: 0, splits: Infinity, shadows: 0 };
  return { moves: Infinity, splits: Infinity, shadows: 0 };
}
