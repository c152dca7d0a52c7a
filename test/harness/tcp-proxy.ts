// A loopback TCP proxy for partition tests: one node reaches a service through it, and the test cuts
// that node off (every connection dropped, new ones refused) and restores it, while every other
// node keeps its direct connection.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** host:port to give the node instead of the service's address. */
  readonly address: string;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(upstream.includes('://') ? upstream : `tcp://${upstream}`);
  const open = new Set<Socket>();
  let isCut = false;

  const server: Server = createServer((client) => {
    if (isCut) {
      // Refused: the connection is reset as soon as it is accepted (the listener stays, so no other
      // process can take the port while cut).
      client.resetAndDestroy();
      return;
    }
    const service = connect({ host: hostname, port: Number(port) });
    open.add(client);
    open.add(service);
    const drop = (): void => {
      open.delete(client);
      open.delete(service);
      client.destroy();
      service.destroy();
    };
    client.on('error', drop).on('close', drop);
    service.on('error', drop).on('close', drop);
    client.pipe(service);
    service.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('proxy has no TCP address');

  return {
    address: `127.0.0.1:${bound.port}`,
    get isCut() {
      return isCut;
    },
    cut() {
      isCut = true;
      for (const s of [...open]) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      isCut = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
