// Ported from Alertmanager 0.28 config/config_test.go and config/testdata (copied to
// testdata/upstream/), plus Ringwatch's own fixtures in testdata/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/config-schema.ts';
import { configToYaml, loadAlertmanagerConfig, redactConfig, timeIntervalsByName, type AlertmanagerConfig } from './alertmanager-config.ts';
import { matchersString } from './matchers.ts';

const fixture = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

function loadError(text: string): ConfigError {
  try {
    loadAlertmanagerConfig(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('upstream testdata verdicts', () => {
  // file -> undefined (valid) or the Alertmanager error message the loader must give.
  const verdicts: Record<string, string | undefined> = {
    'conf.empty-fields.yml': undefined,
    'conf.good.yml': undefined,
    'conf.group-by-all.yml': undefined,
    'conf.http-config.good.yml': undefined,
    'conf.inhibit-equal.yml': undefined,
    'conf.inhibit-equal-utf8.yml': 'invalid label name "qux🙂" in equal list',
    'conf.nil-match_re-route.yml': 'invalid regexp value for "invalid_label"',
    'conf.nil-source_match_re-inhibition.yml': 'invalid regexp value for "invalid_source_label"',
    'conf.nil-target_match_re-inhibition.yml': 'invalid regexp value for "invalid_target_label"',
    'conf.opsgenie-both-file-and-apikey.yml': 'at most one of opsgenie_api_key & opsgenie_api_key_file must be configured',
    'conf.opsgenie-default-apikey-file.yml': undefined,
    'conf.opsgenie-default-apikey-old-team.yml': 'teams: unknown field',
    'conf.opsgenie-default-apikey.yml': undefined,
    'conf.opsgenie-no-apikey.yml': 'no global OpsGenie API Key set either inline or in a file',
    'conf.rocketchat-both-token-and-tokenfile.yml': 'at most one of rocketchat_token & rocketchat_token_file must be configured',
    'conf.rocketchat-both-tokenid-and-tokenidfile.yml': 'at most one of rocketchat_token_id & rocketchat_token_id_file must be configured',
    'conf.rocketchat-default-token-file.yml': undefined,
    'conf.rocketchat-default-token.yml': undefined,
    'conf.rocketchat-no-token.yml': 'no global Rocketchat Token set either inline or in a file',
    'conf.slack-both-file-and-url.yml': 'at most one of slack_api_url & slack_api_url_file must be configured',
    'conf.slack-default-api-url-file.yml': undefined,
    'conf.slack-no-api-url.yml': 'no global Slack API URL set either inline or in a file',
    'conf.smtp-both-password-and-file.yml': 'at most one of smtp_auth_password & smtp_auth_password_file must be configured',
    'conf.smtp-no-username-or-password.yml': undefined,
    'conf.smtp-password-global-and-local.yml': undefined,
    'conf.sns-invalid.yml': 'must provide either a Target ARN, Topic ARN, or Phone Number for SNS config',
    'conf.sns-topic-arn.yml': undefined,
    'conf.victorops-both-file-and-apikey.yml': 'at most one of victorops_api_key & victorops_api_key_file must be configured',
    'conf.victorops-default-apikey-file.yml': undefined,
    'conf.victorops-default-apikey.yml': undefined,
    'conf.victorops-no-apikey.yml': 'no global VictorOps API Key set',
  };
  for (const [file, message] of Object.entries(verdicts)) {
    it(`${file} is ${message === undefined ? 'valid' : 'rejected'}`, () => {
      const text = fixture(`upstream/${file}`);
      if (message === undefined) expect(() => loadAlertmanagerConfig(text)).not.toThrow();
      else expect(loadError(text).message).toContain(message);
    });
  }
});

describe('Load checks (config_test.go)', () => {
  const cases: [string, string, string, string?][] = [
    ['empty string', '', 'no route provided in config'],
    ['default receiver exists', 'route:\n   group_wait: 30s\n', 'root route must specify a default receiver', 'route.receiver'],
    ['receiver name unique', "route:\n    receiver: team-X\nreceivers:\n- name: 'team-X'\n- name: 'team-X'\n", 'notification config name "team-X" is not unique', 'receivers[1].name'],
    ['receiver exists', "route:\n    receiver: team-X\nreceivers:\n- name: 'team-Y'\n", 'undefined receiver "team-X" used in route', 'route.receiver'],
    [
      'receiver exists for deep sub-route',
      "route:\n  receiver: team-X\n  routes:\n  - match: {foo: bar}\n    routes:\n    - match: {foo: bar}\n      receiver: nonexistent\nreceivers:\n- name: 'team-X'\n",
      'undefined receiver "nonexistent" used in route',
      'route.routes[0].routes[0].receiver',
    ],
    ['receiver has name', "route:\nreceivers:\n- name: ''\n", 'missing name in receiver', 'receivers[0]'],
    [
      'mute time exists',
      "route:\n  receiver: team-Y\n  routes:\n  - match: {severity: critical}\n    mute_time_intervals: [business_hours]\nreceivers:\n- name: 'team-Y'\n",
      'undefined time interval "business_hours" used in route',
      'route.routes[0].mute_time_intervals',
    ],
    [
      'active time exists',
      "route:\n  receiver: team-Y\n  routes:\n  - match: {severity: critical}\n    active_time_intervals: [business_hours]\nreceivers:\n- name: 'team-Y'\n",
      'undefined time interval "business_hours" used in route',
    ],
    [
      'time interval has name',
      "time_intervals:\n- name:\n  time_intervals:\n  - times:\n     - start_time: '09:00'\n       end_time: '17:00'\nreceivers:\n- name: x\nroute:\n  receiver: x\n",
      'missing name in time interval',
      'time_intervals[0]',
    ],
    [
      'mute time intervals unique',
      "mute_time_intervals:\n- name: duplicate\n  time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}]}]\n- name: duplicate\n  time_intervals: [{times: [{start_time: '10:00', end_time: '14:00'}]}]\nreceivers:\n- name: x\nroute:\n  receiver: x\n",
      'mute time interval "duplicate" is not unique',
    ],
    ['group_by duplicates', "route:\n  group_by: ['alertname', 'cluster', 'service', 'cluster']\nreceivers:\n- name: x\n", 'duplicated label "cluster" in group_by', 'route.group_by'],
    ['wildcard and labels', "route:\n  group_by: ['alertname', 'cluster', '...']\n  receiver: x\nreceivers:\n- name: x\n", 'cannot have wildcard group_by (`...`) and other other labels at the same time'],
    ['invalid group_by label', "route:\n  group_by: ['-invalid-']\n  receiver: x\nreceivers:\n- name: x\n", 'invalid label name "-invalid-" in group_by list'],
    ['root route exists', "receivers:\n- name: 'team-X-mails'\n", 'no routes provided', 'route'],
    [
      'root route has no mute times',
      "mute_time_intervals:\n- name: my_mute_time\n  time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}]}]\nreceivers:\n- name: x\nroute:\n  receiver: x\n  mute_time_intervals: [my_mute_time]\n",
      'root route must not have any mute time intervals',
    ],
    [
      'root route has no active times',
      "time_intervals:\n- name: t\n  time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}]}]\nreceivers:\n- name: x\nroute:\n  receiver: x\n  active_time_intervals: [t]\n",
      'root route must not have any active time intervals',
    ],
    ['root route without match', "route:\n  receiver: x\n  match: {severity: critical}\nreceivers:\n- name: x\n", 'root route must not have any matchers'],
    ['root route without matchers', "route:\n  receiver: x\n  matchers: [severity=critical]\nreceivers:\n- name: x\n", 'root route must not have any matchers'],
    ['continue in root', 'route:\n    receiver: x\n    continue: true\nreceivers:\n- name: x\n', 'cannot have continue in root route', 'route.continue'],
    ['group_interval zero', 'route:\n    receiver: x\n    group_interval: 0s\nreceivers:\n- name: x\n', 'group_interval cannot be zero', 'route.group_interval'],
    ['repeat_interval zero', 'route:\n    receiver: x\n    repeat_interval: 0s\nreceivers:\n- name: x\n', 'repeat_interval cannot be zero', 'route.repeat_interval'],
    ['bad duration', 'route:\n  receiver: x\n  routes:\n  - {}\n  - group_wait: soon\nreceivers:\n- name: x\n', 'not a valid duration string: "soon"', 'route.routes[1].group_wait'],
    ['bad matcher', 'route:\n  receiver: x\n  routes:\n  - matchers: [\'foo=~"(" \']\nreceivers:\n- name: x\n', 'error parsing regexp: missing closing ): `^(?:()$`', 'route.routes[0].matchers[0]'],
    ['unknown top-level key', 'route: {receiver: x}\nreceivers: [{name: x}]\nrecievers: []\n', 'unknown field', 'recievers'],
    ['webhook without url', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{send_resolved: true}]}]\n', 'one of url or url_file must be configured', 'receivers[0].webhook_configs[0]'],
    ['webhook with both', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", url_file: /f}]}]\n', 'at most one of url & url_file must be configured'],
    ['webhook bad url', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "ftp://a/"}]}]\n', 'unsupported scheme "ftp" for URL', 'receivers[0].webhook_configs[0].url'],
    ['webhook bad timeout', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", timeout: 2d}]}]\n', 'time: unknown unit "d" in duration "2d"'],
    ['email without to', 'route: {receiver: x}\nreceivers: [{name: x, email_configs: [{from: a@b, smarthost: "h:25"}]}]\n', 'missing to address in email config'],
    ['email without smarthost', 'route: {receiver: x}\nreceivers: [{name: x, email_configs: [{to: a@b}]}]\n', 'no global SMTP smarthost set', 'receivers[0].email_configs[0]'],
    ['email bad smarthost', 'route: {receiver: x}\nreceivers: [{name: x, email_configs: [{to: a@b, smarthost: localhost}]}]\n', 'address localhost: missing port in address'],
    ['email duplicate headers', 'route: {receiver: x}\nglobal: {smtp_smarthost: "h:25", smtp_from: a@b}\nreceivers: [{name: x, email_configs: [{to: a@b, headers: {subject: a, Subject: b}}]}]\n', 'duplicate header "Subject" in email config'],
    ['pagerduty without key', 'route: {receiver: x}\nreceivers: [{name: x, pagerduty_configs: [{}]}]\n', 'missing service or routing key in PagerDuty config'],
    ['telegram without chat', 'route: {receiver: x}\nreceivers: [{name: x, telegram_configs: [{bot_token: t}]}]\n', 'missing chat_id on telegram_config'],
    ['telegram parse_mode', 'route: {receiver: x}\nreceivers: [{name: x, telegram_configs: [{bot_token: t, chat_id: 1, parse_mode: bbcode}]}]\n', 'unknown parse_mode on telegram_config'],
    ['msteams without url', 'route: {receiver: x}\nreceivers: [{name: x, msteams_configs: [{}]}]\n', 'one of webhook_url or webhook_url_file must be configured'],
    ['msteamsv2 without url', 'route: {receiver: x}\nreceivers: [{name: x, msteamsv2_configs: [{}]}]\n', 'one of webhook_url or webhook_url_file must be configured'],
    ['jira without project', 'route: {receiver: x}\nglobal: {jira_api_url: "https://j/"}\nreceivers: [{name: x, jira_configs: [{issue_type: Bug}]}]\n', 'missing project in jira_config'],
    ['jira without api url', 'route: {receiver: x}\nreceivers: [{name: x, jira_configs: [{project: P, issue_type: Bug}]}]\n', 'no global Jira Cloud URL set'],
    ['http_config bearer and basic', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", http_config: {bearer_token: t, basic_auth: {username: u}}}]}]\n', 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured', 'receivers[0].webhook_configs[0].http_config'],
    ['http_config basic authorization', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", http_config: {authorization: {type: Basic}}}]}]\n', 'authorization type cannot be set to "basic", use "basic_auth" instead'],
    ['tls cert without key', 'route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", http_config: {tls_config: {cert_file: c}}}]}]\n', 'exactly one of key or key_file must be configured when a client certificate is configured'],
    ['opsgenie responder', 'route: {receiver: x}\nglobal: {opsgenie_api_key: k}\nreceivers: [{name: x, opsgenie_configs: [{responders: [{type: team}]}]}]\n', 'has to have at least one of id, username or name specified', 'receivers[0].opsgenie_configs[0].responders[0]'],
    ['opsgenie responder type', 'route: {receiver: x}\nglobal: {opsgenie_api_key: k}\nreceivers: [{name: x, opsgenie_configs: [{responders: [{name: n, type: squad}]}]}]\n', 'type does not match valid options ^(team|teams|user|escalation|schedule)$'],
    ['yaml syntax', 'route: [\n', 'invalid YAML'],
  ];
  for (const [name, text, message, field] of cases) {
    it(name, () => {
      const err = loadError(text);
      expect(err.message).toContain(message);
      if (field !== undefined) expect(err.field).toBe(field);
    });
  }
});

describe('defaults and globals', () => {
  const good = (): AlertmanagerConfig => loadAlertmanagerConfig(fixture('upstream/conf.good.yml'));

  it('applies DefaultGlobalConfig and inherits SMTP settings into email configs', () => {
    const c = good();
    expect(c.global.resolve_timeout).toBe(300_000);
    expect(c.global.smtp_hello).toBe('host.example.org');
    expect(c.global.pagerduty_url).toBe('https://events.pagerduty.com/v2/enqueue');
    const email = c.receivers[0]?.email_configs?.[0];
    expect(email).toMatchObject({ to: 'team-X+alerts@example.org', from: 'alertmanager@example.org', smarthost: 'localhost:25', hello: 'host.example.org', require_tls: true, send_resolved: false });
    expect(email?.html).toBe('{{ template "email.default.html" . }}');
    expect(email?.auth_password).toBe('multiline\nmysecret');
    const pd = c.receivers[1]?.pagerduty_configs?.[0];
    expect(pd?.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(pd?.details.num_firing).toBe('{{ .Alerts.Firing | len }}');
    expect(pd?.source).toBe('{{ template "pagerduty.default.client" . }}');
    expect(pd?.http_config?.proxy_url).toBe('http://127.0.0.1:1025');
    const og = c.receivers.find((r) => r.name === 'opsGenie-receiver')?.opsgenie_configs?.[0];
    expect(og?.api_url).toBe('https://api.opsgenie.com/');
    expect(og?.send_resolved).toBe(true);
    const slack = c.receivers.find((r) => r.name === 'slack-receiver')?.slack_configs?.[0];
    expect(slack?.api_url).toBe('http://mysecret.example.com/');
    expect(slack?.color).toBe('{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}');
  });

  it('keeps global http_config for integrations without one (TestGlobalAndLocalHTTPConfig)', () => {
    const c = loadAlertmanagerConfig(fixture('upstream/conf.http-config.good.yml'));
    expect(c.global.http_config?.follow_redirects).toBe(false);
    expect(c.receivers[0]?.slack_configs?.[0]?.http_config?.follow_redirects).toBe(true);
  });

  it('takes global or local SMTP passwords (TestGlobalAndLocalSMTPPassword)', () => {
    const emails = loadAlertmanagerConfig(fixture('upstream/conf.smtp-password-global-and-local.yml')).receivers[0]?.email_configs ?? [];
    expect(emails[0]?.auth_password_file).toBe('/tmp/globaluserpassword');
    expect(emails[0]?.auth_password ?? '').toBe('');
    expect(emails[1]?.auth_password_file).toBe('/tmp/localuser1password');
    expect(emails[2]?.auth_password).toBe('mysecret');
    expect(emails[2]?.auth_password_file ?? '').toBe('');
  });

  it('falls back to the global Slack URL file (TestSlackGlobalAPIURLFile)', () => {
    const slack = loadAlertmanagerConfig(fixture('upstream/conf.slack-default-api-url-file.yml')).receivers[0]?.slack_configs ?? [];
    expect(slack[0]).toMatchObject({ api_url_file: '/global_file' });
    expect(slack[0]?.api_url).toBeUndefined();
    expect(slack[1]).toMatchObject({ api_url_file: '/override_file' });
    expect(slack[2]?.api_url).toBe('http://mysecret.example.com/');
    expect(slack[2]?.api_url_file ?? '').toBe('');
  });

  it('group_by [...] and the match_re regex as written (TestEmptyFieldsAndRegex)', () => {
    const c = loadAlertmanagerConfig(fixture('upstream/conf.empty-fields.yml'));
    expect(c.route.routes?.[0]?.match_re).toEqual({ service: '^(foo1|foo2|baz)$' });
    expect(c.global.smtp_hello).toBe('');
    expect(c.templates).toEqual(['/etc/alertmanager/template/*.tmpl']);
    expect(loadAlertmanagerConfig(fixture('upstream/conf.group-by-all.yml')).route.group_by).toEqual(['...']);
  });

  it('reads inhibit rule equal lists (TestInhibitRuleEqual)', () => {
    expect(loadAlertmanagerConfig(fixture('upstream/conf.inhibit-equal.yml')).inhibit_rules[0]?.equal).toEqual(['qux', 'corge']);
  });

  it('sorts config matchers', () => {
    const c = loadAlertmanagerConfig("route:\n  receiver: x\n  routes:\n  - matchers: ['{owner=\"team-A\"}', '{level!=\"critical\"}']\nreceivers: [{name: x}]\n");
    expect(matchersString(c.route.routes?.[0]?.matchers ?? [])).toBe('{level!="critical",owner="team-A"}');
  });

  it('moves bearer_token into authorization as prometheus/common does', () => {
    const c = loadAlertmanagerConfig('route: {receiver: x}\nreceivers: [{name: x, webhook_configs: [{url: "http://a/", http_config: {bearer_token: tok}}]}]\n');
    const h = c.receivers[0]?.webhook_configs?.[0]?.http_config;
    expect(h?.authorization).toEqual({ type: 'Bearer', credentials: 'tok' });
    expect(h?.bearer_token).toBeUndefined();
  });

  it('calls the injected template validator for template fields', () => {
    const seen: string[] = [];
    const validateTemplate = (text: string): string | undefined => {
      seen.push(text);
      return text.includes('{{ bad') ? 'unexpected "bad"' : undefined;
    };
    const good = 'route: {receiver: x}\nreceivers: [{name: x, msteams_configs: [{webhook_url: "https://t/", title: "{{ .Status }}"}]}]\n';
    loadAlertmanagerConfig(good, { validateTemplate });
    expect(seen).toContain('{{ .Status }}');
    const bad = 'route: {receiver: x}\nreceivers: [{name: x, msteams_configs: [{webhook_url: "https://t/", title: "{{ bad }}"}]}]\n';
    let err: unknown;
    try {
      loadAlertmanagerConfig(bad, { validateTemplate });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).field).toBe('receivers[0].msteams_configs[0].title');
    expect((err as ConfigError).message).toContain('invalid template: unexpected "bad"');
  });
});

describe('Ringwatch fixtures (checked with amtool check-config)', () => {
  it('full.yml: every part of the file', () => {
    const c = loadAlertmanagerConfig(fixture('full.yml'));
    expect(c.route.group_wait).toBe(30_000);
    expect(c.route.routes?.length).toBeGreaterThan(2);
    const byName = timeIntervalsByName(c);
    expect([...byName.keys()].sort()).toEqual(['business_hours', 'maintenance', 'weekends']);
    const webhook = c.receivers.find((r) => r.name === 'webhook')?.webhook_configs?.[0];
    expect(webhook).toMatchObject({ send_resolved: true, max_alerts: 10 });
    expect(webhook?.http_config?.basic_auth).toEqual({ username: 'ringwatch', password: 'hunter2' });
    const tg = c.receivers.find((r) => r.name === 'chat')?.telegram_configs?.[0];
    expect(tg).toMatchObject({ chat_id: -1001234567890, parse_mode: 'HTML', api_url: 'https://api.telegram.org' });
  });

  it('jira-msteamsv2.yml (0.28-only integrations)', () => {
    const c = loadAlertmanagerConfig(fixture('jira-msteamsv2.yml'));
    const jira = c.receivers[0]?.jira_configs?.[0];
    expect(jira).toMatchObject({ project: 'OPS', issue_type: 'Bug', reopen_duration: 3_600_000, api_url: 'https://example.atlassian.net/rest/api/2' });
    expect(jira?.fields).toEqual({ customfield_10001: 'Ringwatch', customfield_10002: { value: 'red' }, customfield_10003: 3 });
    expect(jira?.priority).toBe('{{ template "jira.default.priority" . }}');
    expect(c.receivers[0]?.msteamsv2_configs?.[0]?.title).toBe('{{ template "msteamsv2.default.title" . }}');
  });

  const invalid: [string, string, string][] = [
    ['invalid-undefined-interval.yml', 'undefined time interval "holidays" used in route', 'route.routes[0].mute_time_intervals'],
    ['invalid-weekday.yml', 'funday is not a valid weekday', 'time_intervals[0].time_intervals[0].weekdays[0]'],
    ['invalid-matcher.yml', 'matcher value contains unescaped double quote: "critical', 'route.routes[0].matchers[0]'],
    ['invalid-inhibit-equal.yml', 'invalid label name "cluster-name" in equal list', 'inhibit_rules[0].equal'],
  ];
  for (const [file, message, field] of invalid) {
    it(`${file} is rejected as amtool rejects it`, () => {
      const err = loadError(fixture(file));
      expect(err.message).toContain(message);
      expect(err.field).toBe(field);
    });
  }
});

describe('redaction and YAML output', () => {
  it('hides every secret of conf.good.yml (TestHideConfigSecrets)', () => {
    const c = loadAlertmanagerConfig(fixture('upstream/conf.good.yml'));
    const yaml = configToYaml(c);
    expect(yaml).not.toContain('mysecret');
    // Alertmanager counts 13: smtp password (global + 4 email copies), slack URL (global + 1), 3 routing keys, victorops, opsgenie, pushover token and user key.
    expect(yaml.split('<secret>').length - 1).toBe(13);
    expect(configToYaml(c, { redact: false })).toContain('mysecret');
  });

  it('redactConfig copies and replaces secrets only', () => {
    const c = loadAlertmanagerConfig(fixture('full.yml'));
    const r = redactConfig(c);
    expect(r.global.smtp_auth_password).toBe('<secret>');
    const webhook = r.receivers.find((x) => x.name === 'webhook')?.webhook_configs?.[0];
    expect(webhook?.url).toBe('<secret>');
    expect(webhook?.http_config?.basic_auth).toEqual({ username: 'ringwatch', password: '<secret>' });
    expect(r.receivers.find((x) => x.name === 'chat')?.telegram_configs?.[0]?.bot_token).toBe('<secret>');
    expect(r.receivers.find((x) => x.name === 'oncall')?.pagerduty_configs?.[0]?.routing_key).toBe('<secret>');
    expect(r.route).toEqual(c.route);
    // The original is untouched.
    expect(c.global.smtp_auth_password).toBe('s3cret');
  });

  it('writes the defaults out in Go field order and reads back to the same config (TestMarshalIdempotency)', () => {
    for (const file of ['upstream/conf.good.yml', 'full.yml', 'jira-msteamsv2.yml']) {
      const c = loadAlertmanagerConfig(fixture(file));
      const text = configToYaml(c, { redact: false });
      const again = loadAlertmanagerConfig(text);
      expect(again, file).toEqual(c);
      const doc = parseYaml(text) as Record<string, Record<string, unknown>>;
      expect(Object.keys(doc)).toEqual(expect.arrayContaining(['global', 'route', 'receivers', 'templates']));
      expect(Object.keys(doc.global as object).slice(0, 2)).toEqual(['resolve_timeout', 'http_config']);
    }
  });

  it('prints time interval ranges in flow style with weekdays by name', () => {
    const text = configToYaml(loadAlertmanagerConfig(fixture('full.yml')));
    expect(text).toContain('weekdays: [ monday:friday ]');
    expect(text).toContain("start_time: 09:00");
    expect(text).toMatch(/group_wait: 30s/);
  });
});
