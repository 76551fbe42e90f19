import { describe, expect, it } from 'vitest';
import { createDispatcher, type DispatcherOptions } from '../../app/dispatch/dispatcher.js';
import type { MappingStart } from '../../app/dispatch/parent-gate.js';
import type { DispatchFigures } from '../../app/telemetry.js';
import { isSampled } from '../../app/sequence.js';
import type { DrainFromTime, InvokeFailure, Outcome, ShardLoadPoint, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/index.js';
import { FakeMetadata, partition, wireRecord } from './factories.js';

type Answer = (workerId: string, request: WorkerRequest) => Outcome<WorkerResponse, InvokeFailure> | Promise<Outcome<WorkerResponse, InvokeFailure>>;

const success: Answer = () => ok({ batchItemFailures: [], processed: 1, busyMs: 1 });

function setup(options: { mappingStart?: MappingStart; answer?: Answer; asyncAnswer?: WorkerInvoker['invokeAsync']; drained?: (shardId: string, after?: string | DrainFromTime) => boolean | Promise<boolean>; dispatcher?: DispatcherOptions } = {}) {
  const metadata = new FakeMetadata(partition());
  const loads: ShardLoadPoint[] = [];
  const trace: string[] = [];
  const figures: DispatchFigures[] = [];
  let now = 0;
  const invoker: WorkerInvoker = {
    invoke: async (workerId, request) => {
      trace.push(`invoke ${workerId} epoch=${request.epoch} n=${request.records.length}`);
      return (options.answer ?? success)(workerId, request);
    },
    invokeAsync:
      options.asyncAnswer ??
      (async (workerId, request) => {
        trace.push(`clone ${workerId} n=${request.records.length}`);
        return ok({ calls: 1 });
      }),
  };
  const dispatcher = createDispatcher(
    {
      metadata,
      stream: {
        isDrained: async (shardId, after) => (trace.push(`drained? ${shardId} after=${typeof after === 'object' ? `time ${after.atTimestampMs}` : after}`), options.drained?.(shardId, after) ?? true),
      },
      invoker,
      clock: { nowMs: () => now },
      sleep: async (ms) => {
        now += ms;
      },
      telemetry: { dispatch: (f) => figures.push(f), workerBatch: () => undefined },
      load: { addShardLoad: async (points) => void loads.push(...points) },
      ...(options.mappingStart === undefined ? {} : { mappingStart: async () => options.mappingStart! }),
    },
    options.dispatcher,
  );
  const batch = (shardId: string, seqs: number[]) => {
    const records = seqs.map((s) => wireRecord(s, `k${s}`, { v: s }));
    return { shardId, records, bytes: 10 * records.length };
  };
  return { metadata, trace, figures, dispatcher, batch, loads };
}

describe('the dispatcher', () => {
  it('invokes the owner with the batch and the epoch and returns its failures', async () => {
    const { dispatcher, trace, batch, metadata } = setup({ answer: () => ok({ batchItemFailures: [{ itemIdentifier: '1000002' }], processed: 1, busyMs: 1 }) });
    const result = await dispatcher.dispatch(batch('shardId-000000000000', [1, 2, 3]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1000002' }]);
    expect(trace).toEqual(['invoke w1 epoch=1 n=3']);
    expect(metadata.progress.get('shardId-000000000000')?.lastSequenceNumber).toBe('1000001');
  });

  it('counts the load in Kinesis records the owner finished, not in the user records it says it applied (KPL aggregates)', async () => {
    // Three Kinesis records packing 36 user records; the owner fails the third: two finished.
    const { dispatcher, batch, loads } = setup({ answer: () => ok({ batchItemFailures: [{ itemIdentifier: '1000003' }], processed: 24, busyMs: 12 }) });
    await dispatcher.dispatch(batch('shardId-000000000000', [1, 2, 3]));
    expect(loads).toEqual([expect.objectContaining({ shardId: 'shardId-000000000000', incomingRecords: 3, processedRecords: 2, busyMs: 12 })]);
  });

  it('re-reads the placement and retries on the new owner when the worker answers stale epoch', async () => {
    const { dispatcher, trace, batch, metadata } = setup({
      answer: (workerId) =>
        workerId === 'w1' ? ok({ batchItemFailures: [], processed: 0, busyMs: 0, rejected: { reason: 'stale-epoch', currentEpoch: 2, ownerWorkerId: 'w2' } }) : success(workerId, undefined as never),
    });
    await dispatcher.dispatch(batch('shardId-000000000000', [1]));
    metadata.partitions.set('shardId-000000000000', partition({ ownerWorkerId: 'w2', epoch: 2 }));
    const result = await dispatcher.dispatch(batch('shardId-000000000000', [2]));
    expect(result.batchItemFailures).toEqual([]);
    expect(trace.slice(-2)).toEqual(['invoke w1 epoch=1 n=1', 'invoke w2 epoch=2 n=1']);
  });

  it.each<[string, Outcome<WorkerResponse, InvokeFailure>]>([
    ['throttled', failed('throttled', 'busy')],
    ['a function error', failed('function-error', 'boom')],
  ])('hands the whole batch back when the owner is %s', async (_what, outcome) => {
    const { dispatcher, batch, metadata } = setup({ answer: () => outcome });
    const result = await dispatcher.dispatch(batch('shardId-000000000000', [1, 2]));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1000001', '1000002']);
    expect(metadata.progress.size).toBe(0);
  });

  it('holds a child batch until its parent is drained, then lets it through', async () => {
    let checks = 0;
    const { dispatcher, trace, batch, metadata, figures } = setup({ drained: () => ++checks >= 3 });
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    metadata.progress.set('parent', { shardId: 'parent', lastSequenceNumber: '77', updatedAtMs: 0 });
    await dispatcher.dispatch(batch('child', [1]));
    expect(trace).toEqual(['drained? parent after=77', 'drained? parent after=77', 'drained? parent after=77', 'invoke w1 epoch=1 n=1']);
    expect(metadata.progress.get('parent')).toMatchObject({ drained: true, lastSequenceNumber: '77' });
    expect(figures[0]).toMatchObject({ held: false, heldMs: 2000 });
  });

  it.each<[string, MappingStart | undefined, string | undefined, string]>([
    ['the mapping at TRIM_HORIZON reads it from its start', { position: 'TRIM_HORIZON' }, undefined, 'drained? parent after=undefined'],
    ['an unconfigured mapping start counts as TRIM_HORIZON', undefined, undefined, 'drained? parent after=undefined'],
    ['the mapping at LATEST reads it from the time the mapping started', { position: 'LATEST', notBeforeMs: 5000 }, undefined, 'drained? parent after=time 5000'],
    ['progress in the parent reads after it, wherever the mapping started', { position: 'LATEST', notBeforeMs: 5000 }, '77', 'drained? parent after=77'],
  ])('decides a parent\'s drain: %s', async (_what, mappingStart, progress, check) => {
    const { dispatcher, trace, batch, metadata } = setup(mappingStart === undefined ? {} : { mappingStart });
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    if (progress !== undefined) metadata.progress.set('parent', { shardId: 'parent', lastSequenceNumber: progress, updatedAtMs: 0 });
    await dispatcher.dispatch(batch('child', [1]));
    expect(trace).toEqual([check, 'invoke w1 epoch=1 n=1']);
  });

  /** Plays the mapping: delivers `count` records from the checkpoint, which moves to the lowest failure; returns the invocations' trace. */
  async function deliverAll(dispatcher: ReturnType<typeof setup>['dispatcher'], batch: ReturnType<typeof setup>['batch'], count: number, rounds = 40): Promise<number> {
    let from = 1;
    for (let round = 0; round < rounds && from <= count; round += 1) {
      const result = await dispatcher.dispatch(batch('shardId-000000000000', Array.from({ length: count - from + 1 }, (_, i) => from + i)));
      const failed = result.batchItemFailures.map((f) => Number(f.itemIdentifier) - 1_000_000);
      from = failed.length === 0 ? count + 1 : Math.min(...failed);
    }
    return from;
  }

  it("bisects an owner's crashes down to the one record, has the owner count each crash of it alone, and goes on past it once the owner gave it up", async () => {
    let counted = 0;
    const answer: Answer = (_workerId, request) => {
      if (request.crashed) return (counted += 1) >= 3 ? success('w1', request) : ok({ batchItemFailures: [{ itemIdentifier: request.records[0]!.sequenceNumber }], processed: 0, busyMs: 0 });
      return request.records.some((r) => r.sequenceNumber === '1000006') ? failed('timeout', 'Task timed out after 60.00 seconds') : success('w1', request);
    };
    const { dispatcher, trace, batch, metadata } = setup({ answer });
    expect(await deliverAll(dispatcher, batch, 8)).toBe(9);
    expect(trace.filter((t) => t.startsWith('invoke'))).toEqual([
      'invoke w1 epoch=1 n=8', // crash: 1-8 suspect
      'invoke w1 epoch=1 n=4', // 1-4 through: 5-8 suspect
      'invoke w1 epoch=1 n=2', // crash: 5-6 suspect
      'invoke w1 epoch=1 n=1', // 5 through: 6 suspect
      'invoke w1 epoch=1 n=1', // 6 crashes alone ...
      'invoke w1 epoch=1 n=1', // ... and is counted (1)
      'invoke w1 epoch=1 n=1',
      'invoke w1 epoch=1 n=1', // counted (2)
      'invoke w1 epoch=1 n=1',
      'invoke w1 epoch=1 n=1', // counted (3): given up by the owner
      'invoke w1 epoch=1 n=2', // 7-8 flow
    ]);
    expect(counted).toBe(3);
    expect(metadata.suspects.size).toBe(0);
    expect(metadata.progress.get('shardId-000000000000')?.lastSequenceNumber).toBe('1000008');
  });

  it('closes the search when the suspect records go through after a one-off crash, and counts nothing', async () => {
    let crashes = 1;
    const answer: Answer = (_workerId, request) => (crashes-- > 0 ? failed('function-error', 'Runtime.OutOfMemory') : success('w1', request));
    const { dispatcher, trace, batch, metadata } = setup({ answer });
    expect(await deliverAll(dispatcher, batch, 4)).toBe(5);
    // 1-4 crash; 1-2 through (3-4 suspect); 3 through (4 suspect); 4 through: the search is closed.
    expect(trace.filter((t) => t.startsWith('invoke'))).toEqual(['invoke w1 epoch=1 n=4', 'invoke w1 epoch=1 n=2', 'invoke w1 epoch=1 n=1', 'invoke w1 epoch=1 n=1']);
    expect(metadata.suspects.size).toBe(0);
  });

  it('continues a search another execution environment started, from the stored suspect range', async () => {
    const answer: Answer = (_workerId, request) => (request.records.some((r) => r.sequenceNumber === '1000003') && !request.crashed ? failed('function-error', 'boom') : success('w1', request));
    const { dispatcher, trace, batch, metadata } = setup({ answer });
    metadata.suspects.set('shardId-000000000000', { shardId: 'shardId-000000000000', startSequenceNumber: '1000003', span: 1, updatedAtMs: 0 });
    await dispatcher.dispatch(batch('shardId-000000000000', [1, 2, 3, 4]));
    expect(trace.filter((t) => t.startsWith('invoke'))).toEqual(['invoke w1 epoch=1 n=4', 'invoke w1 epoch=1 n=1']);
  });

  it('hands a held batch back without invoking anyone when the hold budget runs out', async () => {
    const { dispatcher, trace, batch, metadata, figures } = setup({ drained: () => false, dispatcher: { holdBudgetMs: 1000, holdPollMs: 250 } });
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    const result = await dispatcher.dispatch(batch('child', [1, 2]));
    expect(result.batchItemFailures).toHaveLength(2);
    expect(trace.filter((t) => t.startsWith('invoke'))).toEqual([]);
    expect(figures[0]).toMatchObject({ held: true });
  });

  it('does not ask Kinesis again once a parent is known to be drained', async () => {
    const { dispatcher, trace, batch, metadata } = setup();
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    await dispatcher.dispatch(batch('child', [1]));
    await dispatcher.dispatch(batch('child', [2]));
    expect(trace.filter((t) => t.startsWith('drained?'))).toHaveLength(1);
  });

  it('asks Kinesis about a held child\'s parent once a second by default, leaving the parent\'s reads to the ESM', async () => {
    const { dispatcher, trace, batch, metadata } = setup({ drained: () => false, dispatcher: { holdBudgetMs: 5000 } });
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    await dispatcher.dispatch(batch('child', [1]));
    // Checks at 0, 1, 2, 3, 4 and 5 s of the 5 s budget (at 250 ms it was 21).
    expect(trace.filter((t) => t.startsWith('drained?'))).toHaveLength(6);
  });

  it('lets the child through and remembers a drained parent even when writing its progress failed, without asking Kinesis again', async () => {
    const { dispatcher, trace, batch, metadata } = setup();
    metadata.partitions.set('child', partition({ shardId: 'child', parentShardIds: ['parent'] }));
    const putShardProgress = metadata.putShardProgress.bind(metadata);
    metadata.putShardProgress = async (progress) => (progress.drained ? Promise.reject(new Error('ProvisionedThroughputExceededException')) : putShardProgress(progress));
    expect(await dispatcher.dispatch(batch('child', [1]))).toEqual({ batchItemFailures: [] });
    expect(await dispatcher.dispatch(batch('child', [2]))).toEqual({ batchItemFailures: [] });
    expect(trace.filter((t) => t.startsWith('drained?'))).toHaveLength(1);
  });

  it('shares one drain check of a parent among its children held at the same time', async () => {
    let answer: (drained: boolean) => void = () => undefined;
    const pending = new Promise<boolean>((resolve) => (answer = resolve));
    const { dispatcher, trace, batch, metadata } = setup({ drained: () => pending });
    for (const child of ['low', 'high']) metadata.partitions.set(child, partition({ shardId: child, parentShardIds: ['parent'] }));
    const both = Promise.all([dispatcher.dispatch(batch('low', [1])), dispatcher.dispatch(batch('high', [2]))]);
    await new Promise((resolve) => setImmediate(resolve));
    answer(true);
    expect(await both).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(trace.filter((t) => t.startsWith('drained?'))).toHaveLength(1);
    expect(trace.filter((t) => t.startsWith('invoke'))).toHaveLength(2);
  });

  it('clones exactly the records whose sequence hash falls below the rate to the shadow', async () => {
    const { dispatcher, trace, batch, metadata } = setup();
    metadata.shadows.push({ shadowId: 's', shardId: 'shardId-000000000000', workerId: 'w2', kind: 'forward', rate: 0.3, createdAtMs: 0 });
    const seqs = Array.from({ length: 200 }, (_, i) => i);
    await dispatcher.dispatch(batch('shardId-000000000000', seqs));
    const expected = seqs.filter((s) => isSampled(String(1_000_000 + s), 0.3)).length;
    expect(trace).toContain(`clone w2 n=${expected}`);
    expect(expected).toBeGreaterThan(30);
    expect(expected).toBeLessThan(90);
  });

  it.each<[string, WorkerInvoker['invokeAsync']]>([
    ['throws', async () => Promise.reject(new Error('shadow down'))],
    ['fails', async () => failed('throttled', 'busy')],
    ['never answers', () => new Promise(() => undefined)],
  ])('returns the owner answer when the shadow invocation %s', async (_what, asyncAnswer) => {
    const { dispatcher, batch, metadata, figures } = setup({ asyncAnswer });
    metadata.shadows.push({ shadowId: 's', shardId: 'shardId-000000000000', workerId: 'w2', kind: 'forward', rate: 1, createdAtMs: 0 });
    const result = await dispatcher.dispatch(batch('shardId-000000000000', [1, 2]));
    expect(result.batchItemFailures).toEqual([]);
    expect(figures[0]?.shadowRecords).toBe(2);
  });

  it('invokes the owner and counts a shadow error when the shadow lookup fails', async () => {
    const { dispatcher, trace, batch, metadata, figures } = setup();
    metadata.listShadows = async () => Promise.reject(new Error('ProvisionedThroughputExceededException'));
    const result = await dispatcher.dispatch(batch('shardId-000000000000', [1, 2]));
    expect(result.batchItemFailures).toEqual([]);
    expect(trace).toEqual(['invoke w1 epoch=1 n=2']);
    expect(figures[0]).toMatchObject({ shadowRecords: 0, shadowErrors: 1 });
  });

  it('hands back the batch of a shard that is still not placed when the hold budget runs out', async () => {
    const { dispatcher, trace, batch, figures } = setup({ dispatcher: { holdBudgetMs: 1000 } });
    const result = await dispatcher.dispatch(batch('unknown', [1]));
    expect(result.batchItemFailures).toHaveLength(1);
    expect(trace).toEqual([]);
    expect(figures[0]).toMatchObject({ held: true, heldMs: 1000 });
  });

  it('waits in the invocation for the SPM to place a new shard, then invokes its owner', async () => {
    const { dispatcher, trace, batch, metadata } = setup();
    let reads = 0;
    const getPartition = metadata.getPartition.bind(metadata);
    metadata.getPartition = async (shardId) => (++reads === 3 ? partition({ shardId, ownerWorkerId: 'w2' }) : shardId === 'new' ? undefined : getPartition(shardId));
    const result = await dispatcher.dispatch(batch('new', [1]));
    expect(result.batchItemFailures).toEqual([]);
    expect(trace).toEqual(['invoke w2 epoch=1 n=1']);
  });
});
