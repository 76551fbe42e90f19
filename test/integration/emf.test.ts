import { describe, expect, it } from 'vitest';
import { EmfCapture } from '../../adapters/local/emf-capture.js';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { systemClock } from '../../adapters/local/system-clock.js';
import { parseConfig } from '../../core/config/index.js';
import { shadowIdFor } from '../../core/model/index.js';
import { policyByName } from '../../core/policies/index.js';
import { FORESHADOW_METRICS, METRICS_NAMESPACE, SPM_METRICS } from '../../definitions/metrics.js';
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
    ['an unknown unit', '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Furlongs"}]}]},"M":1}', 'Furlongs'],
  ])('the checker rejects %s', (_what, line, expected) => {
    expect(emfViolations(line).join('; ')).toContain(expected);
  });
});
