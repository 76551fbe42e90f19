import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MoveAction } from '../../core/model/actions.js';
import { shadowIdFor } from '../../core/model/shadow.js';
import { runPolicy, type PolicyRun } from '../../sim/run.js';
import { loadScenario, scenarioConfig } from '../../sim/scenario/load.js';

/**
 * The SPM's rollback on a reverse shadow never fires in the built-in scenarios (their moves are right: the
 * shard never reaches the overload threshold on its new owner). This fixture makes a move wrong after the
 * fact: right after the SPM moves shard 2 onto the large class, that class silently becomes 4x slower.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/wrong-move.yaml', import.meta.url));
const SEED = 1;
const SHARD = 'shardId-000000000002';
const SLOWDOWN_MS = 24 * 60_000;

function movesOf(run: PolicyRun, shardId: string): { atMs: number; action: MoveAction }[] {
  return run.log.flatMap((e) => (e.kind === 'action' && e.applied && e.action.type === 'move' && e.action.shardId === shardId ? [{ atMs: e.atMs, action: e.action }] : []));
}

describe('rollback on a reverse shadow, in the simulator (fixture wrong-move)', () => {
  let withReverse: PolicyRun;
  let withoutReverse: PolicyRun;
  beforeAll(() => {
    const scenario = loadScenario(FIXTURE);
    withReverse = runPolicy(scenario, 'spm', SEED, scenarioConfig(scenario));
    withoutReverse = runPolicy(scenario, 'spm', SEED, scenarioConfig(scenario, { spm: { reverseShadow: { enabled: false } } }));
  });

  it('keeps every simulator invariant in both runs', () => {
    expect(withReverse.violations).toEqual([]);
    expect(withoutReverse.violations).toEqual([]);
  });

  it('moves the shard to the large class before the slowdown, keeping its old owner as a reverse shadow', () => {
    const [first] = movesOf(withReverse, SHARD);
    expect(first?.atMs).toBeLessThan(SLOWDOWN_MS);
    expect(first?.action.toWorkerId).toMatch(/^large-/);
    const reverse = withReverse.log.find((e) => e.kind === 'action' && e.applied && e.action.type === 'create-shadow' && e.action.kind === 'reverse' && e.action.shardId === SHARD);
    expect(reverse?.kind === 'action' && reverse.action.type === 'create-shadow' && reverse.action.workerId).toBe(first?.action.fromWorkerId);
  });

  it('rolls the shard back to its old owner once the new owner overloads and the reverse shadow says the old one can take it', () => {
    const [first, second] = movesOf(withReverse, SHARD);
    expect(second?.atMs).toBeGreaterThan(SLOWDOWN_MS);
    expect(second?.action.reason).toMatch(/^roll back: /);
    expect(second?.action.fromWorkerId).toBe(first?.action.toWorkerId);
    expect(second?.action.toWorkerId).toBe(first?.action.fromWorkerId);
    expect(second?.action.promotesShadowId).toBe(shadowIdFor(SHARD, first!.action.fromWorkerId, 'reverse'));
  });

  it('never rolls back without the reverse shadow', () => {
    expect(movesOf(withoutReverse, SHARD).filter((m) => m.action.reason.startsWith('roll back'))).toEqual([]);
  });

  it('ends with fewer overload-seconds than the same run without the reverse shadow', () => {
    expect(withReverse.report.overloadSeconds).toBeLessThan(withoutReverse.report.overloadSeconds);
  });
});
