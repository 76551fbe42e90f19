import { describe, expect, it } from 'vitest';
import { applyActions } from '../../app/spm/action-applier.js';
import { loadView } from '../../app/spm/spm-tick.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { parseConfig } from '../../core/config/index.js';
import { shadowIdFor, type MoveAction } from '../../core/model/index.js';
import type { MetadataStore } from '../../core/ports/index.js';
import { records, scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lets both callers through only once both have arrived: two SPM runs that loaded the same state. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    arrived += 1;
    if (arrived === parties) release();
    await all;
  };
}

const moveTo = (toWorkerId: string) =>
  scriptedPolicy((view) => {
    const shard = view.partitions[0]!;
    return [{ type: 'move', shardId: shard.shardId, fromWorkerId: shard.ownerWorkerId, toWorkerId, expectedEpoch: shard.epoch, reason: `test: move to ${toWorkerId}` }];
  });

describe('handoff of a shard between workers', () => {
  it('promotes a shadow in the middle of a stream with no record lost, applied twice or reordered per key', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }] });
    try {
      await p.tick();
      const before = (await p.metadata.listPartitions())[0]!;
      const target = before.ownerWorkerId === 'w1' ? 'w2' : 'w1';
      const shadowId = shadowIdFor(before.shardId, target);
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId, shardId: before.shardId, workerId: target, kind: 'forward', rate: 0.1, reason: 'test' }]));
      p.esm.start();
      await p.produce(records(200, 12, { costMs: 2 }));
      await until(() => p.telemetry.batches.some((b) => b.mode === 'primary' && b.records > 0));

      const report = await p.tick(
        scriptedPolicy((view) => {
          const shard = view.partitions[0]!;
          return [{ type: 'move', shardId: shard.shardId, fromWorkerId: shard.ownerWorkerId, toWorkerId: target, expectedEpoch: shard.epoch, promotesShadowId: shadowId, reason: 'test: promote' }];
        }),
      );
      expect(report.results.map((r) => r.applied)).toEqual([true]);
      await p.produce(records(200, 12, { costMs: 2 }).map((r) => ({ ...r, v: r.v + 200 })));

      const { verdicts } = await p.settle(20_000);
      expect(verdicts).toEqual([]);
      const primaries = p.telemetry.batches.filter((b) => b.mode === 'primary' && b.records > 0);
      expect(primaries.some((b) => b.workerId === before.ownerWorkerId)).toBe(true);
      expect(primaries.some((b) => b.workerId === target)).toBe(true);
      // Once the new owner applied a batch, the old one never applied another.
      const firstByTarget = primaries.findIndex((b) => b.workerId === target);
      expect(primaries.slice(firstByTarget).every((b) => b.workerId === target)).toBe(true);
      const after = (await p.metadata.getPartition(before.shardId))!;
      expect(after).toMatchObject({ ownerWorkerId: target, epoch: before.epoch + 1 });
      expect((await p.metadata.listShadows()).map((s) => s.shadowId)).not.toContain(shadowId);
    } finally {
      await p.stop();
    }
  });

  it('lets exactly one of two SPM runs started at once apply its promotion', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }, { workerId: 'w3' }] });
    try {
      await p.tick();
      const before = (await p.metadata.listPartitions())[0]!;
      const bothLoaded = barrier(2);
      const gated = new Proxy(p.metadata, {
        get(target, property, receiver) {
          if (property === 'savePolicyState') {
            return async (...args: Parameters<MetadataStore['savePolicyState']>) => {
              await bothLoaded();
              return target.savePolicyState(...args);
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const [a, b] = await Promise.all([p.tick(moveTo('w2'), gated), p.tick(moveTo('w3'), gated)]);
      expect([a, b].filter((r) => r.claimed)).toHaveLength(1);
      const applied = [...a.results, ...b.results].filter((r) => r.applied && r.action.type === 'move') as { action: MoveAction }[];
      expect(applied).toHaveLength(1);
      const after = (await p.metadata.getPartition(before.shardId))!;
      expect(after).toMatchObject({ ownerWorkerId: applied[0]!.action.toWorkerId, epoch: before.epoch + 1 });
      const audit = await p.metadata.listAudit(0);
      expect(audit.filter((e) => e.entry.kind === 'event' && e.entry.event.type === 'hold' && e.entry.event.rule === 'tick-claim')).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });

  it('rejects the second of two conflicting moves on the epoch even without the tick claim', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }, { workerId: 'w3' }] });
    try {
      await p.tick();
      const deps = { metadata: p.metadata, metrics: p.metrics, stream: p.stream, clock: systemClock, policy: moveTo('w2'), config: parseConfig({}), tickId: 'x' };
      const view = await loadView(deps);
      const shard = view.partitions[0]!;
      const move = (to: string): MoveAction => ({ type: 'move', shardId: shard.shardId, fromWorkerId: shard.ownerWorkerId, toWorkerId: to, expectedEpoch: shard.epoch, reason: 'test' });
      const results = (await Promise.all([applyActions(deps, view, [move('w2')]), applyActions(deps, view, [move('w3')])])).flat();
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      expect(results.find((r) => !r.applied)?.detail).toMatch(/^stale-epoch/);
    } finally {
      await p.stop();
    }
  });
});
