import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../definitions/resources.js';
import { infraConfigSchema } from '../../infra/config/infra-config.schema.js';
import type { ForeshadowProps } from '../../infra/foreshadow.construct.js';
import { synthStack } from './synth.js';

const workers = [
  { name: 'small', memoryMb: 512, slots: 3 },
  { name: 'large', memoryMb: 3008, slots: 2 },
];

describe('a dispatcher that processes one worker class inline (inlineWorkerClass)', () => {
  it('gets that class\u2019s memory, its id and timeout (the deadline of an inline batch), the output table and the failure queue', () => {
    const { stack, template } = synthStack({ config: { workers, inlineWorkerClass: 'large' } });
    const dispatcher = stack.foreshadow.compute.dispatcher;
    const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 3008,
      Environment: { Variables: Match.objectLike({ [ENV.inlineWorkerId]: 'large', [ENV.inlineWorkerTimeoutMs]: '60000', [ENV.outputTable]: Match.anyValue(), [ENV.streamName]: Match.anyValue() }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(dispatcher.role!) }] } })).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'sqs:SendMessage']));
  });

  it('runs the class with the least memory by default, and none with `none`: the dispatcher then has no output table and invokes every owner', () => {
    const dispatcherEnv = (config: ForeshadowProps['config']) => {
      const { template } = synthStack({ config });
      const dispatchers = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => JSON.stringify(f).includes('Foreshadow dispatcher')) as {
        Properties: { MemorySize: number; Environment: { Variables: Record<string, unknown> } };
      }[];
      expect(dispatchers).toHaveLength(1);
      return dispatchers[0]!.Properties;
    };
    const byDefault = dispatcherEnv({ workers: [workers[1]!, workers[0]!] });
    expect(byDefault.Environment.Variables[ENV.inlineWorkerId]).toBe('small');
    expect(byDefault.MemorySize).toBe(512);
    const none = dispatcherEnv({ workers, inlineWorkerClass: 'none' });
    expect(none.Environment.Variables[ENV.inlineWorkerId]).toBeUndefined();
    expect(none.Environment.Variables[ENV.outputTable]).toBeUndefined();
  });

  it('must name one of the worker classes', () => {
    const parsed = infraConfigSchema.safeParse({ workers, inlineWorkerClass: 'medium' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('one of the worker classes (small, large) or none (given medium)');
  });
});
