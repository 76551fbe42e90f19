import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config/load-config.js';
import type { Compute } from './compute.construct.js';
import { dashboardWidgets, foreshadowMetrics } from './dashboard.widgets.js';
import type { Storage } from './storage.construct.js';

export interface ObservabilityProps {
  readonly config: InfraConfig;
  readonly key: kms.IKey;
  readonly stream: kinesis.IStream;
  readonly storage: Storage;
  readonly compute: Compute;
}

/**
 * What an operator watches: one dashboard, and alarms that notify an encrypted SNS topic. Every threshold
 * comes from `config.alarms`; a period with no data is not a breach (a quiet stream is healthy).
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, compute, storage, stream } = props;
    const a = config.alarms;
    const period = Duration.minutes(a.periodMinutes);

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Foreshadow alarms', masterKey: props.key, enforceSSL: true });
    // CloudWatch publishes alarm notifications to the encrypted topic: it needs the topic and the key.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.topic.env.account } },
      }),
    );
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsUseKeyForTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.topic.env.account } },
      }),
    );
    if (a.email) this.topic.addSubscription(new subscriptions.EmailSubscription(a.email));

    const m = foreshadowMetrics({ stream, compute, storage, period });
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: a.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      return created;
    };
    this.alarms = {
      iteratorAge: alarm('IteratorAgeAlarm', m.dispatcherIteratorAge, a.iteratorAgeMs, 'The dispatcher falls behind: the newest record of its batches is older than the threshold (ms), holds included.'),
      dispatcherErrors: alarm('DispatcherErrorsAlarm', m.dispatcherErrors, a.dispatcherErrors, 'The dispatcher failed batches; their shards are blocked until success, expiry or the retry limit.'),
      ...Object.fromEntries(
        m.workerErrorsByClass.map((w) => [
          `workerErrors:${w.name}`,
          alarm(`WorkerErrorsAlarm-${w.name}`, w.total, a.workerErrors, `Worker class ${w.name} failed invocations or records (batch item failures).`),
        ]),
      ),
      failureQueueDepth: alarm('FailureQueueDepthAlarm', m.failureQueueDepth, a.failureQueueDepth, 'Records were given up on: the failure queue holds their shard and sequence range.'),
      spmErrors: alarm('SpmErrorsAlarm', m.spmErrors, a.spmErrors, 'SPM ticks failed: no shadows, moves or splits while this lasts.'),
      predictionError: alarm('PredictionErrorAlarm', m.predictionError, a.predictionErrorFraction, 'Shadow predictions miss observed utilization after moves (mean absolute percentage error, fraction).'),
      throttling: alarm('ThrottlingAlarm', m.writeProvisionedThroughputExceeded, a.throttledRecords, 'Producers are throttled: WriteProvisionedThroughputExceeded on the stream.'),
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: dashboardWidgets(m, Object.values(this.alarms)),
    });
  }
}
