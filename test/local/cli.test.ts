import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, LocalRunError } from '../../local/errors.js';
import { runLocal } from '../../local/orchestrator.js';

/** Runs `npm start`'s entry point (tsx local/main.ts) and returns its exit code and output. */
function start(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm start when something is wrong', () => {
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it.each([
    ['a port in use', () => ['--port', String(port)], EXIT_CODES['port-in-use'], () => `foreshadow: port ${port} on 127.0.0.1 is already in use; pass --port <n> (or --port 0 for any free port)`],
    ['a missing scenario file', () => ['--scenario', 'no/such.yaml'], EXIT_CODES['bad-scenario'], () => 'foreshadow: --scenario must be a built-in scenario'],
    ['an unknown policy', () => ['--policy', 'magic'], EXIT_CODES['bad-option'], () => 'foreshadow: --policy must be one of spm'],
    // A comparison checks every policy before the first run: a typo in the second does not cost the first run.
    ['an unknown policy second in a comparison', () => ['--policy', 'spm,magic'], EXIT_CODES['bad-option'], () => 'foreshadow: --policy must be one of spm'],
    ['a comparison with an empty name', () => ['--policy', 'spm,'], EXIT_CODES['bad-option'], () => 'foreshadow: --policy must be a policy name, or names separated by commas (given "spm,")'],
    ['a bad option value', () => ['--time-scale', 'fast'], EXIT_CODES['bad-option'], () => 'foreshadow: --time-scale must be a number between 0.01 and 10000 (given "fast")'],
    // Checked before the emulators start: the run (2 minutes by default) would otherwise end in a lost report.
    ['an --out path that cannot be written', () => ['--out', '/proc/nope/report.json'], EXIT_CODES['bad-option'], () => 'foreshadow: --out must be a file path this process can write (given "/proc/nope/report.json": '],
  ])('reports %s in one line, exits non-zero, prints no stack', { timeout: 60_000 }, (_what, args, code, message) => {
    const r = start(...args());
    expect(r.status).toBe(code);
    expect(r.stderr).toContain(message());
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('runLocal when the report file cannot be written at the end', () => {
  it('still returns the report, with the reason the file was not written', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-out-'));
    const abort = new AbortController();
    const run = await runLocal({
      policy: 'static',
      durationSec: 30,
      timeScale: 20,
      port: 0,
      dashboard: false,
      out: join(dir, 'sub', 'report.json'),
      signal: abort.signal,
      log: (line) => {
        if (!line.startsWith('warming up')) return;
        // The path passed the check at start; now its folder becomes a file, so the final write fails.
        rmSync(dir, { recursive: true, force: true });
        writeFileSync(dir, 'not a folder');
        abort.abort();
      },
    });
    rmSync(dir, { force: true });
    expect(run.reportWriteError).toMatch(new RegExp(`^could not write the report to ${dir}/sub/report\\.json: `));
    expect(run.report.ledger).toMatchObject({ ok: true, lost: 0, duplicated: 0 });
  });
});

describe('runLocal when an emulator is missing', () => {
  it('fails with emulator-missing naming the package, before any load', async () => {
    const attempt = runLocal({ policy: 'spm', port: 0, dashboard: false, kinesisLocalDir: '/nonexistent/kinesis-local' });
    await expect(attempt).rejects.toBeInstanceOf(LocalRunError);
    await expect(attempt).rejects.toMatchObject({ code: 'emulator-missing', message: expect.stringContaining('kinesis-local: main.js or server.json missing in /nonexistent/kinesis-local') });
  });
});
