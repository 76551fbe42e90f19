import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { DIMENSIONS, FORESHADOW_METRICS, KINESIS_SHARD_METRICS, METRICS_NAMESPACE, SPM_METRICS } from '../../definitions/metrics.js';
import type { Compute } from './compute.construct.js';
import type { Storage } from './storage.construct.js';

export interface MetricSources {
  readonly stream: kinesis.IStream;
  readonly compute: Compute;
  readonly storage: Storage;
  /** Period of alarms and graphs. */
  readonly period: Duration;
}

export type ForeshadowMetrics = ReturnType<typeof foreshadowMetrics>;

/** The metrics alarms and the dashboard share, so that both always show the same numbers. */
export function foreshadowMetrics({ stream, compute, storage, period }: MetricSources) {
  const seconds = period.toSeconds();
  const spm = (d: (typeof SPM_METRICS)[keyof typeof SPM_METRICS]) => new cloudwatch.Metric({ namespace: d.namespace, metricName: d.name, statistic: d.stat, period });
  /** One line per shard, whatever shards exist now (splits add some): a SEARCH over the ShardId dimension. */
  const perShard = (namespace: string, dimensions: readonly string[], metricName: string, statistic: string, scale: string, label: string) =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{${[namespace, ...dimensions].join(',')}} MetricName="${metricName}"', '${statistic}', ${seconds})${scale}`,
      label,
      period,
    });
  // A worker fails either as an invocation (Lambda Errors) or per record (WorkerErrors, reported as batch item failures).
  const workerErrorsByClass = [...compute.workers.entries()].map(([name, fn]) => {
    const records = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: FORESHADOW_METRICS.workerErrors.name,
      dimensionsMap: { [DIMENSIONS.workerId]: name },
      statistic: 'Sum',
      period,
    });
    const invocations = fn.metricErrors({ period, statistic: 'Sum' });
    const total = new cloudwatch.MathExpression({
      expression: 'FILL(invocations, 0) + FILL(records, 0)',
      usingMetrics: { invocations, records },
      label: `Worker ${name} errors (invocations + records)`,
      period,
    });
    return { name, invocations, records, total };
  });
  /**
   * A shadow function at its reserved concurrency throttles asynchronous samples (Lambda keeps retrying them
   * within their 2-minute event age, then drops them) and its errors only lose samples: the owners never
   * wait on it. Worth a graph, not an alarm.
   */
  const shadowFunctionsByClass = [...compute.shadowWorkers.entries()].map(([name, fn]) => ({
    name,
    throttles: fn.metricThrottles({ period, statistic: 'Sum', label: `Shadow ${name} throttles` }),
    errors: fn.metricErrors({ period, statistic: 'Sum', label: `Shadow ${name} errors` }),
    /** Lambda's asynchronous-invocation metric: samples given up on (event age above 2 min, or an error with no retry left). */
    dropped: fn.metric('AsyncEventsDropped', { period, statistic: 'Sum', label: `Shadow ${name} samples dropped` }),
    /** Sampled records the dry run failed (the worker handler's per-record failures in shadow mode). */
    records: new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: FORESHADOW_METRICS.shadowErrors.name,
      dimensionsMap: { [DIMENSIONS.workerId]: name },
      period,
      statistic: 'Sum',
      label: `Shadow ${name} failed records`,
    }),
  }));
  return {
    streamIteratorAgeMax: stream.metricGetRecordsIteratorAgeMilliseconds({ period, statistic: 'Maximum' }),
    writeProvisionedThroughputExceeded: stream.metricWriteProvisionedThroughputExceeded({ period, statistic: 'Sum' }),
    incomingRecords: stream.metricIncomingRecords({ period, statistic: 'Sum' }),
    incomingBytes: stream.metricIncomingBytes({ period, statistic: 'Sum' }),
    dispatcherErrors: compute.dispatcher.metricErrors({ period, statistic: 'Sum' }),
    dispatcherDuration: compute.dispatcher.metricDuration({ period, statistic: 'p99' }),
    /** Lambda's IteratorAge of the dispatcher's mapping: how far our consumer lags, holds included. */
    dispatcherIteratorAge: compute.dispatcher.metric('IteratorAge', { period, statistic: 'Maximum' }),
    workerErrorsByClass,
    shadowFunctionsByClass,
    failureQueueDepth: storage.failureQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    spmErrors: compute.spm.metricErrors({ period, statistic: 'Sum' }),
    spmDuration: compute.spm.metricDuration({ period, statistic: 'Maximum' }),
    spmTickDuration: spm(SPM_METRICS.tickDurationMs),
    predictionError: spm(SPM_METRICS.predictionError),
    predictedUtilization: spm(SPM_METRICS.predictedUtilization),
    observedUtilization: spm(SPM_METRICS.observedUtilization),
    liveShadows: spm(SPM_METRICS.liveShadows),
    shadowReplicationRate: spm(SPM_METRICS.shadowReplicationRate),
    moves: spm(SPM_METRICS.moves),
    splits: spm(SPM_METRICS.splits),
    /** Utilization = primary busy ms per ms of the period (busy fraction of one slot). */
    shardUtilization: perShard(METRICS_NAMESPACE, [DIMENSIONS.shardId], FORESHADOW_METRICS.primaryBusyMs.name, 'Sum', ` / ${seconds * 1000}`, 'Utilization'),
    shardIteratorAge: perShard(METRICS_NAMESPACE, [DIMENSIONS.shardId], FORESHADOW_METRICS.iteratorAgeMs.name, 'Maximum', '', 'Iterator age'),
    shardBurstLanes: perShard(METRICS_NAMESPACE, [DIMENSIONS.shardId], FORESHADOW_METRICS.burstLanes.name, 'Maximum', '', 'Burst lanes'),
    shardWriteThrottled: perShard(
      KINESIS_SHARD_METRICS.writeThrottled.namespace,
      [DIMENSIONS.shardId, DIMENSIONS.streamName],
      KINESIS_SHARD_METRICS.writeThrottled.name,
      'Sum',
      '',
      'Throttled writes',
    ),
  };
}

