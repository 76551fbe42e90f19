import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { EmfCapture, type EmfDocument } from '../../adapters/local/emf-capture.js';
import { EmfMetricsStore } from '../../adapters/local/metrics-store.emf.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { WorkerBatchFigures } from '../../app/telemetry.js';

const figures = (overrides: Partial<WorkerBatchFigures> = {}): WorkerBatchFigures => ({
  shardId: 's1',
  workerId: 'w1',
  mode: 'primary',
  records: 10,
  busyMs: 40,
  cpuMs: 5,
  failed: 0,
  deadLettered: 0,
  skippedDuplicates: 0,
  discardedOutputs: 0,
  discardedStateWrites: 0,
  ...overrides,
});

function captured(run: () => void): EmfDocument[] {
  const documents: EmfDocument[] = [];
  const capture = new EmfCapture((d) => documents.push(d)).start();
  try {
    run();
  } finally {
    capture.stop();
  }
  return documents;
}

describe('EMF capture and the local metrics store', () => {
  it('captures the lines Powertools prints and lets other output through', () => {
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stdout.write;
    try {
      const documents = captured(() => {
        process.stdout.write('plain log line\n');
        const metrics = new Metrics({ namespace: 'Foreshadow' });
        metrics.addMetric('Batches', MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      });
      expect(documents).toHaveLength(1);
      expect(written).toEqual(['plain log line\n']);
    } finally {
      process.stdout.write = original;
    }
  });

  it('answers shard and worker metrics per period from the EMF the handlers emit', async () => {
    let now = 10_000;
    const store = new EmfMetricsStore({ streamName: 'st', clock: { nowMs: () => now } });
    const telemetry = new EmfTelemetry();
    for (const d of captured(() => {
      telemetry.workerBatch(figures());
      telemetry.workerBatch(figures({ records: 5, busyMs: 20, failed: 2 }));
      telemetry.workerBatch(figures({ mode: 'shadow', workerId: 'w2', records: 3, busyMs: 9 }));
    })) {
      store.ingest({ ...d, _aws: { ...d._aws, Timestamp: 1_500 } });
    }
    store.recordIncoming('s1', 20, 2000, 1, 1_200);
    now = 70_000;
    const shards = await store.shardMetrics(['s1'], 0, now, 1000);
    expect(shards.s1).toEqual([
      { atMs: 1000, periodMs: 1000, incomingRecords: 20, incomingBytes: 2000, throttledRecords: 1, processedRecords: 15, busyMs: 60, iteratorAgeMsMax: 0 },
    ]);
    const workers = await store.workerMetrics(['w1', 'w2'], 0, now, 1000);
    expect(workers.w1).toEqual([{ atMs: 1000, periodMs: 1000, primaryBusyMs: 60, shadowBusyMs: 0, invocations: 2, errors: 2 }]);
    expect(workers.w2).toEqual([{ atMs: 1000, periodMs: 1000, primaryBusyMs: 0, shadowBusyMs: 9, invocations: 1, errors: 0 }]);
  });

  it('stores a multi-directive line once per (metric, dimension set), values from the one root object', () => {
    const store = new EmfMetricsStore({ streamName: 'st', clock: { nowMs: () => 0 } });
    const put = vi.spyOn(store, 'put');
    const [document, ...more] = captured(() => new EmfTelemetry().workerBatch(figures({ failed: 2 })));
    expect(more).toEqual([]);
    store.ingest(document!);
    const stored = put.mock.calls.map(([namespace, name, dims, value]) => `${namespace} ${name} ${JSON.stringify(dims)} ${value}`);
    expect(stored.sort()).toEqual(
      [
        'Foreshadow Batches {"WorkerId":"w1"} 1',
        'Foreshadow PrimaryBusyMs {"ShardId":"s1"} 40',
        'Foreshadow PrimaryBusyMs {"WorkerId":"w1"} 40',
        'Foreshadow PrimaryRecords {"ShardId":"s1"} 10',
        'Foreshadow WorkerErrors {"WorkerId":"w1"} 2',
      ].sort(),
    );
  });

  it('stores a metric two directives share under each directive\'s dimension sets, once each', async () => {
    const store = new EmfMetricsStore({ streamName: 'st', clock: { nowMs: () => 60_000 } });
    const busy = { Name: 'PrimaryBusyMs', Unit: 'Milliseconds' };
    store.ingest({
      _aws: {
        Timestamp: 1_000,
        CloudWatchMetrics: [
          { Namespace: 'Foreshadow', Dimensions: [['ShardId']], Metrics: [{ Name: 'PrimaryRecords', Unit: 'Count' }, busy] },
          { Namespace: 'Foreshadow', Dimensions: [['WorkerId']], Metrics: [{ Name: 'Batches', Unit: 'Count' }, busy] },
        ],
      },
      ShardId: 's1',
      WorkerId: 'w1',
      PrimaryRecords: 7,
      PrimaryBusyMs: 30,
      Batches: 1,
    });
    expect((await store.shardMetrics(['s1'], 0, 60_000, 1000)).s1).toEqual([{ atMs: 1000, periodMs: 1000, incomingRecords: 0, incomingBytes: 0, throttledRecords: 0, processedRecords: 7, busyMs: 30, iteratorAgeMsMax: 0 }]);
    expect((await store.workerMetrics(['w1'], 0, 60_000, 1000)).w1).toEqual([{ atMs: 1000, periodMs: 1000, primaryBusyMs: 30, shadowBusyMs: 0, invocations: 1, errors: 0 }]);
  });

  it('counts a shadow\'s failed records as ShadowErrors, never as the worker class\'s WorkerErrors', () => {
    const telemetry = new EmfTelemetry();
    const metricsOf = (docs: EmfDocument[]) => docs.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((c) => c.Metrics.map((m) => `${m.Name}=${String((d as unknown as Record<string, unknown>)[m.Name])}`)));
    const shadow = metricsOf(captured(() => telemetry.workerBatch(figures({ mode: 'shadow', failed: 3 }))));
    const primary = metricsOf(captured(() => telemetry.workerBatch(figures({ failed: 2 }))));
    expect(shadow).toContain('ShadowErrors=3');
    expect(shadow.some((m) => m.startsWith('WorkerErrors'))).toBe(false);
    expect(primary).toContain('WorkerErrors=2');
    expect(primary.some((m) => m.startsWith('ShadowErrors'))).toBe(false);
  });

  it('takes the maximum iterator age and hides data younger than the availability delay', async () => {
    let now = 5_000;
    const store = new EmfMetricsStore({ streamName: 'st', clock: { nowMs: () => now }, availabilityDelayMs: 2_000 });
    const telemetry = new EmfTelemetry();
    const base = { shardId: 's1', records: 1, bytes: 1, heldMs: 0, held: false, invokeMs: 1, staleEpochRetries: 0, failedRecords: 0, shadowRecords: 0, shadowErrors: 0 };
    const docs = captured(() => {
      telemetry.dispatch({ ...base, iteratorAgeMs: 300 });
      telemetry.dispatch({ ...base, iteratorAgeMs: 900 });
      telemetry.dispatch({ ...base, iteratorAgeMs: 100 });
    });
    docs.forEach((d) => store.ingest({ ...d, _aws: { ...d._aws, Timestamp: 4_000 } }));
    expect((await store.shardMetrics(['s1'], 0, now, 1000)).s1).toEqual([]);
    now = 6_500;
    expect((await store.shardMetrics(['s1'], 0, now, 1000)).s1?.[0]?.iteratorAgeMsMax).toBe(900);
  });
});
