import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { describe } from 'vitest';
import { checkDeployedStack } from './deployed-stack.checks.js';
import { configOf, useDeployment } from './deployment.js';
import { checkDestroy } from './destroyed-stack.checks.js';

const CONFIG_FILE = 'test/deploy/fixtures/existing-stream.yaml';

describe('cdk deploy into moto of an existing stream by ARN, three worker classes, removalPolicy destroy', () => {
  const deployment = useDeployment({
    configFile: CONFIG_FILE,
    prepare: async (reads) => {
      const name = configOf(CONFIG_FILE).stream.existingStreamArn!.split('/').pop()!;
      await reads.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
      await waitUntilStreamExists({ client: reads.kinesis, maxWaitTime: 30 }, { StreamName: name });
    },
  });
  checkDeployedStack(deployment);
  checkDestroy(deployment);
});
