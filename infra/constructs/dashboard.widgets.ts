import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { METRIC_NAMESPACE } from '../../definitions/resources.js';
import type { Compute } from './compute.construct.js';
import type { Storage } from './storage.construct.js';

/** Names of the EMF metrics the handlers emit (namespace `Foreshadow`). */
const EMF = {
  shardUtilization: 'ShardUtilization',
  predictedUtilization: 'PredictedUtilization',
  observedUtilization: 'ObservedUtilization',
  liveShadows: 'LiveShadows',
  shadowRate: 'ShadowReplicationRate',
  moves: 'Moves',
  splits: 'Splits',
  predictionError: 'PredictionErrorAbsPct',
  tickDurationMs: 'TickDurationMs',
  shardDimension: 'ShardId',
} as const;

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
  const emf = (metricName: string, statistic: string) => new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic, period });
  const workerErrors = [...compute.workers.entries()].map(([name, fn]) => [name, fn.metricErrors({ period, statistic: 'Sum' })] as const);
  const perShard = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRIC_NAMESPACE},${EMF.shardDimension}} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`,
      label,
      period,
    });
  return {
    iteratorAgeMax: stream.metricGetRecordsIteratorAgeMilliseconds({ period, statistic: 'Maximum' }),
    writeProvisionedThroughputExceeded: stream.metricWriteProvisionedThroughputExceeded({ period, statistic: 'Sum' }),
    incomingRecords: stream.metricIncomingRecords({ period, statistic: 'Sum' }),
    incomingBytes: stream.metricIncomingBytes({ period, statistic: 'Sum' }),
    dispatcherErrors: compute.dispatcher.metricErrors({ period, statistic: 'Sum' }),
    dispatcherDuration: compute.dispatcher.metricDuration({ period, statistic: 'p99' }),
    dispatcherIteratorAge: compute.dispatcher.metric('IteratorAge', { period, statistic: 'Maximum' }),
    workerErrorsByClass: workerErrors,
    workerErrors: new cloudwatch.MathExpression({
      expression: workerErrors.map((_, i) => `w${i}`).join(' + '),
      usingMetrics: Object.fromEntries(workerErrors.map(([, metric], i) => [`w${i}`, metric])),
      label: 'Worker errors (all classes)',
      period,
    }),
    failureQueueDepth: storage.failureQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    spmErrors: compute.spm.metricErrors({ period, statistic: 'Sum' }),
    spmDuration: compute.spm.metricDuration({ period, statistic: 'Maximum' }),
    spmTickDuration: emf(EMF.tickDurationMs, 'Maximum'),
    predictionError: emf(EMF.predictionError, 'Average'),
    liveShadows: emf(EMF.liveShadows, 'Maximum'),
    moves: emf(EMF.moves, 'Sum'),
    splits: emf(EMF.splits, 'Sum'),
    shardUtilization: perShard(EMF.shardUtilization, 'Average', 'Utilization of'),
    predictedUtilization: perShard(EMF.predictedUtilization, 'Average', 'Predicted'),
    observedUtilization: perShard(EMF.observedUtilization, 'Average', 'Observed'),
    shadowRate: perShard(EMF.shadowRate, 'Average', 'Replication rate of'),
  };
}

const graph = (title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
  new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...options });

/** The dashboard, top to bottom: shard load, predictions, shadows and actions, lag, the SPM, alarms. */
export function dashboardWidgets(m: ForeshadowMetrics, alarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[][] {
  return [
    [
      graph('Per-shard utilization (busy fraction of one slot)', [m.shardUtilization], {
        leftYAxis: { min: 0 },
        leftAnnotations: [{ value: 1, label: 'cannot keep up', color: cloudwatch.Color.RED }],
      }),
      graph('Predicted vs. actual utilization', [m.predictedUtilization, m.observedUtilization], { leftYAxis: { min: 0 } }),
    ],
    [
      graph('Live shadows and their replication rates', [m.liveShadows], { right: [m.shadowRate], rightYAxis: { min: 0, max: 1 } }),
      graph('Moves and splits', [m.moves, m.splits], { view: cloudwatch.GraphWidgetView.BAR }),
    ],
    [
      graph('Iterator age (ms)', [m.iteratorAgeMax, m.dispatcherIteratorAge]),
      graph('Stream ingest and write throttling', [m.incomingRecords, m.writeProvisionedThroughputExceeded], { right: [m.incomingBytes] }),
    ],
    [
      graph('SPM tick duration and errors', [m.spmDuration, m.spmTickDuration], { right: [m.spmErrors] }),
      graph('Prediction error (MAPE, fraction)', [m.predictionError], { leftYAxis: { min: 0 } }),
    ],
    [
      graph('Dispatcher and worker errors', [m.dispatcherErrors, ...m.workerErrorsByClass.map(([, metric]) => metric)], { right: [m.dispatcherDuration] }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12, height: 6 }),
    ],
  ];
}
