import { describe, expect, it } from 'vitest';
import { EmfCapture, type EmfDocument } from '../../adapters/local/emf-capture.js';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { parseConfig } from '../../core/config/index.js';
import { shadowIdFor } from '../../core/model/index.js';
import { policyByName } from '../../core/policies/index.js';
import { DIMENSIONS, FORESHADOW_METRICS, METRICS_NAMESPACE, SPM_METRICS } from '../../definitions/metrics.js';
import { emfLine, type EmfValue } from '../../app/emf-line.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';
import type { DispatchFigures, WorkerBatchFigures } from '../../app/telemetry.js';
import { createSpmHandler } from '../../functions/spm/create-spm-handler.js';
import { emfViolations } from './emf-spec.js';
import { records, scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();

describe('the EMF lines the handlers print', () => {
  it('follow the EMF specification and the metric contract of definitions/metrics.ts', async () => {
    const p = await startPipeline({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() }, { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }] });
    try {
      await p.tick();
      const shard = (await p.metadata.listPartitions())[0]!;
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId: shadowIdFor(shard.shardId, 'w2'), shardId: shard.shardId, workerId: 'w2', kind: 'forward', rate: 0.5, reason: 'test' }]));
      p.esm.start();
      await p.produce(records(60, 6).map((r, i) => (i === 3 ? { ...r, poison: true } : r)));
      await p.settle();
      await p.stop();
      const spm = createSpmHandler({ metadata: p.metadata, metrics: p.metrics, stream: p.stream, clock: systemClock, policy: policyByName('static'), config: parseConfig({}), metricsPeriodMs: 1000 });
      const before = p.emfLines.length;
      const capture = new EmfCapture((document, line) => p.emfLines.push({ document, line })).start();
      try {
        await spm({}, localContext('spm', 60_000));
      } finally {
        capture.stop();
      }
      expect(p.emfLines.length).toBeGreaterThan(before);

      const lines = p.emfLines.map((l) => l.line);
      expect(lines.flatMap((line) => emfViolations(line).map((problem) => `${problem} in ${line.slice(0, 200)}`))).toEqual([]);

      // Names and dimension sets are exactly those of the contract.
      const contract = new Map<string, readonly (readonly string[])[]>(Object.values(FORESHADOW_METRICS).map((m) => [m.name, m.dimensionSets]));
      for (const m of Object.values(SPM_METRICS)) contract.set(m.name, []);
      const seen = new Set<string>();
      for (const { document } of p.emfLines) {
        for (const directive of document._aws.CloudWatchMetrics) {
          expect(directive.Namespace).toBe(METRICS_NAMESPACE);
          for (const metric of directive.Metrics) {
            seen.add(metric.Name);
            expect([metric.Name, directive.Dimensions]).toEqual([metric.Name, contract.get(metric.Name)]);
          }
        }
      }
      // One line per worker batch and per dispatched batch: every line with a worker metric carries Batches.
      const names = (document: EmfDocument) => new Set(document._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name)));
      const workerNames = new Set<string>(Object.values(FORESHADOW_METRICS).filter((m) => m.emittedBy === 'worker').map((m) => m.name));
      const workerLines = p.emfLines.map((l) => names(l.document)).filter((n) => [...n].some((name) => workerNames.has(name)));
      expect(workerLines.filter((n) => !n.has('Batches'))).toEqual([]);
      expect(workerLines).toHaveLength(p.telemetry.batches.length);
      expect(p.emfLines.filter((l) => names(l.document).has('IteratorAgeMs'))).toHaveLength(p.telemetry.dispatches.length);
      expect([...seen].sort()).toEqual(
        expect.arrayContaining(['Batches', 'IteratorAgeMs', 'LiveShadows', 'PrimaryBusyMs', 'PrimaryRecords', 'ShadowBusyMs', 'ShadowRecords', 'TickDurationMs', 'WorkerErrors']),
      );
    } finally {
      await p.stop();
    }
  });

  it.each([
    ['a missing timestamp', '{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}', 'Timestamp'],
    ['more than 30 dimension keys', `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[${Array.from({ length: 31 }, (_, i) => `"d${i}"`).join(',')}]],"Metrics":[{"Name":"M"}]}]},${Array.from({ length: 31 }, (_, i) => `"d${i}":"v"`).join(',')},"M":1}`, 'at most 30'],
    ['a metric without its value', '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Count"}]}]}}', 'root member'],
    ['a dimension without its value', '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["ShardId"]],"Metrics":[{"Name":"M"}]}]},"M":1}', 'ShardId'],
    [
      'a metric published twice under one dimension set by two directives',
      '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["ShardId"]],"Metrics":[{"Name":"M"}]},{"Namespace":"N","Dimensions":[["ShardId"],["WorkerId"]],"Metrics":[{"Name":"M"}]}]},"ShardId":"s","WorkerId":"w","M":1}',
      'twice under dimension set ["ShardId"]',
    ],
    [
      'a metric given two units by two directives',
      '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["ShardId"]],"Metrics":[{"Name":"M","Unit":"Count"}]},{"Namespace":"N","Dimensions":[["WorkerId"]],"Metrics":[{"Name":"M","Unit":"Milliseconds"}]}]},"ShardId":"s","WorkerId":"w","M":1}',
      'units Count and Milliseconds',
    ],
    [
      'a second directive whose dimension has no root member',
      '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["ShardId"]],"Metrics":[{"Name":"M"}]},{"Namespace":"N","Dimensions":[["WorkerId"]],"Metrics":[{"Name":"B"}]}]},"ShardId":"s","M":1,"B":1}',
      'dimension WorkerId',
    ],
    ['an unknown unit', '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Furlongs"}]}]},"M":1}', 'Furlongs'],
  ])('the checker rejects %s', (_what, line, expected) => {
    expect(emfViolations(line).join('; ')).toContain(expected);
  });

  it('the checker accepts directives that share the root object and one metric under different dimension sets', () => {
    const line =
      '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["ShardId"]],"Metrics":[{"Name":"M","Unit":"Count"},{"Name":"T","Unit":"Milliseconds"}]},{"Namespace":"N","Dimensions":[["WorkerId"]],"Metrics":[{"Name":"T","Unit":"Milliseconds"}]}]},"ShardId":"s","WorkerId":"w","M":1,"T":2}';
    expect(emfViolations(line)).toEqual([]);
  });
});

