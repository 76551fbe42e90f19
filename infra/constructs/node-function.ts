import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Where the code is: the project holding the entry files and its lock file. */
export interface CodeLocation {
  /** Folder esbuild runs in; every entry must lie inside it. */
  readonly projectRoot: string;
  /** The npm lock file of that project. */
  readonly depsLockFilePath: string;
  /** The tsconfig the handlers are written against. */
  readonly tsconfig: string;
}

export interface NodeFunctionProps {
  readonly entry: string;
  readonly code: CodeLocation;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
  /** @default - unreserved */
  readonly reservedConcurrency?: number;
  /**
   * Further entries bundled into the same asset, each to `outfile` next to the handler's `index.mjs`, with
   * the handler's settings (the dispatcher's inline worker thread). @default none
   */
  readonly extraBundles?: readonly { readonly entry: string; readonly outfile: string }[];
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A handler bundled with the local esbuild (never Docker) as ESM for Node.js 22, with its own role and log
 * group: the role may write to that log group and nothing else until the caller grants more. This keeps
 * the AWS managed execution policy (logs on `*`) out of the stack.
 */
export class NodeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.code.projectRoot,
      depsLockFilePath: props.code.depsLockFilePath,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        sourceMap: true,
        minify: true,
        keepNames: true,
        tsconfig: props.code.tsconfig,
        // Some dependencies are CommonJS and call require(); give the ESM bundle one.
        banner: REQUIRE_BANNER,
        ...(props.extraBundles?.length ? { commandHooks: extraBundleHooks(props.extraBundles) } : {}),
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: the handlers, their dependencies (middy 6, Powertools 2) and the tests are verified on Node 20/22; moving to a newer runtime is a tested upgrade, not an automatic one.',
    });
  }
}

/** Some dependencies are CommonJS and call require(); an ESM bundle gets one. */
const REQUIRE_BANNER = 'import { createRequire as __foreshadowCreateRequire } from "node:module"; const require = __foreshadowCreateRequire(import.meta.url);';

/**
 * Bundles each extra entry after the handler, with the project's own esbuild (the one NodejsFunction's
 * local bundling uses) and the handler's settings: ESM, Node 22, the AWS SDK left to the runtime.
 */
function extraBundleHooks(bundles: readonly { readonly entry: string; readonly outfile: string }[]): ICommandHooks {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      bundles.map((b) =>
        [
          quote(`${inputDir}/node_modules/.bin/esbuild`),
          quote(b.entry),
          '--bundle',
          '--platform=node',
          '--format=esm',
          '--target=node22',
          '--main-fields=module,main',
          '--minify',
          '--keep-names',
          '--sourcemap',
          "--external:'@aws-sdk/*'",
          `--banner:js=${quote(REQUIRE_BANNER)}`,
          `--outfile=${quote(`${outputDir}/${b.outfile}`)}`,
          '--log-level=warning',
        ].join(' '),
      ),
  };
}
