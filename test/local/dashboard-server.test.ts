import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../local/dashboard/server.js';
import { emptyDashboardState, type DashboardState } from '../../local/dashboard/state.js';
import { LocalRunError } from '../../local/errors.js';

const servers: DashboardServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(port = 0, phase: 'running' | 'done' = 'running'): Promise<DashboardServer> {
  const server = await startDashboard(port, () => ({ ...emptyDashboardState('quick-start', 'spm'), run: { ...emptyDashboardState('q', 'spm').run, phase } }));
  servers.push(server);
  return server;
}

describe('the dashboard server', () => {
  it('binds to loopback and serves the page', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(server.url);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('/api/state');
  });

  it('serves the current state as JSON on every request', async () => {
    let phase: 'running' | 'done' = 'running';
    const server = await startDashboard(0, () => ({ ...emptyDashboardState('s', 'spm'), run: { ...emptyDashboardState('s', 'spm').run, phase } }));
    servers.push(server);
    expect(((await (await fetch(`${server.url}/api/state`)).json()) as DashboardState).run.phase).toBe('running');
    phase = 'done';
    expect(((await (await fetch(`${server.url}/api/state`)).json()) as DashboardState).run.phase).toBe('done');
  });

  it('answers 404 for anything else and 405 for writes', async () => {
    const server = await start();
    expect((await fetch(`${server.url}/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/state`, { method: 'POST' })).status).toBe(405);
  });

  it('reports a port in use as a clear error naming the port and the way out', async () => {
    const first = await start();
    const attempt = startDashboard(first.port, () => emptyDashboardState('s', 'spm'));
    await expect(attempt).rejects.toBeInstanceOf(LocalRunError);
    await expect(attempt).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use; pass --port <n> (or --port 0 for any free port)`);
  });
});
