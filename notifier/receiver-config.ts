// Receivers and their integrations as Alertmanager 0.28 reads them (config/notifiers.go): fields in
// Go order, the Default*Config values, and each UnmarshalYAML's checks. Defaults that come from
// `global:` (smarthost, API URLs and keys, http_config) are filled in by alertmanager-config.ts.
import { ConfigError, join } from '../core/config-schema.ts';
import {
  atMostOne,
  isSet,
  parseStruct,
  type ConfigValue,
  type CustomKind,
  type FieldSpec,
  type ParseContext,
  type StructSpec,
} from './config-fields.ts';
import { canonicalHeaderKey, HTTP_CLIENT_CONFIG, TLS_CONFIG, type HttpClientConfig, type TlsConfig } from './http-config.ts';

/** net.SplitHostPort as config.HostPort uses it; "" means unset. */
export function checkHostPort(s: string, field: string): string {
  if (s === '') return s;
  let host: string;
  let port: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) throw new ConfigError(field, `address ${s}: missing ']' in address`);
    if (s[end + 1] !== ':') throw new ConfigError(field, `address ${s}: missing port in address`);
    host = s.slice(1, end);
    port = s.slice(end + 2);
  } else {
    const i = s.lastIndexOf(':');
    if (i < 0) throw new ConfigError(field, `address ${s}: missing port in address`);
    host = s.slice(0, i);
    port = s.slice(i + 1);
    if (host.includes(':')) throw new ConfigError(field, `address ${s}: too many colons in address`);
  }
  if (port.includes(':') || port.includes('[') || port.includes(']') || host.includes('[') || host.includes(']')) {
    throw new ConfigError(field, `address ${s}: unexpected bracket or colon in address`);
  }
  if (port === '') throw new ConfigError(field, `address ${JSON.stringify(s)}: port cannot be empty`);
  return s;
}

export const hostPort: CustomKind = {
  parse: (raw, field) => checkHostPort(typeof raw === 'string' ? raw : String(raw), field),
  render: (v) => v ?? '',
  isZero: (v) => v === undefined || v === '',
};

// A Go *bool with omitempty: printed whenever it was set, false included.
const optionalBool: CustomKind = {
  parse(raw, field) {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new ConfigError(field, `expected true or false, got ${JSON.stringify(raw)}`);
  },
  render: (v) => v ?? null,
  isZero: (v) => v === undefined,
};

const NOTIFIER: FieldSpec = { key: 'send_resolved', kind: 'bool' };
const HTTP: FieldSpec = { key: 'http_config', kind: { struct: HTTP_CLIENT_CONFIG, pointer: true }, omitempty: true };
const s = (key: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ key, kind: 'string', omitempty: true, ...extra });
const t = (key: string): FieldSpec => s(key, { template: true });
const secret = (key: string): FieldSpec => ({ key, kind: 'secret', omitempty: true });

function bothOrNeither(c: ConfigValue, a: string, b: string, path: string, missing: string, both: string): void {
  if (!isSet(c[a]) && !isSet(c[b])) throw new ConfigError(path, missing);
  if (isSet(c[a]) && isSet(c[b])) throw new ConfigError(path, both);
}

// ---- webhook ----
export interface WebhookConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret */
  url?: string;
  url_file?: string;
  /** 0 = no limit */
  max_alerts: number;
  /** milliseconds, 0 = no timeout (Go duration syntax) */
  timeout: number;
}
const WEBHOOK: StructSpec = {
  fields: [NOTIFIER, HTTP, { key: 'url', kind: 'secret_url' }, { key: 'url_file', kind: 'string' }, { key: 'max_alerts', kind: 'uint' }, { key: 'timeout', kind: 'go_duration' }],
  defaults: () => ({ send_resolved: true, max_alerts: 0, timeout: 0 }),
  validate: (c, p) => bothOrNeither(c, 'url', 'url_file', p, 'one of url or url_file must be configured', 'at most one of url & url_file must be configured'),
};

