import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
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


/**
 * The local addresses a process listens on, from Linux's /proc: the socket inodes among its open files,
 * matched against /proc/net/tcp and tcp6 rows in state 0A (LISTEN). Addresses come back as `ip:port`.
 */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const row of readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      const [hexIp, hexPort] = cols[1]!.split(':') as [string, string];
      found.push(`${decodeIp(hexIp)}:${parseInt(hexPort, 16)}`);
    }
  }
  return found;
}

/** /proc/net/tcp writes IPv4 as one little-endian word; tcp6 as four. Only the forms a test meets are named. */
function decodeIp(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  if (/^0+$/.test(hex)) return '::';
  if (hex === '0000000000000000FFFF00000100007F') return '::ffff:127.0.0.1';
  if (hex === '00000000000000000000000001000000') return '::1';
  return hex;
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

  it('kinesis-local listens on loopback only (it binds 0.0.0.0 by itself)', async () => {
    const kinesis = await startKinesisLocal();
    try {
      const addresses = listeningAddresses(kinesis.pid);
      expect(addresses).toHaveLength(2); // plain and TLS ports
      for (const address of addresses) expect(address).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1):\d+$/);
      expect(addresses).toContain(`127.0.0.1:${new URL(kinesis.endpoint).port}`);
    } finally {
      await kinesis.stop();
    }
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
