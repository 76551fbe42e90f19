import { describe, expect, it } from 'vitest';
import { AggregatedTelemetry } from '../../app/telemetry.aggregated.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from '../../app/telemetry.js';

const workerFigures = (over: Partial<WorkerBatchFigures> = {}): WorkerBatchFigures => ({
  shardId: 's0',
  workerId: 'w1',
  mode: 'primary',
  records: 100,
  busyMs: 50,
  cpuMs: 40,
  failed: 0,
  deadLettered: 0,
  skippedDuplicates: 0,
  discardedOutputs: 0,
  discardedStateWrites: 0,
  ...over,
});
const dispatchFigures = (over: Partial<DispatchFigures> = {}): DispatchFigures => ({
  shardId: 's0',
  records: 100,
  bytes: 1000,
  iteratorAgeMs: 10,
  heldMs: 0,
  held: false,
  invokeMs: 60,
  staleEpochRetries: 0,
  failedRecords: 0,
  shadowRecords: 0,
  shadowErrors: 0,
  ...over,
});

function setup(startMs = 60_000) {
  let now = startMs;
  const printed: { kind: string; figures: WorkerBatchFigures | DispatchFigures }[] = [];
  const inner: Telemetry = { workerBatch: (figures) => void printed.push({ kind: 'worker', figures }), dispatch: (figures) => void printed.push({ kind: 'dispatch', figures }) };
  const telemetry = new AggregatedTelemetry(inner, { nowMs: () => now }, { flushIntervalMs: 20_000, periodMs: 60_000 });
  return { telemetry, printed, advance: (ms: number) => void (now += ms) };
}

describe('EMF figures added up per execution environment', () => {
  it('prints one sum per shard and worker per window instead of one line per batch', () => {
    const { telemetry, printed, advance } = setup();
    for (let i = 0; i < 100; i += 1) {
      telemetry.workerBatch(workerFigures({ shardId: i % 2 === 0 ? 's0' : 's1', failed: i === 3 ? 1 : 0 }));
      telemetry.dispatch(dispatchFigures({ shardId: i % 2 === 0 ? 's0' : 's1', iteratorAgeMs: i, ...(i === 10 ? { lanes: 3 } : {}) }));
      advance(190);
    }
    expect(printed).toEqual([]);
    advance(1000); // 20 s after the window opened
    telemetry.workerBatch(workerFigures());
    const workers = printed.filter((p) => p.kind === 'worker').map((p) => p.figures as WorkerBatchFigures);
    expect(workers.map((f) => [f.shardId, f.records, f.busyMs, f.batches, f.failed, f.atMs])).toEqual([
      ['s0', 5000, 2500, 50, 0, 60_000],
      ['s1', 5000, 2500, 50, 1, 60_000],
    ]);
    const dispatches = printed.filter((p) => p.kind === 'dispatch').map((p) => p.figures as DispatchFigures);
    expect(dispatches.map((f) => [f.shardId, f.iteratorAgeMs, f.records, f.lanes ?? 1])).toEqual([
      ['s0', 98, 5000, 3],
      ['s1', 99, 5000, 1],
    ]);
  });

  it('never mixes two metric periods in one line: a new minute flushes the window', () => {
    const { telemetry, printed, advance } = setup(60_000 + 50_000);
    telemetry.workerBatch(workerFigures());
    advance(11_000); // into the next minute, before the interval is over
    telemetry.workerBatch(workerFigures());
    expect(printed.map((p) => [(p.figures as WorkerBatchFigures).batches, p.figures.atMs])).toEqual([[1, 110_000]]);
    telemetry.flush();
    expect(printed.map((p) => p.figures.atMs)).toEqual([110_000, 121_000]);
  });

  it('keeps primary and shadow figures of one shard apart', () => {
    const { telemetry, printed } = setup();
    telemetry.workerBatch(workerFigures());
    telemetry.workerBatch(workerFigures({ mode: 'shadow', records: 5 }));
    telemetry.flush();
    expect(printed.map((p) => [(p.figures as WorkerBatchFigures).mode, (p.figures as WorkerBatchFigures).records])).toEqual([
      ['primary', 100],
      ['shadow', 5],
    ]);
  });
});

describe('EMF line of added-up figures', () => {
  it('carries the number of batches and the window\u2019s timestamp', async () => {
    const { EmfTelemetry } = await import('../../app/telemetry.emf.js');
    const lines: string[] = [];
    new EmfTelemetry(undefined, { print: (line) => void lines.push(line), disabled: false }).workerBatch(workerFigures({ batches: 50, records: 5000, atMs: 123_000 }));
    const doc = JSON.parse(lines[0]!) as { Batches: number; PrimaryRecords: number; _aws: { Timestamp: number } };
    expect([doc.Batches, doc.PrimaryRecords, doc._aws.Timestamp]).toEqual([50, 5000, 123_000]);
  });
});
