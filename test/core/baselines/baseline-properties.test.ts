import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import type { Policy } from '../../../core/policies/policy.js';
import { alarmAutoscalerPolicy } from '../../../core/policies/baselines/alarm-autoscaler.policy.js';
import { kcl3VariancePolicy } from '../../../core/policies/baselines/kcl3-variance.policy.js';
import { reactiveThresholdPolicy } from '../../../core/policies/baselines/reactive-threshold.policy.js';
import { staticPolicy } from '../../../core/policies/baselines/static.policy.js';
import { busyPoint, clusterView, configWith, partition, readPoint, stableJson, worker } from './factories.js';

/** Settings that make every baseline act often, so the properties meet many moves and scalings. */
const eager = configWith({
  baselines: {
    reactiveThreshold: { overloadTicks: 1, maxMovesPerTick: 3, overloadUtilization: 0.5 },
    kcl3Variance: { balanceEveryNthTick: 1 },
    alarmAutoscaler: { periodMs: 1000, scaleUpPoints: 1, scaleUpWindowPoints: 1, scaleDownPoints: 1, scaleDownWindowPoints: 2 },
  },
});

const shardArb = fc.record({
  owner: fc.nat({ max: 5 }),
  epoch: fc.nat({ max: 50 }),
  closed: fc.nat({ max: 3 }).map((n) => n === 0),
});
const tickArb = (shards: number, workers: number) =>
  fc.record({
    rates: fc.array(fc.tuple(fc.nat({ max: 2000 }), fc.double({ min: 0, max: 1.5, noNaN: true }), fc.integer({ min: 1, max: 10_000 })), { minLength: shards, maxLength: shards }),
    busy: fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: workers, maxLength: workers }),
    missingWorkerMetrics: fc.boolean(),
  });

/** A cluster of 2–5 workers and 1–10 shards seen over 1–5 ticks, with random load each tick. */
const scenarioArb = fc
  .record({ workers: fc.integer({ min: 2, max: 5 }), shards: fc.array(shardArb, { minLength: 1, maxLength: 10 }) })
  .chain(({ workers, shards }) =>
    fc.record({ workers: fc.constant(workers), shards: fc.constant(shards), ticks: fc.array(tickArb(shards.length, workers), { minLength: 1, maxLength: 5 }) }),
  )
  .map(({ workers, shards, ticks }): ClusterView[] => {
    const workerIds = Array.from({ length: workers }, (_, i) => `w${i}`);
    return ticks.map((tick, t) =>
      clusterView({
        nowMs: (t + 1) * 1000,
        workers: workerIds.map((id) => worker(id)),
        partitions: shards.map((s, i) => partition(`s${i}`, workerIds[s.owner % workers]!, { epoch: s.epoch, state: s.closed ? 'CLOSED' : 'OPEN' })),
        shardMetrics: Object.fromEntries(shards.map((_, i) => [`s${i}`, [readPoint(t * 1000, tick.rates[i]![0], tick.rates[i]![1], tick.rates[i]![2])]])),
        workerMetrics: Object.fromEntries(workerIds.flatMap((id, i) => (tick.missingWorkerMetrics && i === 0 ? [] : [[id, [busyPoint(t * 1000, tick.busy[i]!)]]]))),
      }),
    );
  });

const policies = [reactiveThresholdPolicy, kcl3VariancePolicy, alarmAutoscalerPolicy, staticPolicy] as Policy<unknown>[];

describe.each(policies.map((p) => [p.name, p]))('%s, on random clusters', (_name, policy) => {
  it('is deterministic: the same view, config and (JSON round-tripped) state give the same JSON output', () => {
    fc.assert(
      fc.property(scenarioArb, (views) => {
        let state = policy.initialState();
        for (const view of views) {
          const first = policy.decide(view, eager, state);
          const again = policy.decide(view, eager, JSON.parse(JSON.stringify(state)) as unknown);
          expect(stableJson(again)).toBe(stableJson(first));
          expect(JSON.parse(JSON.stringify(first.nextState))).toEqual(first.nextState);
          state = first.nextState;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('moves only OPEN shards, from their owner at their current epoch, to another known worker, once per shard per tick', () => {
    fc.assert(
      fc.property(scenarioArb, (views) => {
        let state = policy.initialState();
        for (const view of views) {
          const decision = policy.decide(view, eager, state);
          const workerIds = new Set(view.workers.map((w) => w.workerId));
          const shardIds = decision.actions.flatMap((a) => ('shardId' in a ? [a.shardId] : []));
          expect(new Set(shardIds).size).toBe(shardIds.length);
          for (const action of decision.actions) {
            if (action.type !== 'move') continue;
            const shard = view.partitions.find((p) => p.shardId === action.shardId)!;
            expect(shard.state).toBe('OPEN');
            expect(action.expectedEpoch).toBe(shard.epoch);
            expect(action.fromWorkerId).toBe(shard.ownerWorkerId);
            expect(action.toWorkerId).not.toBe(shard.ownerWorkerId);
            expect(workerIds.has(action.toWorkerId)).toBe(true);
            expect(action.reason.length).toBeGreaterThan(0);
          }
          state = decision.nextState;
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('alarm-autoscaler, on random clusters', () => {
  it('never moves a shard and asks for at most one UpdateShardCount per tick', () => {
    fc.assert(
      fc.property(scenarioArb, (views) => {
        let state = alarmAutoscalerPolicy.initialState();
        for (const view of views) {
          const decision = alarmAutoscalerPolicy.decide(view, eager, state);
          expect(decision.actions.every((a) => a.type === 'update-shard-count')).toBe(true);
          expect(decision.actions.length).toBeLessThanOrEqual(1);
          state = decision.nextState;
        }
      }),
      { numRuns: 60 },
    );
  });
});
