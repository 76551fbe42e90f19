import { expect, it } from 'vitest';
import { PART_OF_ANOTHER, PROBED_TYPES, type StackResource } from '../support/deploy/aws-reads.js';
import { destroy } from '../support/deploy/cdk-cli.js';
import { STACK, type Deployment } from './deployment.js';
import { consumerByArn } from './stream-consumers.js';

/** What `removalPolicy: retain` keeps when the stack is deleted: the state and its key, and the logs. */
export const RETAINED_TYPES = ['AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'] as const;

/** Probes for types the shared AwsReads does not probe: the consumer of `stream.consumer: efo` (its physical id is its ARN). */
const MORE_PROBES: Readonly<Record<string, (d: Deployment, physicalId: string) => Promise<boolean>>> = {
  'AWS::Kinesis::StreamConsumer': async (d, arn) => (await consumerByArn(d.reads.kinesis, arn)) !== undefined,
};

function isProbed(type: string): boolean {
  return PROBED_TYPES.has(type) || type in MORE_PROBES;
}

async function exists(d: Deployment, r: StackResource): Promise<boolean | undefined> {
  const probe = MORE_PROBES[r.type];
  return probe === undefined ? d.reads.exists(r) : probe(d, r.physicalId);
}

/**
 * `cdk destroy`, then every resource the stack had is looked up again: those of a retained type (none with
 * `removalPolicy: destroy`) must still exist, every other one must be gone. Registered last in a file: it
 * deletes the stack the other checks read.
 */
export function checkDestroy(get: () => Deployment): void {
  it('destroys the stack, leaving exactly the resources the removal policy retains', async () => {
    const d = get();
    const retainedTypes = new Set<string>(d.config.removalPolicy === 'retain' ? RETAINED_TYPES : []);
    const unknown = d.resources.filter((r) => !isProbed(r.type) && !PART_OF_ANOTHER.has(r.type)).map((r) => r.type);
    expect(unknown, 'resource types the check can neither look up nor attribute to another resource').toEqual([]);
    for (const r of d.resources) {
      expect(d.template.Resources[r.logicalId]?.DeletionPolicy === 'Retain', `${r.logicalId} (${r.type}) DeletionPolicy`).toBe(retainedTypes.has(r.type));
    }

    await destroy(d.moto, d.assemblyDir, STACK);

    const remaining: string[] = [];
    const gone: string[] = [];
    for (const r of d.resources) {
      const found = await exists(d, r);
      if (found === true) remaining.push(`${r.type} ${r.logicalId}`);
      if (found === false) gone.push(`${r.type} ${r.logicalId}`);
    }
    const expected = d.resources.filter((r) => retainedTypes.has(r.type)).map((r) => `${r.type} ${r.logicalId}`);
    expect(remaining.sort()).toEqual(expected.sort());
    expect(gone.length + remaining.length).toBe(d.resources.filter((r) => isProbed(r.type)).length);
    if (d.config.stream.existingStreamArn !== undefined) {
      // Not the stack's: it stays, and so do its shard-level metrics (switched on by the stack, left on at deletion).
      const summary = await d.reads.stream(d.config.stream.existingStreamArn.split('/').pop()!);
      expect(summary.StreamStatus).toBe('ACTIVE');
    }
  });
}