// ---- email ----
export interface EmailConfig {
  send_resolved: boolean;
  to: string;
  from?: string;
  hello?: string;
  smarthost?: string;
  auth_username?: string;
  /** secret */
  auth_password?: string;
  auth_password_file?: string;
  /** secret */
  auth_secret?: string;
  auth_identity?: string;
  /** Canonical header names (Subject, To, From, ...). */
  headers?: Record<string, string>;
  html?: string;
  text?: string;
  require_tls?: boolean;
  tls_config?: TlsConfig;
}
const EMAIL: StructSpec = {
  fields: [
    NOTIFIER, s('to', { template: true }), s('from', { template: true }), s('hello'), { key: 'smarthost', kind: { custom: hostPort }, omitempty: true }, s('auth_username'),
    secret('auth_password'), s('auth_password_file'), secret('auth_secret'), s('auth_identity'), { key: 'headers', kind: 'string_map', omitempty: true },
    t('html'), t('text'), { key: 'require_tls', kind: { custom: optionalBool }, omitempty: true }, { key: 'tls_config', kind: { struct: TLS_CONFIG, pointer: true }, omitempty: true },
  ],
  defaults: () => ({ send_resolved: false, html: '{{ template "email.default.html" . }}', text: '' }),
  validate(c, p) {
    if (!isSet(c.to)) throw new ConfigError(p, 'missing to address in email config');
    if (c.headers !== undefined) {
      const normalized: Record<string, string> = {};
      for (const [h, v] of Object.entries(c.headers as Record<string, string>)) {
        const n = canonicalHeaderKey(h);
        if (n in normalized) throw new ConfigError(join(p, 'headers'), `duplicate header ${JSON.stringify(n)} in email config`);
        normalized[n] = v;
      }
      c.headers = normalized;
    }
  },
};

// ---- pagerduty ----
export interface PagerdutyConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret (Events API v1) */
  service_key?: string;
  service_key_file?: string;
  /** secret (Events API v2) */
  routing_key?: string;
  routing_key_file?: string;
  url?: string;
  client?: string;
  client_url?: string;
  description?: string;
  details: Record<string, string>;
  images?: { src?: string; alt?: string; href?: string }[];
  links?: { href?: string; text?: string }[];
  source?: string;
  severity?: string;
  class?: string;
  component?: string;
  group?: string;
}
export const DEFAULT_PAGERDUTY_DETAILS: Readonly<Record<string, string>> = {
  firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
  resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
  num_firing: '{{ .Alerts.Firing | len }}',
  num_resolved: '{{ .Alerts.Resolved | len }}',
};
const PAGERDUTY_IMAGE: StructSpec = { fields: [t('src'), t('alt'), t('href')] };
const PAGERDUTY_LINK: StructSpec = { fields: [t('href'), t('text')] };
const PAGERDUTY: StructSpec = {
  fields: [
    NOTIFIER, HTTP, secret('service_key'), s('service_key_file'), secret('routing_key'), s('routing_key_file'), { key: 'url', kind: 'url', omitempty: true },
    t('client'), t('client_url'), t('description'), { key: 'details', kind: 'string_map', omitempty: true },
    { key: 'images', kind: { list: PAGERDUTY_IMAGE }, omitempty: true }, { key: 'links', kind: { list: PAGERDUTY_LINK }, omitempty: true },
    t('source'), t('severity'), t('class'), t('component'), t('group'),
  ],
  defaults: () => ({
    send_resolved: true,
    description: '{{ template "pagerduty.default.description" .}}',
    client: '{{ template "pagerduty.default.client" . }}',
    client_url: '{{ template "pagerduty.default.clientURL" . }}',
  }),
  validate(c, p) {
    if (!isSet(c.routing_key) && !isSet(c.service_key) && !isSet(c.routing_key_file) && !isSet(c.service_key_file)) {
      throw new ConfigError(p, 'missing service or routing key in PagerDuty config');
    }
    atMostOne(c, ['routing_key', 'routing_key_file'], p, 'at most one of routing_key & routing_key_file must be configured');
    atMostOne(c, ['service_key', 'service_key_file'], p, 'at most one of service_key & service_key_file must be configured');
    if (!isSet(c.source)) c.source = c.client ?? '';
    c.details = { ...DEFAULT_PAGERDUTY_DETAILS, ...((c.details as Record<string, string> | undefined) ?? {}) };
  },
};

