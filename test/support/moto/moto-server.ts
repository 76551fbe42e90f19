import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../adapters/local/free-port.js';

/** The launcher: moto's server plus Foreshadow's CloudFormation extension (see server.py). */
export const MOTO_LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'server.py');

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: every service on one port. */
  readonly endpoint: string;
  readonly port: number;
  /** Kills the server's process group and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

/** moto could not be started: python3 or moto missing, the wrong moto version, or no answer in time. */
export class MotoStartError extends Error {
  override readonly name = 'MotoStartError';
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/**
 * Starts the moto server on a free loopback port and resolves once it answers. The child runs in its own
 * process group (stopped as a whole), and exits by itself when this process dies (it watches its stdin).
 * Rejects with a MotoStartError quoting the launcher's one-line complaint (no moto, wrong version) or its
 * last output; the child is killed in every failure path.
 */
export async function startMoto(options: { startTimeoutMs?: number; python?: string } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const python = options.python ?? 'python3';
  const child = spawn(python, [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => live.delete(child));

  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!gone) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    child.stdin.destroy();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (spawnError) throw new MotoStartError(`moto: cannot run ${python} (${spawnError.message}); install Python 3 and pip install "moto[server]==5.2.1"`);
      if (child.exitCode !== null || child.signalCode !== null) {
        const last = output.trim().split('\n').pop() ?? '';
        throw new MotoStartError(`moto: the server exited with ${child.exitCode ?? child.signalCode} before answering: ${last}`);
      }
      try {
        const answer = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
        if (answer.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new MotoStartError(`moto: no answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms: ${output.trim().slice(-500)}`);
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}
