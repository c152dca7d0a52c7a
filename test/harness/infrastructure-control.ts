// Test files run in worker processes while the infrastructure lives in vitest's main process
// (globalSetup). This small HTTP endpoint lets a test stop, start or kill a service there:
// POST /services/<name>/<stop|start|kill> answers 204 once done.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Infrastructure, InfrastructureAddresses, ServiceControl, ServiceName } from './infrastructure.ts';
import { SERVICE_NAMES } from './infrastructure.ts';

export type ServiceAction = 'stop' | 'start' | 'kill';
const ACTIONS: readonly ServiceAction[] = ['stop', 'start', 'kill'];

/** What globalSetup provides to tests as `inject('infra')`. */
export interface ProvidedInfrastructure extends InfrastructureAddresses {
  controlUrl: string;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export async function serveInfrastructureControl(infra: Infrastructure): Promise<ControlServer> {
  // One action at a time per service: a start racing a stop would leave it in either state.
  const queues = new Map<ServiceName, Promise<unknown>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/services\/([a-z]+)\/([a-z]+)$/.exec(req.url ?? '');
    const name = match?.[1] as ServiceName | undefined;
    const action = match?.[2] as ServiceAction | undefined;
    if (req.method !== 'POST' || name === undefined || action === undefined || !SERVICE_NAMES.includes(name) || !ACTIONS.includes(action)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /services/<etcd|kafka|prometheus|alertmanager>/<stop|start|kill>\n');
      return;
    }
    const run = (queues.get(name) ?? Promise.resolve()).catch(() => undefined).then(() => infra.service(name)[action]());
    queues.set(name, run);
    try {
      await run;
      res.writeHead(204).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err));
    }
  }

  const server = createServer((req, res) => {
    req.resume();
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('control server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}

/** A ServiceControl, usable from a test worker, for a service of the provided infrastructure. */
export function remoteServiceControl(controlUrl: string, name: ServiceName): ServiceControl {
  const call = async (action: ServiceAction): Promise<void> => {
    const response = await fetch(`${controlUrl}/services/${name}/${action}`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`${action} ${name}: HTTP ${response.status}: ${await response.text()}`);
  };
  return { stop: () => call('stop'), start: () => call('start'), kill: () => call('kill') };
}
