import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient, type StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import {
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  type EventSourceMappingConfiguration,
  type GetFunctionCommandOutput,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cloudWatchClient, dynamoDbClient, kinesisClient, lambdaClient, LOCAL_CREDENTIALS } from '../../../adapters/aws/clients.js';
import { AwsApiError, jsonCall, queryCall, xmlMembers, xmlValue } from './raw-aws.js';

/** One resource of a deployed stack, as CloudFormation lists it. */
export interface StackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
}

export interface LogGroup {
  readonly logGroupName: string;
  readonly retentionInDays?: number;
}

/**
 * Read-only calls against the emulator, for the deploy check: the project's SDK clients where it has them
 * (Kinesis, DynamoDB, Lambda, SQS, CloudWatch), raw calls (raw-aws.ts) for CloudFormation, SNS, IAM,
 * EventBridge, CloudWatch Logs and KMS. `exists` answers whether a resource of a given type still exists.
 */
export class AwsReads {
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  readonly lambda: LambdaClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sqs: SQSClient;

  constructor(readonly endpoint: string) {
    this.kinesis = kinesisClient({ endpoint });
    this.dynamo = dynamoDbClient({ endpoint });
    this.lambda = lambdaClient({ endpoint });
    this.cloudwatch = cloudWatchClient({ endpoint });
    this.sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  }

  destroy(): void {
    for (const client of [this.kinesis, this.dynamo, this.lambda, this.cloudwatch, this.sqs]) client.destroy();
  }

  async stackResources(stackName: string): Promise<StackResource[]> {
    const xml = await queryCall(this.endpoint, 'cloudformation', '2010-05-15', 'ListStackResources', { StackName: stackName });
    return xmlMembers(xml).map((m) => ({ logicalId: xmlValue(m, 'LogicalResourceId')!, physicalId: xmlValue(m, 'PhysicalResourceId')!, type: xmlValue(m, 'ResourceType')! }));
  }

