import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '../../definitions/resources.js';

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
  /** How long a failure message waits in the queue before it moves to the dead-letter queue, in days. @default 14 */
  readonly failureRetentionDays?: number;
}

/**
 * State outside the stream: the metadata, audit and example output tables (keys from
 * definitions/resources.ts, shared with the local runtime), and the failure queue that is both the event
 * source mapping's on-failure destination and the worker's failure sink.
 */
export class Storage extends Construct {
  readonly metadataTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly outputTable: dynamodb.Table;
  readonly failureQueue: sqs.Queue;
  /** Where failure messages go after `maxReceiveCount` failed reads by whoever drains the failure queue. */
  readonly failureDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const table = (name: string, def: TableDefinition) =>
      new dynamodb.Table(this, name, {
        partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: def.sortKey ? { name: def.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        timeToLiveAttribute: def.ttlAttribute,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: props.removalPolicy,
      });
    this.metadataTable = table('MetadataTable', TABLES.metadata);
    this.auditTable = table('AuditTable', TABLES.audit);
    this.outputTable = table('OutputTable', TABLES.output);

    const retentionPeriod = Duration.days(props.failureRetentionDays ?? 14);
    this.failureDeadLetterQueue = new sqs.Queue(this, 'FailureDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod,
      removalPolicy: props.removalPolicy,
    });
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod,
      // Whoever replays failures gets a few tries per message before it is parked.
      deadLetterQueue: { queue: this.failureDeadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: props.removalPolicy,
    });
  }
}
