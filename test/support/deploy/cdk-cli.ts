import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MotoServer } from '../moto/moto-server.js';

/** The repository root: where cdk.json and node_modules/.bin/cdk are. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CDK_BIN = join(REPO_ROOT, 'node_modules/.bin/cdk');

/** moto's default account and the region every client of the check uses. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';

/** `cdk deploy` did not create the stack: `message` holds the CLI's failure lines (the failing resource among them). */
export class DeployFailedError extends Error {
  override readonly name = 'DeployFailedError';
}

/** A cdk command failed for another reason than a failed deployment (synth, bootstrap, destroy). */
export class CdkCommandError extends Error {
  override readonly name = 'CdkCommandError';
}

/**
 * The environment of every cdk command of the check: only moto is reachable. AWS_ENDPOINT_URL sends every
 * SDK call of the CLI to moto; AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION makes the TemplateURL the CLI hands to
 * CloudFormation read `localhost`, the only host for which moto parses a path-style S3 URL
 * (moto/cloudformation/utils.py get_stack_from_s3_url). Profiles and instance metadata are switched off, so
 * no real credentials are picked up.
 */
export function motoEnvironment(moto: MotoServer): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: MOTO_REGION,
    AWS_DEFAULT_REGION: MOTO_REGION,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${moto.port}`,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** Runs the project's cdk CLI in the repository root; resolves with its exit code and combined output. */
async function cdk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CDK_BIN, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), output }));
  });
}

function lastLines(output: string, count = 15): string {
  return output.trim().split('\n').slice(-count).join('\n');
}

async function mustSucceed(what: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { code, output } = await cdk(args, env);
  if (code !== 0) throw new CdkCommandError(`cdk ${what} exited with ${code}:\n${lastLines(output)}`);
  return output;
}

/**
 * Synthesizes the app into `outDir` with the given context (e.g. `foreshadowConfigFile`); deploys then use
 * this assembly, so what is deployed is exactly what was synthesized once.
 */
export async function synth(outDir: string, context: Readonly<Record<string, string>> = {}): Promise<string> {
  const args = ['synth', '--quiet', '--output', outDir, ...Object.entries(context).flatMap(([k, v]) => ['--context', `${k}=${v}`])];
  // Synth never calls AWS; the environment still points at nothing real.
  await mustSucceed('synth', args, { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' });
  return outDir;
}

/** `cdk bootstrap` of moto's account and region (the CDKToolkit stack: asset bucket, roles). */
export async function bootstrap(moto: MotoServer): Promise<void> {
  await mustSucceed('bootstrap', ['bootstrap', `aws://${MOTO_ACCOUNT}/${MOTO_REGION}`], motoEnvironment(moto));
}

/**
 * `cdk deploy` of one stack of a synthesized assembly into moto. `--method=direct` creates the stack with
 * CreateStack (moto's change sets have bugs), `--no-previous-parameters` keeps the CLI from reading a
 * previous stack's parameters. A failure throws a DeployFailedError quoting the CLI's failure lines.
 */
export async function deploy(moto: MotoServer, assemblyDir: string, stackName: string): Promise<string> {
  const args = ['deploy', stackName, '--app', assemblyDir, '--method=direct', '--no-previous-parameters', '--require-approval', 'never', '--progress', 'events'];
  const { code, output } = await cdk(args, motoEnvironment(moto));
  if (code === 0) return output;
  const failures = output
    .split('\n')
    .filter((line) => /failed|error/i.test(line))
    .map((line) => line.trim());
  throw new DeployFailedError(`cdk deploy ${stackName} exited with ${code}:\n${failures.length > 0 ? failures.join('\n') : lastLines(output)}`);
}

/** `cdk destroy` of one stack (no prompt). */
export async function destroy(moto: MotoServer, assemblyDir: string, stackName: string): Promise<void> {
  await mustSucceed('destroy', ['destroy', stackName, '--app', assemblyDir, '--force'], motoEnvironment(moto));
}