const batch = (overrides: Partial<WorkerBatchFigures> = {}): WorkerBatchFigures => ({
  shardId: 'shardId-000000000042',
  workerId: 'w1',
  mode: 'primary',
  records: 100,
  busyMs: 53.25,
  cpuMs: 40,
  failed: 0,
  deadLettered: 0,
  skippedDuplicates: 0,
  discardedOutputs: 0,
  discardedStateWrites: 0,
  ...overrides,
});

const dispatched: DispatchFigures = { shardId: 'shardId-000000000042', records: 100, bytes: 102_400, iteratorAgeMs: 1234, heldMs: 0, held: false, invokeMs: 70, staleEpochRetries: 0, failedRecords: 0, shadowRecords: 0, shadowErrors: 0 };

/** The lines `run` prints to stdout, through the capture the local runtime uses. */
function printed(run: () => void): { document: EmfDocument; line: string }[] {
  const lines: { document: EmfDocument; line: string }[] = [];
  const capture = new EmfCapture((document, line) => lines.push({ document, line })).start();
  try {
    run();
  } finally {
    capture.stop();
  }
  return lines;
}

/** `metric|dimension set` → value, one entry per series CloudWatch would extract (a repeat would show as `x2`). */
function extracted(document: EmfDocument): Record<string, string> {
  const out: Record<string, string> = {};
  for (const directive of document._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      for (const metric of directive.Metrics) {
        const key = `${metric.Name}|${set.map((d) => `${d}=${String(document[d])}`).join(',')}|${metric.Unit ?? 'None'}`;
        out[key] = key in out ? 'x2' : String(document[metric.Name]);
      }
    }
  }
  return out;
}

const WORKER_METRICS = Object.values(FORESHADOW_METRICS).filter((m) => m.emittedBy === 'worker');