  async stream(name: string): Promise<StreamDescriptionSummary> {
    return (await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary!;
  }

  async table(name: string): Promise<{ table: TableDescription; ttlAttribute?: string; pointInTimeRecovery?: string }> {
    const table = (await this.dynamo.send(new DescribeTableCommand({ TableName: name }))).Table!;
    const ttl = (await this.dynamo.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
    const backups = (await this.dynamo.send(new DescribeContinuousBackupsCommand({ TableName: name }))).ContinuousBackupsDescription;
    return {
      table,
      ttlAttribute: ttl?.TimeToLiveStatus === 'ENABLED' ? ttl.AttributeName : undefined,
      pointInTimeRecovery: backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    };
  }

  async function(name: string): Promise<GetFunctionCommandOutput> {
    return this.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  }

  async eventInvokeConfig(functionName: string): Promise<{ MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }> {
    return this.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionName }));
  }

  async mappingsOf(functionName: string): Promise<EventSourceMappingConfiguration[]> {
    return (await this.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }))).EventSourceMappings ?? [];
  }

  async alarms(names: readonly string[]): Promise<MetricAlarm[]> {
    return (await this.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names] }))).MetricAlarms ?? [];
  }

  async dashboardBody(name: string): Promise<unknown> {
    return JSON.parse((await this.cloudwatch.send(new GetDashboardCommand({ DashboardName: name }))).DashboardBody ?? 'null');
  }

  async queueAttributes(url: string): Promise<Record<string, string>> {
    return (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
  }

  async topicAttributes(arn: string): Promise<Record<string, string>> {
    const xml = await queryCall(this.endpoint, 'sns', '2010-03-31', 'GetTopicAttributes', { TopicArn: arn });
    return Object.fromEntries(xmlMembers(xml, 'entry').map((e) => [xmlValue(e, 'key')!, xmlValue(e, 'value') ?? '']));
  }

  async subscriptions(topicArn: string): Promise<{ protocol: string; endpoint: string }[]> {
    const xml = await queryCall(this.endpoint, 'sns', '2010-03-31', 'ListSubscriptionsByTopic', { TopicArn: topicArn });
    return xmlMembers(xml).map((m) => ({ protocol: xmlValue(m, 'Protocol')!, endpoint: xmlValue(m, 'Endpoint')! }));
  }

  async rule(name: string): Promise<{ ScheduleExpression?: string; State?: string }> {
    return jsonCall(this.endpoint, 'events', 'AWSEvents', 'DescribeRule', { Name: name });
  }

  async ruleTargets(name: string): Promise<{ Arn: string; RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } }[]> {
    return (await jsonCall<{ Targets?: [] }>(this.endpoint, 'events', 'AWSEvents', 'ListTargetsByRule', { Rule: name })).Targets ?? [];
  }

  async logGroup(name: string): Promise<LogGroup | undefined> {
    const answer = await jsonCall<{ logGroups?: LogGroup[] }>(this.endpoint, 'logs', 'Logs_20140328', 'DescribeLogGroups', { logGroupNamePrefix: name });
    return answer.logGroups?.find((g) => g.logGroupName === name);
  }

  async key(keyId: string): Promise<{ KeyState?: string; Description?: string; Arn?: string; rotation: boolean }> {
    const { KeyMetadata } = await jsonCall<{ KeyMetadata: { KeyState?: string; Description?: string; Arn?: string } }>(this.endpoint, 'kms', 'TrentService', 'DescribeKey', { KeyId: keyId });
    const { KeyRotationEnabled } = await jsonCall<{ KeyRotationEnabled: boolean }>(this.endpoint, 'kms', 'TrentService', 'GetKeyRotationStatus', { KeyId: keyId });
    return { ...KeyMetadata, rotation: KeyRotationEnabled };
  }

  /**
   * Whether a resource of this type and physical id still exists (a KMS key scheduled for deletion does not
   * count). Undefined for a type that is part of another resource (a policy, a permission, a subscription):
   * it goes with its parent.
   */
  async exists(resource: StackResource): Promise<boolean | undefined> {
    const id = resource.physicalId;
    const probe = PROBES[resource.type];
    if (probe === undefined) return undefined;
    try {
      return await probe(this, id);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

const NOT_FOUND = /NotFound|NonExistent|NoSuchEntity|DoesNotExist|ResourceNotFound/i;

function isNotFound(error: unknown): boolean {
  if (error instanceof AwsApiError) return NOT_FOUND.test(error.code) || NOT_FOUND.test(error.message);
  const name = (error as { name?: string }).name ?? '';
  return NOT_FOUND.test(name) || NOT_FOUND.test(String((error as Error).message));
}

/** The last path segment of a queue URL (moto answers with its own host, CloudFormation's Ref with AWS's). */
export function queueName(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop()!;
}

type Probe = (reads: AwsReads, physicalId: string) => Promise<boolean>;

/** How to tell that a resource of each probed type exists; the deploy check fails on a type in neither list. */
const PROBES: Readonly<Record<string, Probe>> = {
  'AWS::Kinesis::Stream': async (r, id) => (await r.stream(id)).StreamStatus !== 'DELETING',
  'AWS::DynamoDB::Table': async (r, id) => (await r.dynamo.send(new DescribeTableCommand({ TableName: id }))).Table !== undefined,
  'AWS::SQS::Queue': async (r, id) => (await r.sqs.send(new GetQueueUrlCommand({ QueueName: queueName(id) }))).QueueUrl !== undefined,
  'AWS::Logs::LogGroup': async (r, id) => (await r.logGroup(id)) !== undefined,
  'AWS::KMS::Key': async (r, id) => (await r.key(id)).KeyState === 'Enabled',
  'AWS::Lambda::Function': async (r, id) => (await r.function(id)).Configuration !== undefined,
  'AWS::Lambda::EventSourceMapping': async (r, id) => (await r.lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).UUID !== undefined,
  'AWS::CloudWatch::Alarm': async (r, id) => (await r.alarms([id])).length > 0,
  'AWS::CloudWatch::Dashboard': async (r, id) => (await r.dashboardBody(id)) !== null,
  'AWS::SNS::Topic': async (r, id) => Object.keys(await r.topicAttributes(id)).length > 0,
  'AWS::Events::Rule': async (r, id) => (await r.rule(id)).State !== undefined,
  'AWS::IAM::Role': async (r, id) => (await queryCall(r.endpoint, 'iam', '2010-05-08', 'GetRole', { RoleName: id })).includes('<RoleName>'),
};

/** Types that are part of another resource and go with it. */
export const PART_OF_ANOTHER = new Set([
  'AWS::IAM::Policy',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::SQS::QueuePolicy',
  'Custom::AWS',
]);

export const PROBED_TYPES = new Set(Object.keys(PROBES));
