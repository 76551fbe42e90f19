import { describe, expect, it } from 'vitest';
import { meterEmfLine, metricIds } from '../../adapters/meter/emf.metered.js';
import { Meter, activeMeterScope } from '../../adapters/meter/meter.js';
import { subtractSnapshots } from '../../adapters/meter/meter-snapshot.js';
import { MeteredWorkerInvoker, meteredWorkerHandle } from '../../adapters/meter/worker-invoker.metered.js';
import { ok } from '../../core/ports/index.js';
import type { WorkerInvoker } from '../../core/ports/index.js';
import { aWorkerRequest } from '../support/fixtures.js';

describe('Meter', () => {
  it('attributes what a nested invocation does to its own path and what follows it to the caller again', async () => {
    const meter = new Meter();
    const paths: (string | undefined)[] = [];
    await meter.invocation('dispatcher', 512, 100, async () => {
      paths.push(activeMeterScope()?.path);
      await meter.invocation('worker', 1024, 100, async () => paths.push(activeMeterScope()?.path));
      paths.push(activeMeterScope()?.path);
    });
    expect(paths).toEqual(['dispatcher', 'worker', 'dispatcher']);
    expect(activeMeterScope()).toBeUndefined();
    const rows = meter.snapshot().invocations;
    expect(rows.map((r) => [r.path, r.memoryMb, r.invocations, r.records])).toEqual([
      ['worker', 1024, 1, 100],
      ['dispatcher', 512, 1, 100],
    ]);
  });

  it('bills an invocation in whole milliseconds, rounded up, at least one', () => {
    const meter = new Meter();
    meter.recordInvocation('shadow', 1024, 0.2, 3);
    meter.recordInvocation('shadow', 1024, 12.01, 3);
    expect(meter.snapshot().invocations[0]).toMatchObject({ invocations: 2, billedMs: 1 + 13, records: 6 });
  });

  it('records an invocation that throws', async () => {
    const meter = new Meter();
    await expect(meter.invocation('spm', 512, 0, async () => Promise.reject(new Error('tick failed')))).rejects.toThrow('tick failed');
    expect(meter.snapshot().invocations[0]).toMatchObject({ path: 'spm', invocations: 1 });
  });

  it('subtracts two snapshots to the counts of what happened in between, leaving out what did not change', () => {
    const meter = new Meter();
    meter.recordCall('dispatcher', { service: 'DynamoDB', operation: 'PutItem', resource: 't', writeUnits: 1 });
    meter.recordCall('worker', { service: 'DynamoDB', operation: 'GetItem', resource: 't', readUnits: 1 });
    const before = meter.snapshot();
    meter.recordCall('dispatcher', { service: 'DynamoDB', operation: 'PutItem', resource: 't', writeUnits: 2 });
    const between = subtractSnapshots(meter.snapshot(), before);
    expect(between.calls).toEqual([expect.objectContaining({ path: 'dispatcher', operation: 'PutItem', calls: 1, writeUnits: 2 })]);
  });
});

describe('the metered boundaries of the local runtime', () => {
  it('counts an owner call as one Invoke and each asynchronous part as one Invoke.Event, on the caller path, and the callee on its own', async () => {
    const meter = new Meter();
    const handle = meteredWorkerHandle(meter, 1024, async (request) => ({ batchItemFailures: [], processed: request.records.length, busyMs: 1 }));
    const inner: WorkerInvoker = {
      invoke: async (_id, request) => ok(await handle(request)),
      invokeAsync: async (_id, request) => {
        await handle(request);
        return ok({ calls: 2 });
      },
    };
    const invoker = new MeteredWorkerInvoker(inner, new Meter());
    await meter.invocation('dispatcher', 512, 10, async () => {
      await invoker.invoke('w1', aWorkerRequest(10));
      await invoker.invokeAsync('w2', aWorkerRequest(3, { mode: 'shadow' }));
    });
    const s = meter.snapshot();
    expect(s.calls.map((c) => [c.path, c.service, c.operation, c.resource, c.calls])).toEqual([
      ['dispatcher', 'Lambda', 'Invoke', 'w1', 1],
      ['dispatcher', 'Lambda', 'Invoke.Event', 'w2', 2],
    ]);
    expect(s.calls[0]!.requestBytes).toBe(Buffer.byteLength(JSON.stringify(aWorkerRequest(10))));
    expect(s.invocations.map((i) => [i.path, i.invocations, i.records])).toEqual([
      ['worker', 1, 10],
      ['shadow', 1, 3],
      ['dispatcher', 1, 10],
    ]);
  });

  it('counts an EMF line on the path that printed it, with one metric per name and dimension values', () => {
    const meter = new Meter();
    const sink = meterEmfLine(new Meter());
    const document = {
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Foreshadow', Dimensions: [['ShardId'], ['WorkerId']], Metrics: [{ Name: 'PrimaryBusyMs' }] }] },
      ShardId: 's-1',
      WorkerId: 'w-1',
      PrimaryBusyMs: 3,
    };
    const line = JSON.stringify(document);
    meter.scope(() => sink(document, line), 'worker');
    expect(meter.snapshot().emf).toEqual([{ path: 'worker', lines: 1, bytes: Buffer.byteLength(line) }]);
    expect(metricIds(document)).toEqual(['Foreshadow/PrimaryBusyMs{ShardId=s-1}', 'Foreshadow/PrimaryBusyMs{WorkerId=w-1}']);
    expect(meter.snapshot().metrics).toEqual(metricIds(document));
  });
});