// ---- slack ----
export interface SlackConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret */
  api_url?: string;
  api_url_file?: string;
  channel?: string;
  username?: string;
  color?: string;
  title?: string;
  title_link?: string;
  pretext?: string;
  text?: string;
  fields?: { title: string; value: string; short?: boolean }[];
  short_fields: boolean;
  footer?: string;
  fallback?: string;
  callback_id?: string;
  icon_emoji?: string;
  icon_url?: string;
  image_url?: string;
  thumb_url?: string;
  link_names: boolean;
  mrkdwn_in?: string[];
  actions?: ConfigValue[];
}
const SLACK_CONFIRM: StructSpec = {
  fields: [t('text'), t('title'), t('ok_text'), t('dismiss_text')],
  validate: (c, p) => {
    if (!isSet(c.text)) throw new ConfigError(p, 'missing text in Slack confirmation configuration');
  },
};
const SLACK_ACTION: StructSpec = {
  fields: [t('type'), t('text'), t('url'), t('style'), t('name'), t('value'), { key: 'confirm', kind: { struct: SLACK_CONFIRM, pointer: true }, omitempty: true }],
  validate(c, p) {
    if (!isSet(c.type)) throw new ConfigError(p, 'missing type in Slack action configuration');
    if (!isSet(c.text)) throw new ConfigError(p, 'missing text in Slack action configuration');
    if (isSet(c.url)) {
      delete c.name;
      delete c.value;
      delete c.confirm;
    } else if (!isSet(c.name)) {
      throw new ConfigError(p, 'missing name or url in Slack action configuration');
    }
  },
};
const SLACK_FIELD: StructSpec = {
  fields: [t('title'), t('value'), { key: 'short', kind: { custom: optionalBool }, omitempty: true }],
  validate(c, p) {
    if (!isSet(c.title)) throw new ConfigError(p, 'missing title in Slack field configuration');
    if (!isSet(c.value)) throw new ConfigError(p, 'missing value in Slack field configuration');
  },
};
const SLACK: StructSpec = {
  fields: [
    NOTIFIER, HTTP, { key: 'api_url', kind: 'secret_url', omitempty: true }, s('api_url_file'), t('channel'), t('username'), t('color'), t('title'), t('title_link'),
    t('pretext'), t('text'), { key: 'fields', kind: { list: SLACK_FIELD }, omitempty: true }, { key: 'short_fields', kind: 'bool' }, t('footer'), t('fallback'),
    t('callback_id'), t('icon_emoji'), t('icon_url'), t('image_url'), t('thumb_url'), { key: 'link_names', kind: 'bool' },
    { key: 'mrkdwn_in', kind: 'string_list', omitempty: true }, { key: 'actions', kind: { list: SLACK_ACTION }, omitempty: true },
  ],
  defaults: () => ({
    send_resolved: false,
    color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
    username: '{{ template "slack.default.username" . }}',
    title: '{{ template "slack.default.title" . }}',
    title_link: '{{ template "slack.default.titlelink" . }}',
    icon_emoji: '{{ template "slack.default.iconemoji" . }}',
    icon_url: '{{ template "slack.default.iconurl" . }}',
    pretext: '{{ template "slack.default.pretext" . }}',
    text: '{{ template "slack.default.text" . }}',
    fallback: '{{ template "slack.default.fallback" . }}',
    callback_id: '{{ template "slack.default.callbackid" . }}',
    footer: '{{ template "slack.default.footer" . }}',
    short_fields: false,
    link_names: false,
  }),
  validate: (c, p) => atMostOne(c, ['api_url', 'api_url_file'], p, 'at most one of api_url & api_url_file must be configured'),
};

