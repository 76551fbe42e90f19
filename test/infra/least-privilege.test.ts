import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../definitions/resources.js';
import type { ForeshadowStack } from '../../infra/foreshadow.stack.js';
import { allows, roleStatements, type Statement } from '../support/iam-policy.js';
import { synthStack } from './synth.js';

let stack: ForeshadowStack;
let template: Template;
const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
let metadataArn: unknown;
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const SHARD = 'shardId-000000000007';

beforeAll(() => {
  ({ stack, template } = synthStack({ config: { workers: [{ name: 'small', memoryMb: 512, slots: 2 }, { name: 'large', memoryMb: 2048, slots: 2 }] } }));
  metadataArn = { 'Fn::GetAtt': [id(stack.foreshadow.storage.metadataTable), 'Arn'] };
});

const statementsOf = (fn: { role?: IConstruct | undefined }): Statement[] => roleStatements(template, id(fn.role!));
const can = (s: readonly Statement[], action: string, pk: string) => allows(s, { action, table: metadataArn, leadingKeys: [pk] });

describe('least privilege on the metadata table (dynamodb:LeadingKeys)', () => {
  it('a primary worker, which runs the user processor, may read partition items and write no metadata item', () => {
    for (const worker of stack.foreshadow.compute.workers.values()) {
      const s = statementsOf(worker);
      expect(can(s, 'dynamodb:GetItem', METADATA_KEYS.partition)).toBe(true);
      for (const pk of Object.values(METADATA_KEYS)) for (const write of WRITES) expect(can(s, write, pk), `${write} on ${pk}`).toBe(false);
      for (const pk of [METADATA_KEYS.worker, METADATA_KEYS.policy, METADATA_KEYS.shadow]) expect(can(s, 'dynamodb:GetItem', pk), `GetItem on ${pk}`).toBe(false);
      expect(allows(s, { action: 'dynamodb:Scan', table: metadataArn, leadingKeys: [] })).toBe(false);
    }
  });

  it("the dispatcher reads partitions, lists shadows, writes shard progress, shard load and its crash search's ranges, reads the table's creation time, nothing else", () => {
    const s = statementsOf(stack.foreshadow.compute.dispatcher);
    expect(can(s, 'dynamodb:GetItem', METADATA_KEYS.partition)).toBe(true);
    expect(can(s, 'dynamodb:Query', METADATA_KEYS.shadow)).toBe(true);
    expect(can(s, 'dynamodb:GetItem', `${METADATA_KEYS.progressPrefix}${SHARD}`)).toBe(true);
    expect(can(s, 'dynamodb:PutItem', `${METADATA_KEYS.progressPrefix}${SHARD}`)).toBe(true);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) expect(can(s, action, `${METADATA_KEYS.suspectPrefix}${SHARD}`), action).toBe(true);
    expect(can(s, 'dynamodb:DeleteItem', `${METADATA_KEYS.progressPrefix}${SHARD}`)).toBe(false);
    expect(can(s, 'dynamodb:UpdateItem', `${METADATA_KEYS.loadPrefix}1765000000000`)).toBe(true);
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query']) expect(can(s, action, `${METADATA_KEYS.loadPrefix}1765000000000`), action).toBe(false);
    expect(allows(s, { action: 'dynamodb:DescribeTable', table: metadataArn, leadingKeys: [] })).toBe(true);
    for (const pk of [METADATA_KEYS.partition, METADATA_KEYS.worker, METADATA_KEYS.shadow, METADATA_KEYS.shadowStats, METADATA_KEYS.policy]) {
      for (const write of WRITES) expect(can(s, write, pk), `${write} on ${pk}`).toBe(false);
    }
  });

  it('a shadow function lists shadows and adds to shadow stats only', () => {
    for (const shadow of stack.foreshadow.compute.shadowWorkers.values()) {
      const s = statementsOf(shadow);
      expect(can(s, 'dynamodb:Query', METADATA_KEYS.shadow)).toBe(true);
      expect(can(s, 'dynamodb:UpdateItem', METADATA_KEYS.shadowStats)).toBe(true);
      expect(can(s, 'dynamodb:UpdateItem', METADATA_KEYS.partition)).toBe(false);
      expect(can(s, 'dynamodb:PutItem', METADATA_KEYS.shadow)).toBe(false);
    }
  });

  it('the SPM, which owns placement, may still write partition items (the model is not denying everything)', () => {
    const s = statementsOf(stack.foreshadow.compute.spm);
    expect(can(s, 'dynamodb:UpdateItem', METADATA_KEYS.partition)).toBe(true);
    expect(can(s, 'dynamodb:PutItem', METADATA_KEYS.worker)).toBe(true);
  });
});