const graph = (title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
  new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...options });

/** The dashboard, top to bottom: shard load, predictions, shadows and actions, lag, the SPM, errors and alarms, shadow functions. */
export function dashboardWidgets(m: ForeshadowMetrics, alarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[][] {
  return [
    [
      graph('Per-shard utilization (busy fraction of one slot) and burst lanes', [m.shardUtilization], {
        leftYAxis: { min: 0 },
        right: [m.shardBurstLanes],
        rightYAxis: { min: 0 },
        leftAnnotations: [{ value: 1, label: 'cannot keep up', color: cloudwatch.Color.RED }],
      }),
      graph('Predicted vs. actual utilization after moves', [m.predictedUtilization, m.observedUtilization], { leftYAxis: { min: 0 } }),
    ],
    [
      graph('Live shadows and their mean replication rate', [m.liveShadows], { right: [m.shadowReplicationRate], rightYAxis: { min: 0, max: 1 } }),
      graph('Moves and splits', [m.moves, m.splits], { view: cloudwatch.GraphWidgetView.BAR }),
    ],
    [
      graph('Iterator age (ms)', [m.dispatcherIteratorAge, m.streamIteratorAgeMax], { right: [m.shardIteratorAge] }),
      graph('Ingest and write throttling (WriteProvisionedThroughputExceeded)', [m.incomingRecords, m.writeProvisionedThroughputExceeded], {
        right: [m.shardWriteThrottled],
      }),
    ],
    [
      graph('SPM duration (ms) and errors', [m.spmDuration, m.spmTickDuration], { right: [m.spmErrors] }),
      graph('Prediction error (absolute, fraction of observed)', [m.predictionError], { leftYAxis: { min: 0 } }),
    ],
    [
      graph('Dispatcher and worker errors', [m.dispatcherErrors, ...m.workerErrorsByClass.flatMap((w) => [w.invocations, w.records])], {
        right: [m.dispatcherDuration],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12, height: 6 }),
    ],
    [
      graph('Shadow functions: throttles, errors, dropped samples, failed records (owners unaffected; no alarm)', [
        ...m.shadowFunctionsByClass.flatMap((f) => [f.throttles, f.errors, f.dropped, f.records]),
      ]),
    ],
  ];
}