// ---- opsgenie ----
export interface OpsGenieResponder {
  id?: string;
  name?: string;
  username?: string;
  type?: string;
}
export interface OpsGenieConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret */
  api_key?: string;
  api_key_file?: string;
  /** Always ends in "/". */
  api_url?: string;
  message?: string;
  description?: string;
  source?: string;
  details?: Record<string, string>;
  entity?: string;
  responders?: OpsGenieResponder[];
  actions?: string;
  tags?: string;
  note?: string;
  priority?: string;
  update_alerts?: boolean;
}
const OPSGENIE_RESPONDER: StructSpec = { fields: [t('id'), t('name'), t('username'), s('type')] };
const OPSGENIE_TYPES = /^(team|teams|user|escalation|schedule)$/;
const OPSGENIE: StructSpec = {
  fields: [
    NOTIFIER, HTTP, secret('api_key'), s('api_key_file'), { key: 'api_url', kind: 'url', omitempty: true }, t('message'), t('description'), t('source'),
    { key: 'details', kind: 'string_map', omitempty: true }, t('entity'), { key: 'responders', kind: { list: OPSGENIE_RESPONDER }, omitempty: true },
    t('actions'), t('tags'), t('note'), t('priority'), { key: 'update_alerts', kind: 'bool', omitempty: true },
  ],
  defaults: () => ({
    send_resolved: true,
    message: '{{ template "opsgenie.default.message" . }}',
    description: '{{ template "opsgenie.default.description" . }}',
    source: '{{ template "opsgenie.default.source" . }}',
  }),
  validate(c, p, ctx) {
    atMostOne(c, ['api_key', 'api_key_file'], p, 'at most one of api_key & api_key_file must be configured');
    ((c.responders as OpsGenieResponder[] | undefined) ?? []).forEach((r, i) => {
      const rp = join(join(p, 'responders'), i);
      const shown = `{${r.id ?? ''} ${r.name ?? ''} ${r.username ?? ''} ${r.type ?? ''}}`;
      if (!isSet(r.id) && !isSet(r.username) && !isSet(r.name)) throw new ConfigError(rp, `opsGenieConfig responder ${shown} has to have at least one of id, username or name specified`);
      const type = r.type ?? '';
      if (type.includes('{{')) {
        const problem = ctx.validateTemplate?.(type);
        if (problem !== undefined) throw new ConfigError(rp, `opsGenieConfig responder ${shown} type is not a valid template: ${problem}`);
      } else {
        r.type = type.toLowerCase();
        if (!OPSGENIE_TYPES.test(r.type)) throw new ConfigError(rp, `opsGenieConfig responder ${shown} type does not match valid options ${OPSGENIE_TYPES.source}`);
      }
    });
  },
};

// ---- wechat ----
const WECHAT_TYPES = /^(text|markdown)$/;
const WECHAT: StructSpec = {
  fields: [NOTIFIER, HTTP, secret('api_secret'), s('corp_id'), t('message'), { key: 'api_url', kind: 'url', omitempty: true }, t('to_user'), t('to_party'), t('to_tag'), t('agent_id'), s('message_type')],
  defaults: () => ({
    send_resolved: false,
    message: '{{ template "wechat.default.message" . }}',
    to_user: '{{ template "wechat.default.to_user" . }}',
    to_party: '{{ template "wechat.default.to_party" . }}',
    to_tag: '{{ template "wechat.default.to_tag" . }}',
    agent_id: '{{ template "wechat.default.agent_id" . }}',
  }),
  validate(c, p) {
    if (!isSet(c.message_type)) c.message_type = 'text';
    if (!WECHAT_TYPES.test(c.message_type as string)) throw new ConfigError(p, `weChat message type ${JSON.stringify(c.message_type)} does not match valid options ${WECHAT_TYPES.source}`);
  },
};

// ---- pushover ----
const PUSHOVER: StructSpec = {
  fields: [
    NOTIFIER, HTTP, secret('user_key'), s('user_key_file'), secret('token'), s('token_file'), t('title'), t('message'), t('url'), t('url_title'), t('device'), t('sound'), t('priority'),
    { key: 'retry', kind: 'go_duration', omitempty: true }, { key: 'expire', kind: 'go_duration', omitempty: true }, { key: 'ttl', kind: 'go_duration', omitempty: true }, { key: 'html', kind: 'bool' },
  ],
  defaults: () => ({
    send_resolved: true,
    title: '{{ template "pushover.default.title" . }}',
    message: '{{ template "pushover.default.message" . }}',
    url: '{{ template "pushover.default.url" . }}',
    priority: '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
    retry: 60_000,
    expire: 3_600_000,
    html: false,
  }),
  validate(c, p) {
    bothOrNeither(c, 'user_key', 'user_key_file', p, 'one of user_key or user_key_file must be configured', 'at most one of user_key & user_key_file must be configured');
    bothOrNeither(c, 'token', 'token_file', p, 'one of token or token_file must be configured', 'at most one of token & token_file must be configured');
  },
};

