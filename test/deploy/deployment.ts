import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GetFunctionCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll } from 'vitest';
import { CONTEXT_KEYS, loadInfraConfig, parseInfraConfig, type InfraConfig } from '../../infra/config/load-config.js';
import { ENV } from '../../definitions/resources.js';
import { AwsReads, type StackResource } from '../support/deploy/aws-reads.js';
import { bootstrap, deploy, REPO_ROOT, synth } from '../support/deploy/cdk-cli.js';
import { startMoto, type MotoServer } from '../support/moto/moto-server.js';

export const STACK = 'Foreshadow';

/** A deployed function and the part of Foreshadow it is, told by its environment (no logical ids). */
export interface DeployedFunction {
  readonly name: string;
  readonly kind: 'worker' | 'shadow' | 'dispatcher' | 'spm' | 'other';
  readonly workerId?: string;
  readonly env: Record<string, string>;
  readonly got: GetFunctionCommandOutput;
}

/** What one deploy into a fresh moto left: the configuration it was built from, the stack's resources, readers. */
export interface Deployment {
  readonly config: InfraConfig;
  readonly moto: MotoServer;
  readonly reads: AwsReads;
  readonly assemblyDir: string;
  /** The synthesized template (DeletionPolicy and the like). */
  readonly template: { Resources: Record<string, { Type: string; DeletionPolicy?: string }> };
  /** The stack's resources right after the deploy (kept after destroy, for the retention check). */
  readonly resources: readonly StackResource[];
  readonly functions: readonly DeployedFunction[];
  ofType(type: string): StackResource[];
  one(kind: DeployedFunction['kind'], workerId?: string): DeployedFunction;
}

export interface DeploymentOptions {
  /** A configuration file, relative to the repository root. @default - every default */
  readonly configFile?: string;
  /** Runs against moto after bootstrap and before the deploy (e.g. creates an existing stream). */
  readonly prepare?: (reads: AwsReads) => Promise<void>;
}

function kindOf(env: Record<string, string>): DeployedFunction['kind'] {
  if (env[ENV.shadowOnly] === 'true') return 'shadow';
  if (env[ENV.workerId] !== undefined) return 'worker';
  if (env[ENV.policy] !== undefined) return 'spm';
  if (env[ENV.workers] !== undefined) return 'dispatcher';
  return 'other';
}

/** The configuration the app reads from `configFile` (as `cdk -c foreshadowConfigFile=...`), or the defaults. */
export function configOf(configFile: string | undefined): InfraConfig {
  if (configFile === undefined) return parseInfraConfig({});
  return loadInfraConfig({ tryGetContext: (key) => (key === CONTEXT_KEYS.configFile ? join(REPO_ROOT, configFile) : undefined) });
}

/**
 * Registers beforeAll/afterAll hooks that start moto, synthesize the app, bootstrap, deploy and read the
 * stack back; the returned getter is valid inside tests. moto and the temporary assembly are removed after
 * the file, whatever happened.
 */
export function useDeployment(options: DeploymentOptions = {}): () => Deployment {
  let deployment: Deployment | undefined;
  let moto: MotoServer | undefined;
  let reads: AwsReads | undefined;
  let assemblyDir: string | undefined;
  beforeAll(async () => {
    const config = configOf(options.configFile);
    assemblyDir = await mkdtemp(join(tmpdir(), 'foreshadow-deploy-'));
    const context: Record<string, string> = options.configFile ? { [CONTEXT_KEYS.configFile]: join(REPO_ROOT, options.configFile) } : {};
    const started = startMoto().then(async (server) => {
      moto = server;
      await bootstrap(server);
      return server;
    });
    const [server] = await Promise.all([started, synth(assemblyDir, context)]);
    reads = new AwsReads(server.endpoint);
    await options.prepare?.(reads);
    await deploy(server, assemblyDir, STACK);
    const resources = await reads.stackResources(STACK);
    const template = JSON.parse(await readFile(join(assemblyDir, `${STACK}.template.json`), 'utf8')) as Deployment['template'];
    const functions: DeployedFunction[] = [];
    for (const r of resources.filter((x) => x.type === 'AWS::Lambda::Function')) {
      const got = await reads.function(r.physicalId);
      const env = got.Configuration?.Environment?.Variables ?? {};
      functions.push({ name: r.physicalId, kind: kindOf(env), workerId: env[ENV.workerId], env, got });
    }
    const ofType = (type: string) => resources.filter((x) => x.type === type);
    const one = (kind: DeployedFunction['kind'], workerId?: string): DeployedFunction => {
      const found = functions.filter((f) => f.kind === kind && (workerId === undefined || f.workerId === workerId));
      if (found.length !== 1) throw new Error(`expected one ${kind} function${workerId ? ` of class ${workerId}` : ''}, found ${found.length}: ${found.map((f) => f.name).join(', ')}`);
      return found[0]!;
    };
    deployment = { config, moto: server, reads, assemblyDir, template, resources, functions, ofType, one };
  }, 300_000);
  afterAll(async () => {
    reads?.destroy();
    await moto?.stop();
    if (assemblyDir) await rm(assemblyDir, { recursive: true, force: true });
  });
  return () => {
    if (deployment === undefined) throw new Error('the deployment is not ready: read it inside a test');
    return deployment;
  };
}
