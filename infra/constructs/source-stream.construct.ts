import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DEFAULTS } from '../../definitions/resources.js';
import type { InfraConfig } from '../config/load-config.js';

export interface SourceStreamProps {
  readonly stream: InfraConfig['stream'];
  /** Customer-managed key, used when `stream.encryption` is `customer-managed`. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The source stream: a new provisioned stream, KMS-encrypted (`aws/kinesis` or our key), with the shard-level metrics the SPM reads,
 * or an existing stream by ARN. For an existing stream the metrics are switched on by a custom resource
 * calling `EnableEnhancedMonitoring` on that stream only (and left on at deletion: the stream is not ours).
 */
export class SourceStream extends Construct {
  readonly stream: kinesis.IStream;
  /** Shards of a new stream; undefined for an existing one (the SPM lists them). */
  readonly shardCount: number | undefined;
  readonly existing: boolean;

  constructor(scope: Construct, id: string, props: SourceStreamProps) {
    super(scope, id);
    const s = props.stream;
    if (s.existingStreamArn === undefined) {
      this.existing = false;
      this.shardCount = s.shardCount ?? DEFAULTS.shardCount;
      this.stream = new kinesis.Stream(this, 'Stream', {
        streamName: s.name,
        streamMode: kinesis.StreamMode.PROVISIONED,
        shardCount: this.shardCount,
        retentionPeriod: Duration.hours(s.retentionHours ?? DEFAULTS.retentionHours),
        ...(s.encryption === 'customer-managed'
          ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: props.key }
          : { encryption: kinesis.StreamEncryption.MANAGED }),
        shardLevelMetrics: s.shardLevelMetrics.map((m) => m as kinesis.ShardLevelMetrics),
        removalPolicy: props.removalPolicy,
      });
      if (s.encryption === 'customer-managed') {
        Validations.of(this.stream).acknowledge({
          id: 'AwsSolutions-KDS3',
          reason: 'The operator chose a customer-managed key (config stream.encryption = customer-managed), accepting its monthly and per-request cost for key control and audit.',
        });
      }
      return;
    }
    this.existing = true;
    this.shardCount = undefined;
    this.stream = kinesis.Stream.fromStreamAttributes(this, 'Stream', {
      streamArn: s.existingStreamArn,
      encryptionKey: s.existingEncryptionKeyArn ? kms.Key.fromKeyArn(this, 'StreamKey', s.existingEncryptionKeyArn) : undefined,
    });
    const call: cr.AwsSdkCall = {
      service: 'Kinesis',
      action: 'EnableEnhancedMonitoring',
      parameters: { StreamARN: s.existingStreamArn, ShardLevelMetrics: s.shardLevelMetrics },
      physicalResourceId: cr.PhysicalResourceId.of(`${s.existingStreamArn}/enhanced-monitoring`),
    };
    const enhancedMonitoring = new cr.AwsCustomResource(this, 'EnhancedMonitoring', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['kinesis:EnableEnhancedMonitoring'], resources: [s.existingStreamArn] }),
      ]),
    });
    // The custom resource runs on CDK's singleton provider function, created at stack level.
    const provider = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    Validations.of(provider ?? enhancedMonitoring).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's AwsCustomResource provider writes its own logs through the AWS managed basic execution policy; its only other permission is kinesis:EnableEnhancedMonitoring on this stream.",
    });
  }
}
