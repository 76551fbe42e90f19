import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Foreshadow, type ForeshadowProps } from './foreshadow.construct.js';

export interface ForeshadowStackProps extends StackProps, ForeshadowProps {}

/** The app's one stack: the Foreshadow construct with the configuration from context or a file. */
export class ForeshadowStack extends Stack {
  readonly foreshadow: Foreshadow;

  constructor(scope: Construct, id: string, props: ForeshadowStackProps = {}) {
    super(scope, id, props);
    const { config, workerEntry, projectRoot, depsLockFilePath } = props;
    this.foreshadow = new Foreshadow(this, 'Foreshadow', { config, workerEntry, projectRoot, depsLockFilePath });
  }
}
