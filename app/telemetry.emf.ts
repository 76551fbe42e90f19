import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSIONS, FORESHADOW_METRICS, METRICS_NAMESPACE, type MetricDefinition } from '../definitions/metrics.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from './telemetry.js';

type Value = { readonly metric: MetricDefinition; readonly value: number };

/**
 * Telemetry as CloudWatch embedded metric format, through Powertools Metrics, following the names and
 * dimension sets of definitions/metrics.ts. One EMF line per group of metrics that share their dimension
 * sets; the line carries the dimension values as top-level members. Lambda ships stdout to CloudWatch Logs,
 * which extracts the metrics; the local runtime captures the same lines (adapters/local/emf-capture.ts).
 */
export class EmfTelemetry implements Telemetry {
  constructor(private readonly namespace = METRICS_NAMESPACE) {}

  workerBatch(f: WorkerBatchFigures): void {
    const values: Value[] = [{ metric: FORESHADOW_METRICS.batches, value: 1 }];
    if (f.mode === 'primary') {
      values.push({ metric: FORESHADOW_METRICS.primaryRecords, value: f.records }, { metric: FORESHADOW_METRICS.primaryBusyMs, value: f.busyMs });
    } else {
      values.push({ metric: FORESHADOW_METRICS.shadowRecords, value: f.records }, { metric: FORESHADOW_METRICS.shadowBusyMs, value: f.busyMs });
    }
    // A shadow's failures lose a sample, not an owner's records: they must not raise the worker class's alarm.
    if (f.failed > 0) values.push({ metric: f.mode === 'primary' ? FORESHADOW_METRICS.workerErrors : FORESHADOW_METRICS.shadowErrors, value: f.failed });
    this.emit(values, { [DIMENSIONS.shardId]: f.shardId, [DIMENSIONS.workerId]: f.workerId });
  }

  dispatch(f: DispatchFigures): void {
    this.emit([{ metric: FORESHADOW_METRICS.iteratorAgeMs, value: f.iteratorAgeMs }], { [DIMENSIONS.shardId]: f.shardId });
  }

  private emit(values: readonly Value[], dimensionValues: Readonly<Record<string, string>>): void {
    const groups = new Map<string, Value[]>();
    for (const v of values) {
      const key = JSON.stringify(v.metric.dimensionSets);
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    for (const group of groups.values()) {
      const metrics = new Metrics({ namespace: this.namespace });
      metrics.clearDefaultDimensions();
      for (const set of group[0]!.metric.dimensionSets) {
        metrics.addDimensions(Object.fromEntries(set.map((name) => [name, dimensionValues[name] ?? 'unknown'])));
      }
      for (const { metric, value } of group) metrics.addMetric(metric.name, MetricUnit[metric.unit], value);
      metrics.publishStoredMetrics();
    }
  }
}
