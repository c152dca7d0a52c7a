import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../scraper/exposition/parser.ts';
import { startTargetServer, targetEndpoints, TARGET_HOSTS, type RunningTargetServer } from './target-server.ts';

const BODY = resolve(import.meta.dirname, '../../test/fixtures/exposition/node-exporter-1.5.txt');

describe('targetEndpoints', () => {
  it('gives each target its own loopback host until they run out, then shares hosts by path', () => {
    const endpoints = targetEndpoints(TARGET_HOSTS + 2, 9100);
    expect(endpoints[0]).toEqual({ address: '127.0.0.2:9100', metricsPath: '/t/0/metrics' });
    expect(endpoints[1]!.address).toBe('127.0.0.3:9100');
    expect(new Set(endpoints.slice(0, TARGET_HOSTS).map((e) => e.address)).size).toBe(TARGET_HOSTS);
    expect(endpoints[TARGET_HOSTS]).toEqual({ address: '127.0.0.2:9100', metricsPath: `/t/${TARGET_HOSTS}/metrics` });
  });
});

describe('target server (own process)', () => {
  let server: RunningTargetServer;
  beforeAll(async () => {
    server = await startTargetServer({ targets: 3, bodyFile: BODY, logDir: mkdtempSync(join(tmpdir(), 'bench-targets-')) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the fixture on every target, with moving counters and the 0.0.4 content type', async () => {
    expect(server.samplesPerBody).toBe(507);
    const target = server.targets[2]!;
    const url = `http://${target.address}${target.metricsPath}`;
    const first = await fetch(url);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const a = new Uint8Array(await first.arrayBuffer());
    const b = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(a.length).toBe(readFileSync(BODY).length);
    expect(Buffer.compare(a, b)).not.toBe(0);
    const samples = (body: Uint8Array): number => parseExposition(body, 'prometheus-text', { onSample() {} });
    expect(samples(a)).toBe(507);
    expect(samples(b)).toBe(507);
  });

  it('answers 404 for a target it does not have', async () => {
    const res = await fetch(`http://${server.targets[0]!.address}/t/3/metrics`);
    expect(res.status).toBe(404);
  });
});
