import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EmulatorError } from '../aws/errors.js';
import { freePorts } from './free-port.js';

/** How long kinesis-local takes for its asynchronous operations (its own env vars), in ms. */
export interface KinesisLocalDurations {
  /** CREATE_STREAM_DURATION. @default 0 (ms; kinesis-local's own default is 500) */
  readonly createStreamMs?: number;
  /** SPLIT_SHARD_DURATION: how long the stream stays UPDATING after SplitShard. @default 0 (ms) */
  readonly splitShardMs?: number;
  /** MERGE_SHARDS_DURATION. @default 0 (ms) */
  readonly mergeShardsMs?: number;
  /** UPDATE_SHARD_COUNT_DURATION. @default 0 (ms) */
  readonly updateShardCountMs?: number;
  /** DELETE_STREAM_DURATION. @default 0 (ms) */
  readonly deleteStreamMs?: number;
}

export interface KinesisLocalOptions extends KinesisLocalDurations {
  /** Plain-HTTP port; a free one when omitted. */
  readonly plainPort?: number;
  /** TLS port kinesis-local insists on opening too; a free one when omitted. */
  readonly tlsPort?: number;
  /** How long to wait for the first successful ListStreams. @default 30000 (ms) */
  readonly startTimeoutMs?: number;
  /** SHARD_LIMIT of the emulated account. @default 200 */
  readonly shardLimit?: number;
  /** Where kinesis-local is installed. @default resolved from node_modules */
  readonly packageDir?: string;
  /** Extra environment for the child (e.g. LOG_LEVEL). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface KinesisLocal {
  /** `http://127.0.0.1:<plainPort>`, for clients built with `kinesisClient({ endpoint })`. */
  readonly endpoint: string;
  readonly pid: number;
  /** Kills the process group and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

/**
 * Exits the child when its stdin closes, i.e. when the parent dies for any reason (including SIGKILL, where
 * no exit hook of the parent runs). Loaded into kinesis-local with `--import`, so there is one process.
 * stdin is unref'd so that it never keeps a failed kinesis-local (e.g. port in use) alive by itself.
 */
const WATCHDOG =
  'data:text/javascript,process.stdin.on("end",()=>process.exit(0));process.stdin.on("error",()=>process.exit(0));process.stdin.resume();process.stdin.unref();';

/**
 * kinesis-local binds its servers to 0.0.0.0 with no setting to change it; a local run must not offer an
 * unauthenticated Kinesis to the network. Loaded with `--import` like the watchdog, this binds every
 * listening server of the child whose host is missing or a wildcard to 127.0.0.1 instead.
 */
const LOOPBACK_ONLY = `data:text/javascript,${encodeURIComponent(`import net from 'node:net';
const wildcard = (h) => h === undefined || h === null || h === '' || h === '0.0.0.0' || h === '::';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && first.path === undefined && first.fd === undefined && wildcard(first.host)) {
    args[0] = { ...first, host: '127.0.0.1' };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^[0-9]+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
    else if (wildcard(args[1])) args[1] = '127.0.0.1';
  }
  return listen.apply(this, args);
};`)}`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all we can send.
  process.once('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

export function resolveKinesisLocalDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return dirname(require.resolve('kinesis-local/package.json'));
  } catch {
    throw new EmulatorError('kinesis-local', `the npm package kinesis-local is not installed (looked up from ${import.meta.url}); run npm install`);
  }
}

function durationEnv(o: KinesisLocalDurations): Record<string, string> {
  const ms = (v: number | undefined): string => `${Math.max(0, Math.round(v ?? 0))}ms`;
  return {
    CREATE_STREAM_DURATION: ms(o.createStreamMs),
    DELETE_STREAM_DURATION: ms(o.deleteStreamMs),
    SPLIT_SHARD_DURATION: ms(o.splitShardMs),
    MERGE_SHARDS_DURATION: ms(o.mergeShardsMs),
    UPDATE_SHARD_COUNT_DURATION: ms(o.updateShardCountMs),
  };
}

/**
 * Starts kinesis-local (the Kinesis engine LocalStack uses) as a child process on free ports and resolves
 * once it answers ListStreams. Rejects with an `EmulatorError` quoting the cause when the package is
 * missing, a port is taken, or it does not answer in time; the child is killed in every failure path.
 */
export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
  const dir = options.packageDir ?? resolveKinesisLocalDir();
  const mainJs = join(dir, 'main.js');
  const certPath = join(dir, 'server.json');
  if (!existsSync(mainJs) || !existsSync(certPath)) {
    throw new EmulatorError('kinesis-local', `main.js or server.json missing in ${dir}; reinstall the kinesis-local package`);
  }
  // Free ports can be taken by another process between the check and kinesis-local's bind (the team's tests
  // run in parallel): with ports of our own choosing, try again on fresh ones.
  const attempts = options.plainPort !== undefined || options.tlsPort !== undefined ? 1 : 3;
  for (let attempt = 1; ; attempt += 1) {
    const [freePlain, freeTls] = await freePorts(2);
    try {
      return await launch(mainJs, dir, certPath, options.plainPort ?? freePlain!, options.tlsPort ?? freeTls!, options);
    } catch (error) {
      if (!(error instanceof EmulatorError && error.portInUse) || attempt >= attempts) throw error;
    }
  }
}

async function launch(mainJs: string, dir: string, certPath: string, plainPort: number, tlsPort: number, options: KinesisLocalOptions): Promise<KinesisLocal> {

  const child = spawn(process.execPath, ['--import', WATCHDOG, '--import', LOOPBACK_ONLY, mainJs], {
    cwd: dir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KINESIS_MOCK_CERT_PATH: certPath,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      SHARD_LIMIT: String(options.shardLimit ?? 200),
      LOG_LEVEL: 'WARN',
      SHOULD_PERSIST_DATA: 'false',
      ...durationEnv(options),
      ...options.env,
    },
  });
  live.add(child);
  installExitHook();
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!gone) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const endpoint = `http://127.0.0.1:${plainPort}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 500, requestTimeout: 2000, throwOnRequestTimeout: true }),
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      const inUse = /EADDRINUSE|Address already in use/.test(output);
      if (inUse || child.exitCode !== null || child.signalCode !== null) {
        throw new EmulatorError(
          'kinesis-local',
          inUse
            ? `port ${plainPort} or ${tlsPort} is already in use (${/EADDRINUSE[^\n]*/.exec(output)?.[0] ?? 'EADDRINUSE'})`
            : `kinesis-local exited with ${child.exitCode ?? child.signalCode} before answering: ${output.trim().slice(0, 500)}`,
          inUse,
        );
      }
      try {
        await client.send(new ListStreamsCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new EmulatorError('kinesis-local', `no answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms: ${output.trim().slice(0, 500)}`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    client.destroy();
    await stop();
    throw error;
  }
  client.destroy();
  return { endpoint, pid: child.pid ?? -1, stop };
}
