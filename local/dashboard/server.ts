import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalRunError, isAddressInUse } from '../errors.js';
import type { DashboardState } from './state.js';

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const PAGE_URL = new URL('./index.html', import.meta.url);

/**
 * Serves the single dashboard page and its JSON state on 127.0.0.1 only: the run exposes nothing to the
 * network. `state()` is called per request, so the page always sees the latest snapshot.
 */
export async function startDashboard(port: number, state: () => DashboardState): Promise<DashboardServer> {
  const page = await readFile(PAGE_URL, 'utf8');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET' }).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/api/state') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(state()));
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
    }
  });
  await listen(server, port);
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        isAddressInUse(error)
          ? new LocalRunError('port-in-use', `port ${port} on 127.0.0.1 is already in use; pass --port <n> (or --port 0 for any free port)`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
