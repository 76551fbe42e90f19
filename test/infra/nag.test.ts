import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import cdkNag from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ForeshadowStack } from '../../infra/foreshadow.stack.js';

interface Finding {
  readonly rule: string;
  readonly path: string;
}

/** Runs AwsSolutions over every variant at once (one synth) and returns the unacknowledged findings. */
function nagFindings(): Finding[] {
  const outdir = mkdtempSync(join(tmpdir(), 'foreshadow-nag-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  // The default stream key (aws/kinesis) is what KDS3 asks for; the customer key variant needs an acknowledgement.
  new ForeshadowStack(app, 'CustomerKey', { config: { stream: { encryption: 'customer-managed', shardCount: 2 }, alarms: { email: 'ops@example.com' } } });
  new ForeshadowStack(app, 'Existing', {
    config: {
      stream: {
        existingStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
        existingEncryptionKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        // The enhanced fan-out consumer and its grants; the customer-key stack covers the shared mapping.
        consumer: 'efo',
      },
      policy: 'alarm-autoscaler',
    },
  });
  // Control: a queue without TLS enforcement must be reported, proving the checks run at all.
  new sqs.Queue(new Stack(app, 'Control'), 'PlainQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app));
  try {
    app.synth();
    return [];
  } catch {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    return report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath }))));
  }
}

describe('cdk-nag AwsSolutions', () => {
  let findings: Finding[];
  beforeAll(() => {
    findings = nagFindings();
  });

  it('reports the deliberately non-compliant control queue, so the checks do run', () => {
    expect(findings).toContainEqual({ rule: 'AwsSolutions-SQS4', path: 'Control/PlainQueue/Resource' });
  });

  it('leaves no unacknowledged finding on a Foreshadow stack (new stream with a customer key, existing stream read through enhanced fan-out)', () => {
    expect(findings.filter((f) => !f.path.startsWith('Control/'))).toEqual([]);
  });
});
