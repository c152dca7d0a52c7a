// Secrets stay secret on a running coordinator and scraper (processes, real etcd and Kafka): an
// inline scrape secret is refused by the coordinator with the field and the `*_file` to use; what
// is configured through files works and never reaches etcd; the secrets the coordinator may hold
// (API token, http_sd credentials, URL userinfo) appear in no log line and no API answer.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

const SECRETS = {
  apiToken: 'api-token-1f3e',
  filePassword: 'file-password-9a2b',
  sdPassword: 'sd-password-77c1',
  sdUserinfo: 'sd-userinfo-5d0e',
  addressUserinfo: 'address-userinfo-c4a8',
  inline: 'inline-password-0b9d',
};

describe('secrets in logs, API answers and etcd', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-secrets-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `secrets-${id}`);
  const passwordFile = join(dir, 'scrape-password');
  let etcd: Etcd3;
  let nodes: TestNodes;
  let coordinator: RingwatchNode;
  let scraper: RingwatchNode;
  let target: RecordingTarget;
  let sd: RecordingTarget;

  function coordinatorOptions(name: string, port: number, scrapeConfigs: unknown[]) {
    return {
      kind: 'coordinator' as const,
      name,
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      readyTimeoutMs: 30_000,
      config: {
        node: { id: name, listen_address: `127.0.0.1:${port}` },
        etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s' },
        global: { scrape_interval: '1s', scrape_timeout: '500ms' },
        api: { token: SECRETS.apiToken },
        scrape_configs: scrapeConfigs,
      },
    };
  }

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(passwordFile, `${SECRETS.filePassword}\n`);
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    target = await startRecordingTarget();
    sd = await startRecordingTarget('not a target group list');
    const port = await freePort();
    coordinator = await startRingwatchNode(
      coordinatorOptions('coordinator-secrets', port, [
        {
          job_name: 'with-file',
          basic_auth: { username: 'prom', password_file: passwordFile },
          static_configs: [{ targets: [target.address, `user:${SECRETS.addressUserinfo}@${target.address}`] }],
          // Discovery stays on the coordinator, so its inline secrets are allowed (and never shown).
          http_sd_configs: [
            { url: `http://sd:${SECRETS.sdUserinfo}@${sd.address}/sd`, refresh_interval: '1s' },
            { url: `http://${sd.address}/sd2`, basic_auth: { username: 'sd', password: SECRETS.sdPassword } },
          ],
        },
      ]),
    );
    nodes = testNodes(infra.kafkaBrokers, 'secrets');
    scraper = await nodes.scraper('secrets-scraper', { etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s', handoff_delay: '1s' } });
  });

  afterAll(async () => {
    await coordinator?.stop();
    await nodes?.stopAll();
    await target?.close();
    await sd?.close();
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  const leaked = (text: string): string[] => Object.entries(SECRETS).filter(([, s]) => text.includes(s)).map(([name]) => name);

  it('refuses an inline scrape secret at start, naming the field and the file to use instead', async () => {
    const port = await freePort();
    const opts = coordinatorOptions('coordinator-inline', port, [{ job_name: 'inline', basic_auth: { username: 'u', password: SECRETS.inline } }]);
    await expect(startRingwatchNode(opts)).rejects.toThrow();
    const log = readFileSync(join(dir, 'logs', 'coordinator-inline.log'), 'utf8');
    expect(log).toMatch(/scrape_configs\[0\]\.basic_auth\.password: inline secrets are not accepted by the coordinator.*basic_auth\.password_file/);
    expect(leaked(log)).toEqual([]);
  });

  it('file secrets are used, never stored in etcd; no secret in logs or API answers of coordinator and scraper', async () => {
    await eventually(() => (target.requests.some((r) => r.headers.authorization === `Basic ${Buffer.from(`prom:${SECRETS.filePassword}`).toString('base64')}`) ? true : undefined), {
      timeoutMs: 30_000,
      description: 'a scrape with the password read from its file',
    });
    // The address with userinfo is refused when targets are built: only the other reaches the
    // scraper, and the coordinator logs the refusal with the password redacted.
    const scraperAnswer = await eventually(
      async () => {
        const text = await (await fetch(`${scraper.url}/api/v1/targets`)).text();
        const body = JSON.parse(text) as { data: { activeTargets: { health: string }[] } };
        return body.data.activeTargets.length === 1 && body.data.activeTargets.every((t) => t.health === 'up') ? text : undefined;
      },
      { timeoutMs: 30_000, description: 'the target without userinfo scraped by the scraper' },
    );
    expect(scraperAnswer).not.toContain('@');
    const coordinatorAnswer = await (await fetch(`${coordinator.url}/api/v1/targets`)).text();
    await eventually(() => (/contains userinfo/.test(readFileSync(coordinator.logFile, 'utf8')) ? true : undefined), { timeoutMs: 20_000, description: 'the userinfo address refused in the log' });
    expect(readFileSync(coordinator.logFile, 'utf8')).toContain('user:<secret>@');
    // The http_sd sources failed at least once each, so their errors were logged.
    await eventually(() => (sd.requests.length >= 2 ? true : undefined), { timeoutMs: 20_000, description: 'http_sd refreshed' });

    const etcdDump = Object.entries(await etcd.getAll().prefix(prefix).strings())
      .filter(([key]) => !key.includes('/targets/'))
      .map(([key, value]) => `${key}=${value}`)
      .join('\n');
    expect(etcdDump).toContain(passwordFile);
    expect(leaked(etcdDump)).toEqual([]);

    const logs = readFileSync(coordinator.logFile, 'utf8') + readFileSync(scraper.logFile, 'utf8');
    expect(logs).toContain('<secret>');
    expect(leaked(logs)).toEqual([]);
    expect(leaked(scraperAnswer)).toEqual([]);
    expect(leaked(coordinatorAnswer)).toEqual([]);
  });
});
