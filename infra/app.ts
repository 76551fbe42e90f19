import { App } from 'aws-cdk-lib';
import { ValidationError } from '../core/errors.js';
import { loadInfraConfig } from './config/load-config.js';
import { ForeshadowStack } from './foreshadow.stack.js';

/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`). Configuration comes from context `foreshadow` or
 * `foreshadowConfigFile`; `foreshadowWorkerEntry` points at your own worker handler, `foreshadowStackName`
 * renames the stack. The stack is environment-agnostic, so synth needs no AWS account and no network.
 */
const app = new App();
try {
  const config = loadInfraConfig(app.node);
  const workerEntry = app.node.tryGetContext('foreshadowWorkerEntry') as string | undefined;
  const stackName = (app.node.tryGetContext('foreshadowStackName') as string | undefined) ?? 'Foreshadow';
  new ForeshadowStack(app, stackName, {
    description: 'Foreshadow: shadow partition manager for a Kinesis stream consumed by Lambda',
    config,
    workerEntry,
  });
  app.synth();
} catch (error) {
  // A configuration mistake is the user's to fix: print the message alone, without a stack trace.
  if (!(error instanceof ValidationError)) throw error;
  process.stderr.write(`Invalid Foreshadow configuration: ${error.message}\n`);
  process.exit(1);
}
