import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.ts';
import { loadAlertmanagerFile } from './alertmanager-file.ts';
import { HttpClients } from './integrations/http-client.ts';
import { fingerprint } from './labels.ts';
import { notificationData } from './notification-templates.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const alert = (labels: Record<string, string>, endsAtMs: number): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: {},
  startsAtMs: NOW - 60_000,
  endsAtMs,
  generatorURL: '',
  updatedAtMs: NOW,
  timeout: false,
});

function configDir(amConfig: string, templates: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'notifier-tmpl-'));
  mkdirSync(join(dir, 'templates'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', name), text);
  writeFileSync(join(dir, 'am.yml'), amConfig);
  return dir;
}

const AM = `templates: ['templates/*.tmpl']
route: { receiver: r }
receivers: [{ name: r }]
`;

describe('notification templates', () => {
  it("renders Alertmanager's defaults and the config's own template files, resolved against the config's directory", async () => {
    const dir = configDir(AM, { 'own.tmpl': '{{ define "own.subject" }}{{ .Status }} {{ .GroupLabels.alertname }} ({{ len .Alerts.Firing }}){{ end }}' });
    const loaded = await loadAlertmanagerFile(join(dir, 'am.yml'), new HttpClients(), 'http://am');
    const data = notificationData(loaded.templates, 'r', { alertname: 'X' }, [alert({ alertname: 'X', i: '1' }, NOW + 1000), alert({ alertname: 'X', i: '2' }, NOW - 1000)], NOW);
    expect(loaded.templates.executeTextString('{{ template "own.subject" . }}', data)).toBe('firing X (1)');
    expect(loaded.templates.executeTextString('{{ template "email.default.subject" . }}', data)).toBe('[FIRING:1] X ');
  });

  it('refuses a template file that does not parse, naming it', async () => {
    const dir = configDir(AM, { 'bad.tmpl': '{{ define "x" }}{{ .Status ' });
    await expect(loadAlertmanagerFile(join(dir, 'am.yml'), new HttpClients(), 'http://am')).rejects.toThrow(/templates\[0\]: .*bad\.tmpl: /);
  });

  it('refuses a receiver field that is not a valid template, naming the field', async () => {
    const dir = configDir(`route: { receiver: r }\nreceivers: [{ name: r, email_configs: [{ to: 'a@b', from: 'c@d', smarthost: 'h:25', text: '{{ .Status' }] }]\n`, {});
    await expect(loadAlertmanagerFile(join(dir, 'am.yml'), new HttpClients(), 'http://am')).rejects.toThrow(/receivers\[0\]\.email_configs\[0\]\.text/);
  });
});
