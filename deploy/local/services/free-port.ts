// A TCP port nobody listens on right now, chosen by the kernel (bind to port 0 on 127.0.0.1).
import { createServer } from 'node:net';

// The kernel may hand the same port out twice while the first caller has not bound it yet (we
// pick several ports before starting the services); remember what we gave out recently.
const recentlyGiven = new Set<number>();
const RECENT_LIMIT = 256;

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindEphemeral();
    if (recentlyGiven.has(port)) continue;
    recentlyGiven.add(port);
    if (recentlyGiven.size > RECENT_LIMIT) {
      const oldest = recentlyGiven.values().next().value;
      if (oldest !== undefined) recentlyGiven.delete(oldest);
    }
    return port;
  }
  throw new Error('freePort: the kernel kept returning ports already handed out');
}

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: unexpected server address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