// ---- victorops ----
const VICTOROPS_RESERVED = ['routing_key', 'message_type', 'state_message', 'entity_display_name', 'monitoring_tool', 'entity_id', 'entity_state'];
const VICTOROPS: StructSpec = {
  fields: [
    NOTIFIER, HTTP, secret('api_key'), s('api_key_file'), { key: 'api_url', kind: 'url' }, { key: 'routing_key', kind: 'string', template: true },
    { key: 'message_type', kind: 'string', template: true }, { key: 'state_message', kind: 'string', template: true },
    { key: 'entity_display_name', kind: 'string', template: true }, { key: 'monitoring_tool', kind: 'string', template: true },
    { key: 'custom_fields', kind: 'string_map', omitempty: true },
  ],
  defaults: () => ({
    send_resolved: true,
    message_type: 'CRITICAL',
    state_message: '{{ template "victorops.default.state_message" . }}',
    entity_display_name: '{{ template "victorops.default.entity_display_name" . }}',
    monitoring_tool: '{{ template "victorops.default.monitoring_tool" . }}',
  }),
  validate(c, p) {
    if (!isSet(c.routing_key)) throw new ConfigError(p, 'missing Routing key in VictorOps config');
    atMostOne(c, ['api_key', 'api_key_file'], p, 'at most one of api_key & api_key_file must be configured');
    for (const f of VICTOROPS_RESERVED) {
      if (c.custom_fields !== undefined && f in (c.custom_fields as object)) {
        throw new ConfigError(join(p, 'custom_fields'), `victorOps config contains custom field ${f} which cannot be used as it conflicts with the fixed/static fields`);
      }
    }
  },
};

// ---- sns ----
const SIGV4: StructSpec = {
  fields: [s('region'), s('access_key'), secret('secret_key'), s('profile'), s('role_arn'), { key: 'use_fips_sts_endpoint', kind: 'bool', omitempty: true }],
  validate(c, p) {
    if (isSet(c.access_key) !== isSet(c.secret_key)) throw new ConfigError(p, 'must provide a AWS SigV4 Access key and Secret Key if credentials are specified in the SigV4 config');
  },
};
const SNS: StructSpec = {
  fields: [
    NOTIFIER, HTTP, s('api_url'), { key: 'sigv4', kind: { struct: SIGV4 } }, t('topic_arn'), t('phone_number'), t('target_arn'), t('subject'), t('message'),
    { key: 'attributes', kind: 'string_map', omitempty: true },
  ],
  defaults: () => ({ send_resolved: true, sigv4: {}, subject: '{{ template "sns.default.subject" . }}', message: '{{ template "sns.default.message" . }}' }),
  validate(c, p) {
    // Go: (TargetARN == "") != (TopicARN == "") != (PhoneNumber == ""), evaluated left to right.
    if ((!isSet(c.target_arn) !== !isSet(c.topic_arn)) !== !isSet(c.phone_number)) {
      throw new ConfigError(p, 'must provide either a Target ARN, Topic ARN, or Phone Number for SNS config');
    }
  },
};

// ---- telegram ----
export interface TelegramConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  api_url?: string;
  /** secret */
  bot_token?: string;
  bot_token_file?: string;
  chat_id: number;
  message_thread_id?: number;
  message?: string;
  disable_notifications?: boolean;
  parse_mode?: string;
}
const TELEGRAM: StructSpec = {
  fields: [
    NOTIFIER, HTTP, { key: 'api_url', kind: 'url' }, secret('bot_token'), s('bot_token_file'), { key: 'chat_id', kind: 'int', omitempty: true },
    { key: 'message_thread_id', kind: 'int', omitempty: true }, t('message'), { key: 'disable_notifications', kind: 'bool', omitempty: true }, s('parse_mode'),
  ],
  defaults: () => ({ send_resolved: true, disable_notifications: false, message: '{{ template "telegram.default.message" . }}', parse_mode: 'HTML' }),
  validate(c, p) {
    bothOrNeither(c, 'bot_token', 'bot_token_file', p, 'missing bot_token or bot_token_file on telegram_config', 'at most one of bot_token & bot_token_file must be configured');
    if (!c.chat_id) throw new ConfigError(p, 'missing chat_id on telegram_config');
    if (isSet(c.parse_mode) && !['Markdown', 'MarkdownV2', 'HTML'].includes(c.parse_mode as string)) {
      throw new ConfigError(join(p, 'parse_mode'), 'unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string');
    }
  },
};

// ---- webex ----
const WEBEX: StructSpec = {
  fields: [NOTIFIER, HTTP, { key: 'api_url', kind: 'url', omitempty: true }, t('message'), { key: 'room_id', kind: 'string', template: true }],
  defaults: () => ({ send_resolved: true, message: '{{ template "webex.default.message" . }}' }),
  validate(c, p) {
    if (!isSet(c.room_id)) throw new ConfigError(p, 'missing room_id on webex_config');
    if ((c.http_config as HttpClientConfig | undefined)?.authorization === undefined) throw new ConfigError(p, 'missing webex_configs.http_config.authorization');
  },
};

