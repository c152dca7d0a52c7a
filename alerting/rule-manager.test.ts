import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { AlertingMetrics } from './alerting-metrics.ts';
import { RuleManager } from './rule-manager.ts';

const dir = mkdtempSync(join(tmpdir(), 'rw-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function manager(): RuleManager {
  return new RuleManager({
    nodeId: 'n1',
    ruleFiles: ['*.rules.yml'],
    baseDir: dir,
    defaultIntervalMs: 60_000,
    defaultQueryOffsetMs: 0,
    externalLabels: {},
    externalURL: 'http://n1',
    resendDelayMs: 60_000,
    io: { query: async () => ({ ok: true, vector: [], warnings: [], infos: [] }) },
    writeSamples: async () => undefined,
    afterEvaluation: async () => undefined,
    metrics: new AlertingMetrics(),
    logger: createLogger('test', 'silent'),
  });
}

const rule = (annotation: string): string =>
  `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: ${JSON.stringify(annotation)}\n`;

describe('RuleManager.load', () => {
  it('loads the files a relative glob names, with Prometheus\' template variables, and keeps the old rules when a reload fails', async () => {
    writeFileSync(join(dir, 'a.rules.yml'), rule('{{ $labels.instance }} at {{ $value | humanize }} ({{ $externalURL }})'));
    writeFileSync(join(dir, 'ignored.yml'), 'not: [a rule file');
    const m = manager();
    expect(await m.load()).toEqual({ groups: 1, rules: 1 });
    writeFileSync(join(dir, 'a.rules.yml'), rule('{{ $nope }}'));
    await expect(m.load()).rejects.toThrow(/a\.rules\.yml:7:\d+: .*annotations\.summary.*undefined variable "\$nope"/);
    expect(m.groups.map((g) => g.name)).toEqual(['g']);
    await m.stop();
  });
});
