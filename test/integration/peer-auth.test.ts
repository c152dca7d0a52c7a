// Nodes behind node.web_config_file basic auth still reach each other: a coordinator and a scraper
// as processes on the harness' etcd and Kafka, both requiring basic auth on every path. The
// coordinator's /api/v1/targets polls the scraper's /api/v1/targets for health: with
// node.peer_http_client (password_file) it gets the scraper's answer (health up, the scraper as
// owner); without credentials the poll is refused with 401 and the health stays unknown.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { basicAuthHeader } from '../../core/http-client-config.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import type { ReadinessProbe } from '../../deploy/local/services/readiness.ts';
import { eventually } from '../harness/eventually.ts';

const USER = 'ringwatch';
const PASSWORD = `peer-${randomBytes(6).toString('hex')}`;
const AUTH = basicAuthHeader(USER, PASSWORD);

interface ApiTarget {
  scrapeUrl: string;
  owner: string | null;
  health: string;
}

describe('peer calls with node.web_config_file basic auth', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-peer-auth-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `peer-auth-${id}`);
  const webConfig = join(dir, 'web.yml');
  const passwordFile = join(dir, 'peer-password');
  const nodes: RingwatchNode[] = [];
  let target: Server;
  let targetHost: string;

  /** /readyz with the credentials (the probe's own GET would get 401). */
  const authedProbe = (url: string): ReadinessProbe => ({
    description: `GET ${url}/readyz (basic auth)`,
    async check() {
      const res = await fetch(`${url}/readyz`, { headers: { authorization: AUTH }, signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 200;
    },
  });

  async function start(kind: 'coordinator' | 'scraper', name: string, config: Record<string, unknown>): Promise<RingwatchNode> {
    const port = await freePort();
    const node = await startRingwatchNode({
      kind,
      name,
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      probe: authedProbe(`http://127.0.0.1:${port}`),
      config: { ...config, node: { ...(config.node as object), id: name, listen_address: `127.0.0.1:${port}`, web_config_file: webConfig } },
    });
    nodes.push(node);
    return node;
  }

  async function coordinatorTargets(coordinator: RingwatchNode): Promise<ApiTarget[]> {
    const res = await fetch(`${coordinator.url}/api/v1/targets?state=active`, { headers: { authorization: AUTH } });
    if (res.status !== 200) throw new Error(`coordinator answered ${res.status}`);
    return ((await res.json()) as { data: { activeTargets: ApiTarget[] } }).data.activeTargets;
  }

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(webConfig, `basic_auth_users:\n  ${USER}: "${bcrypt.hashSync(PASSWORD, 4)}"\n`);
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    target = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('peer_auth_up 1\n'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetHost = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await new Promise((resolve) => target.close(resolve));
  });

  it("the coordinator's health poll reaches the scraper with node.peer_http_client; without credentials it is refused", async () => {
    const etcd = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s' };
    const peerClient = { basic_auth: { username: USER, password_file: passwordFile } };
    const scrapeConfigs = [{ job_name: 'peer-auth', static_configs: [{ targets: [targetHost] }] }];
    const coordinator = await start('coordinator', `peer-auth-coord-${id}`, {
      node: { peer_http_client: peerClient },
      etcd,
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: scrapeConfigs,
    });
    // A second coordinator on the same fleet without peer_http_client: its poll gets 401.
    const bare = await start('coordinator', `peer-auth-bare-${id}`, { etcd, global: { scrape_interval: '1s', scrape_timeout: '900ms' }, scrape_configs: scrapeConfigs });
    const scraperName = `peer-auth-s1-${id}`;
    await start('scraper', scraperName, {
      node: { peer_http_client: peerClient },
      etcd: { ...etcd, handoff_delay: '1s' },
      kafka: { brokers: infra.kafkaBrokers, topic: `samples-peer-auth-${id}`, partitions: 4 },
    });

    const scraped = await eventually(
      async () => {
        const ts = await coordinatorTargets(coordinator);
        const t = ts.find((x) => x.scrapeUrl === `http://${targetHost}/metrics`);
        return t !== undefined && t.health === 'up' ? t : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the target up, as the scraper reports it through basic auth' },
    );
    expect(scraped.owner).toBe(scraperName);

    const refused = await coordinatorTargets(bare);
    expect(refused.map((t) => [t.scrapeUrl, t.owner, t.health])).toEqual([[`http://${targetHost}/metrics`, scraperName, 'unknown']]);
  });
});