// ---- discord, msteams, msteamsv2 ----
function webhookUrlChecks(c: ConfigValue, p: string): void {
  bothOrNeither(c, 'webhook_url', 'webhook_url_file', p, 'one of webhook_url or webhook_url_file must be configured', 'at most one of webhook_url & webhook_url_file must be configured');
}
const WEBHOOK_URL_FIELDS: FieldSpec[] = [NOTIFIER, HTTP, { key: 'webhook_url', kind: 'secret_url', omitempty: true }, s('webhook_url_file')];
const DISCORD: StructSpec = {
  fields: [...WEBHOOK_URL_FIELDS, t('content'), t('title'), t('message'), t('username'), t('avatar_url')],
  defaults: () => ({ send_resolved: true, title: '{{ template "discord.default.title" . }}', message: '{{ template "discord.default.message" . }}' }),
  validate: webhookUrlChecks,
};

export interface MsTeamsConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret */
  webhook_url?: string;
  webhook_url_file?: string;
  title?: string;
  summary?: string;
  text?: string;
}
const MSTEAMS: StructSpec = {
  fields: [...WEBHOOK_URL_FIELDS, t('title'), t('summary'), t('text')],
  defaults: () => ({
    send_resolved: true,
    title: '{{ template "msteams.default.title" . }}',
    summary: '{{ template "msteams.default.summary" . }}',
    text: '{{ template "msteams.default.text" . }}',
  }),
  validate: webhookUrlChecks,
};
export type MsTeamsV2Config = Omit<MsTeamsConfig, 'summary'>;
const MSTEAMSV2: StructSpec = {
  fields: [...WEBHOOK_URL_FIELDS, t('title'), t('text')],
  defaults: () => ({ send_resolved: true, title: '{{ template "msteamsv2.default.title" . }}', text: '{{ template "msteamsv2.default.text" . }}' }),
  validate: webhookUrlChecks,
};

// ---- jira ----
export interface JiraConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  api_url?: string;
  project: string;
  summary?: string;
  description?: string;
  labels?: string[];
  priority?: string;
  issue_type: string;
  reopen_transition?: string;
  resolve_transition?: string;
  wont_fix_resolution?: string;
  /** milliseconds */
  reopen_duration?: number;
  fields?: Record<string, unknown>;
}
const JIRA: StructSpec = {
  fields: [
    NOTIFIER, HTTP, { key: 'api_url', kind: 'url', omitempty: true }, t('project'), t('summary'), t('description'), { key: 'labels', kind: 'string_list', omitempty: true },
    t('priority'), t('issue_type'), s('reopen_transition'), s('resolve_transition'), s('wont_fix_resolution'),
    { key: 'reopen_duration', kind: 'duration', omitempty: true }, { key: 'fields', kind: 'any_map', omitempty: true },
  ],
  defaults: () => ({
    send_resolved: true,
    summary: '{{ template "jira.default.summary" . }}',
    description: '{{ template "jira.default.description" . }}',
    priority: '{{ template "jira.default.priority" . }}',
  }),
  validate(c, p) {
    if (!isSet(c.project)) throw new ConfigError(p, 'missing project in jira_config');
    if (!isSet(c.issue_type)) throw new ConfigError(p, 'missing issue_type in jira_config');
  },
};

