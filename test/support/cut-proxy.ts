import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of an emulator, whose link can be cut: while cut, every open connection
 * is reset and every new one is closed at once, so clients meet what they would if the service restarted or
 * the network dropped (ECONNRESET, "socket hang up"). The emulator keeps its data, as Kinesis does.
 */
export interface CutProxy {
  readonly endpoint: string;
  /** Resets the open connections and refuses new ones for `ms`; resolves when the link is back. */
  cut(ms: number): Promise<void>;
  /** Connections reset or refused while cut. */
  readonly dropped: () => number;
  stop(): Promise<void>;
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const open = new Set<Socket>();
  let cutUntil = 0;
  let dropped = 0;
  const server: Server = createServer((client) => {
    if (Date.now() < cutUntil) {
      dropped += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(client);
    open.add(upstream);
    const close = (): void => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async cut(ms) {
      cutUntil = Date.now() + ms;
      for (const socket of open) {
        dropped += 1;
        socket.resetAndDestroy();
      }
      open.clear();
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    dropped: () => dropped,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
