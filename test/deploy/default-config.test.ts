import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploy, DeployFailedError } from '../support/deploy/cdk-cli.js';
import { checkDeployedStack } from './deployed-stack.checks.js';
import { STACK, useDeployment } from './deployment.js';
import { checkDestroy } from './destroyed-stack.checks.js';
import { MISSING_FUNCTION, pointMappingAtMissingFunction } from './fixtures/broken-template.js';

describe('cdk deploy of the default configuration into moto', () => {
  const deployment = useDeployment();
  checkDeployedStack(deployment);
  checkDestroy(deployment);

  // Same server and synthesized assembly (the stack above is gone by now), one property broken.
  it('fails the deploy of a template whose event source mapping points at a missing function, naming the mapping', async () => {
    const d = deployment();
    const broken = await mkdtemp(join(tmpdir(), 'foreshadow-broken-'));
    try {
      await cp(d.assemblyDir, broken, { recursive: true });
      const mapping = await pointMappingAtMissingFunction(broken, STACK);
      const failure = await deploy(d.moto, broken, STACK).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DeployFailedError);
      expect((failure as Error).message).toContain(`Resource ${mapping} (AWS::Lambda::EventSourceMapping) failed to create`);
      expect((failure as Error).message).toContain(MISSING_FUNCTION);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