// ---- rocketchat ----
// These two structs have no yaml tags upstream: yaml.v2 then uses the lowercased Go field names.
const ROCKETCHAT_FIELD: StructSpec = { fields: [{ key: 'short', kind: { custom: optionalBool }, omitempty: true }, t('title'), t('value')].map((f) => ({ ...f, omitempty: false })) };
const ROCKETCHAT_ACTION: StructSpec = {
  fields: [
    { key: 'type', kind: 'string' }, { key: 'text', kind: 'string' }, { key: 'url', kind: 'string' }, { key: 'imageurl', kind: 'string' }, { key: 'iswebview', kind: 'bool' },
    { key: 'webviewheightratio', kind: 'string' }, { key: 'msg', kind: 'string' }, { key: 'msginchatwindow', kind: 'bool' }, { key: 'msgprocessingtype', kind: 'string' },
  ],
};
const ROCKETCHAT: StructSpec = {
  fields: [
    NOTIFIER, HTTP, { key: 'api_url', kind: 'url', omitempty: true }, secret('token_id'), s('token_id_file'), secret('token'), s('token_file'), t('channel'), t('color'),
    t('title'), t('title_link'), t('text'), { key: 'fields', kind: { list: ROCKETCHAT_FIELD }, omitempty: true }, { key: 'short_fields', kind: 'bool' }, t('emoji'),
    t('icon_url'), t('image_url'), t('thumb_url'), { key: 'link_names', kind: 'bool' }, { key: 'actions', kind: { list: ROCKETCHAT_ACTION }, omitempty: true },
  ],
  defaults: () => ({
    send_resolved: false,
    color: '{{ if eq .Status "firing" }}red{{ else }}green{{ end }}',
    emoji: '{{ template "rocketchat.default.emoji" . }}',
    icon_url: '{{ template "rocketchat.default.iconurl" . }}',
    text: '{{ template "rocketchat.default.text" . }}',
    title: '{{ template "rocketchat.default.title" . }}',
    title_link: '{{ template "rocketchat.default.titlelink" . }}',
    short_fields: false,
    link_names: false,
  }),
  validate(c, p) {
    atMostOne(c, ['token', 'token_file'], p, 'at most one of token & token_file must be configured');
    atMostOne(c, ['token_id', 'token_id_file'], p, 'at most one of token_id & token_id_file must be configured');
  },
};

/** Integration list keys in Go's Receiver field order, with their specs. */
export const INTEGRATIONS = {
  discord_configs: DISCORD,
  email_configs: EMAIL,
  pagerduty_configs: PAGERDUTY,
  slack_configs: SLACK,
  webhook_configs: WEBHOOK,
  opsgenie_configs: OPSGENIE,
  wechat_configs: WECHAT,
  pushover_configs: PUSHOVER,
  victorops_configs: VICTOROPS,
  sns_configs: SNS,
  telegram_configs: TELEGRAM,
  webex_configs: WEBEX,
  msteams_configs: MSTEAMS,
  msteamsv2_configs: MSTEAMSV2,
  jira_configs: JIRA,
  rocketchat_configs: ROCKETCHAT,
} as const satisfies Record<string, StructSpec>;

export type IntegrationKey = keyof typeof INTEGRATIONS;
export const INTEGRATION_KEYS = Object.keys(INTEGRATIONS) as IntegrationKey[];

/** A receiver. Integrations not typed here (discord, wechat, pushover, victorops, sns, webex, rocketchat) are plain records with their YAML keys. */
export interface ReceiverConfig {
  name: string;
  discord_configs?: ConfigValue[];
  email_configs?: EmailConfig[];
  pagerduty_configs?: PagerdutyConfig[];
  slack_configs?: SlackConfig[];
  webhook_configs?: WebhookConfig[];
  opsgenie_configs?: OpsGenieConfig[];
  wechat_configs?: ConfigValue[];
  pushover_configs?: ConfigValue[];
  victorops_configs?: ConfigValue[];
  sns_configs?: ConfigValue[];
  telegram_configs?: TelegramConfig[];
  webex_configs?: ConfigValue[];
  msteams_configs?: MsTeamsConfig[];
  msteamsv2_configs?: MsTeamsV2Config[];
  jira_configs?: JiraConfig[];
  rocketchat_configs?: ConfigValue[];
}

export const RECEIVER: StructSpec = {
  fields: [{ key: 'name', kind: 'string' }, ...INTEGRATION_KEYS.map((key): FieldSpec => ({ key, kind: { list: INTEGRATIONS[key] }, omitempty: true }))],
  validate(c, p) {
    if (!isSet(c.name)) throw new ConfigError(p, 'missing name in receiver');
  },
};

export function parseReceiver(raw: unknown, path: string, ctx: ParseContext): ReceiverConfig {
  return parseStruct(raw, path, RECEIVER, ctx) as unknown as ReceiverConfig;
}

/** The receiver's integrations in Go's order, each with its index within its kind (the nflog key). */
export function receiverIntegrations(r: ReceiverConfig): { kind: string; index: number; config: ConfigValue }[] {
  const out: { kind: string; index: number; config: ConfigValue }[] = [];
  for (const key of INTEGRATION_KEYS) {
    const list = (r[key] ?? []) as unknown as ConfigValue[];
    list.forEach((config, index) => out.push({ kind: key.replace(/_configs$/, ''), index, config }));
  }
  return out;
}