describe('one EMF line per batch', () => {
  it.each([
    ['a primary batch', batch(), { Batches: 1, PrimaryRecords: 100, PrimaryBusyMs: 53.25 }],
    ['a primary batch with failed records', batch({ failed: 2 }), { Batches: 1, PrimaryRecords: 100, PrimaryBusyMs: 53.25, WorkerErrors: 2 }],
    ['a shadow batch', batch({ mode: 'shadow', records: 5, busyMs: 12.5 }), { Batches: 1, ShadowRecords: 5, ShadowBusyMs: 12.5 }],
    ['a shadow batch with failed records', batch({ mode: 'shadow', records: 5, busyMs: 12.5, failed: 1 }), { Batches: 1, ShadowRecords: 5, ShadowBusyMs: 12.5, ShadowErrors: 1 }],
  ] as const)('%s prints exactly one valid line carrying each of its metrics under every dimension set of the contract, once', (_what, figures, values) => {
    const lines = printed(() => new EmfTelemetry().workerBatch(figures));
    expect(lines).toHaveLength(1);
    const [{ document, line }] = lines as [{ document: EmfDocument; line: string }];
    expect(emfViolations(line)).toEqual([]);
    const dimension = { [DIMENSIONS.shardId]: figures.shardId, [DIMENSIONS.workerId]: figures.workerId } as Record<string, string>;
    const expected: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      const metric = WORKER_METRICS.find((m) => m.name === name)!;
      for (const set of metric.dimensionSets) expected[`${name}|${set.map((d) => `${d}=${dimension[d]}`).join(',')}|${metric.unit}`] = String(value);
    }
    expect(extracted(document)).toEqual(expected);
    expect(document._aws.CloudWatchMetrics.every((d) => d.Namespace === METRICS_NAMESPACE)).toBe(true);
  });

  it('a dispatched batch prints exactly one valid line with the shard\'s IteratorAgeMs and its burst lanes', () => {
    const lines = printed(() => new EmfTelemetry().dispatch(dispatched));
    expect(lines.map((l) => emfViolations(l.line))).toEqual([[]]);
    expect(extracted(lines[0]!.document)).toEqual({ 'IteratorAgeMs|ShardId=shardId-000000000042|Milliseconds': '1234', 'BurstLanes|ShardId=shardId-000000000042|Count': '1' });
    const laned = printed(() => new EmfTelemetry().dispatch({ ...dispatched, lanes: 3 }));
    expect(extracted(laned[0]!.document)).toMatchObject({ 'BurstLanes|ShardId=shardId-000000000042|Count': '3' });
  });

  it('stamps the line with the injected clock and prints through the injected printer', () => {
    const out: string[] = [];
    new EmfTelemetry(METRICS_NAMESPACE, { nowMs: () => 1_700_000_000_123, print: (l) => out.push(l) }).workerBatch(batch());
    expect(out).toHaveLength(1);
    expect((JSON.parse(out[0]!) as EmfDocument)._aws.Timestamp).toBe(1_700_000_000_123);
  });

  it('prints nothing when disabled (POWERTOOLS_METRICS_DISABLED)', () => {
    expect(printed(() => new EmfTelemetry(METRICS_NAMESPACE, { disabled: true }).workerBatch(batch()))).toEqual([]);
    const before = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    try {
      expect(printed(() => new EmfTelemetry().dispatch(dispatched))).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = before;
    }
  });
});

describe('emfLine', () => {
  const value = (name: string, v: number, dimensionSets: readonly (readonly string[])[] = [['ShardId']]): EmfValue => ({ name, unit: 'Count', dimensionSets, value: v });

  it('leaves out values that are not finite numbers, and prints nothing when none is left', () => {
    const line = emfLine('N', 1_700_000_000_000, [value('A', 1), value('B', Number.NaN), value('C', Number.POSITIVE_INFINITY)], { ShardId: 's' });
    expect(emfViolations(line!)).toEqual([]);
    expect(Object.keys(JSON.parse(line!) as object)).toEqual(['_aws', 'ShardId', 'A']);
    expect(emfLine('N', 1_700_000_000_000, [value('B', Number.NaN)], { ShardId: 's' })).toBeUndefined();
  });

  it('splits more than 100 metrics with the same dimension sets into directives of at most 100', () => {
    const line = emfLine('N', 1_700_000_000_000, Array.from({ length: 150 }, (_, i) => value(`M${i}`, i)), { ShardId: 's' })!;
    const document = JSON.parse(line) as EmfDocument;
    expect(document._aws.CloudWatchMetrics.map((d) => d.Metrics.length)).toEqual([100, 50]);
    expect(emfViolations(line)).toEqual([]);
  });

  it.each([
    ['a metric given twice', [value('A', 1), value('A', 2)], { ShardId: 's' }, 'given twice'],
    ['a metric named like a dimension', [value('ShardId', 1, [['ShardId']])], { ShardId: 's' }, 'also a dimension'],
    ['a dimension without a value', [value('A', 1, [['WorkerId']])], { ShardId: 's' }, 'WorkerId'],
    ['a dimension set of 31 keys', [value('A', 1, [Array.from({ length: 31 }, (_, i) => `d${i}`)])], Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'v'])), 'at most 30 keys (given 31)'],
  ])('throws for %s (a bug in the caller)', (_what, values, dimensions, message) => {
    expect(() => emfLine('N', 1_700_000_000_000, values, dimensions)).toThrow(message);
  });
});
