import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ForeshadowProps } from '../../infra/foreshadow.construct.js';
import { ForeshadowStack } from '../../infra/foreshadow.stack.js';

export interface SynthOptions extends ForeshadowProps {
  /**
   * Run esbuild for every function. Off by default: the app's context `aws:cdk:bundling-stacks: []` makes
   * CDK skip bundling, which keeps a synth under a few seconds; one test file bundles for real.
   * @default false
   */
  readonly bundle?: boolean;
}

/** Synthesizes one Foreshadow stack; call it once per file (beforeAll) and share the result. */
export function synthStack(options: SynthOptions = {}): { app: App; stack: ForeshadowStack; template: Template } {
  const { bundle = false, ...props } = options;
  const app = new App({ context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ForeshadowStack(app, 'ForeshadowTest', props);
  return { app, stack, template: Template.fromStack(stack) };
}
