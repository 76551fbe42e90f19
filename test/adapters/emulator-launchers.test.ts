import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../adapters/aws/errors.js';
import { startDynalite } from '../../adapters/local/dynalite.server.js';
import { freePort, freePorts } from '../../adapters/local/free-port.js';
import { startKinesisLocal } from '../../adapters/local/kinesis-local.process.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}

describe('emulator launchers', () => {
  it('freePorts gives distinct ports that can be bound', async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    const servers = await Promise.all(ports.map(occupy));
    servers.forEach((s) => s.close());
  });

  it('starts kinesis-local on a free port and leaves no process behind after stop', async () => {
    const kinesis = await startKinesisLocal();
    expect(kinesis.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(isAlive(kinesis.pid)).toBe(true);
    await kinesis.stop();
    await kinesis.stop();
    expect(isAlive(kinesis.pid)).toBe(false);
  });

  it('kinesis-local exits by itself when the process that started it is killed with SIGKILL', async () => {
    const fixture = fileURLToPath(new URL('../support/start-kinesis-local.fixture.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i += 1) await sleep(100);
    expect(isAlive(pid)).toBe(false);
  });

  it('rejects with an EmulatorError naming the port when the kinesis-local port is taken', async () => {
    const [plainPort, tlsPort] = await freePorts(2);
    const blocker = await occupy(plainPort!);
    try {
      const start = startKinesisLocal({ plainPort: plainPort!, tlsPort: tlsPort!, startTimeoutMs: 20_000 });
      await expect(start).rejects.toThrow(EmulatorError);
      await expect(start).rejects.toThrow(new RegExp(`port ${plainPort} or ${tlsPort} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('rejects with an EmulatorError when kinesis-local is not installed where it is looked for', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-kinesis-'));
    await expect(startKinesisLocal({ packageDir: empty })).rejects.toThrow(/kinesis-local: main\.js or server\.json missing in .*no-kinesis-/);
  });

  it('starts dynalite on loopback and answers DynamoDB calls until stopped', async () => {
    const dynalite = await startDynalite();
    const client = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await dynalite.stop();
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();
  });

  it('rejects with an EmulatorError when the dynalite port is taken', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      await expect(startDynalite({ port })).rejects.toThrow(`dynalite: port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
