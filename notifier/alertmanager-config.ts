// Alertmanager's configuration file (config.Load in Alertmanager 0.28): `global`, `route`,
// `inhibit_rules`, `receivers`, `templates`, `time_intervals` (and the older `mute_time_intervals`),
// with Alertmanager's defaults, the global values copied into each integration, and its checks.
// Errors are ConfigErrors naming the field path, with Alertmanager's message after it.
import { Document, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { ConfigError, join, readObject } from '../core/config-schema.ts';
import {
  atMostOne,
  FlowList,
  isSet,
  parseStruct,
  readScalar,
  readStringList,
  redactStruct,
  renderStruct,
  type ConfigValue,
  type ParseContext,
  type StructSpec,
} from './config-fields.ts';
import { HTTP_CLIENT_CONFIG, TLS_CONFIG, type HttpClientConfig, type TlsConfig } from './http-config.ts';
import { hostPort, parseReceiver, RECEIVER, type ReceiverConfig } from './receiver-config.ts';
import {
  inhibitRuleConfigToYaml,
  parseInhibitRuleConfig,
  parseRouteConfig,
  routeConfigToYaml,
  type InhibitRuleConfig,
  type RouteConfig,
} from './route-config.ts';
import { parseTimeInterval, timeIntervalToYaml, type TimeInterval } from './time-interval.ts';

export interface GlobalConfig {
  /** milliseconds; default 5m */
  resolve_timeout: number;
  http_config?: HttpClientConfig;
  jira_api_url?: string;
  smtp_from?: string;
  smtp_hello?: string;
  smtp_smarthost?: string;
  smtp_auth_username?: string;
  /** secret */
  smtp_auth_password?: string;
  smtp_auth_password_file?: string;
  /** secret */
  smtp_auth_secret?: string;
  smtp_auth_identity?: string;
  smtp_require_tls: boolean;
  smtp_tls_config?: TlsConfig;
  /** secret */
  slack_api_url?: string;
  slack_api_url_file?: string;
  pagerduty_url?: string;
  opsgenie_api_url?: string;
  /** secret */
  opsgenie_api_key?: string;
  opsgenie_api_key_file?: string;
  wechat_api_url?: string;
  /** secret */
  wechat_api_secret?: string;
  wechat_api_corp_id?: string;
  victorops_api_url?: string;
  /** secret */
  victorops_api_key?: string;
  victorops_api_key_file?: string;
  telegram_api_url?: string;
  webex_api_url?: string;
  rocketchat_api_url?: string;
  /** secret */
  rocketchat_token?: string;
  rocketchat_token_file?: string;
  /** secret */
  rocketchat_token_id?: string;
  rocketchat_token_id_file?: string;
}

export interface NamedTimeInterval {
  name: string;
  time_intervals: TimeInterval[];
}

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibit_rules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  /** Template file globs, as written (the caller resolves them against the config's directory). */
  templates: string[];
  /** Deprecated top-level block, same shape as time_intervals. */
  mute_time_intervals: NamedTimeInterval[];
  time_intervals: NamedTimeInterval[];
}

export interface LoadOptions {
  /**
   * Checks a Go text/template string (the template engine's parse); returns an error message or
   * undefined. Called for every non-empty template field and OpsGenie responder types with `{{`.
   */
  validateTemplate?: (text: string) => string | undefined;
}

const GLOBAL: StructSpec = {
  fields: [
    { key: 'resolve_timeout', kind: 'duration' },
    { key: 'http_config', kind: { struct: HTTP_CLIENT_CONFIG, pointer: true }, omitempty: true },
    { key: 'jira_api_url', kind: 'url', omitempty: true },
    { key: 'smtp_from', kind: 'string', omitempty: true },
    { key: 'smtp_hello', kind: 'string', omitempty: true },
    { key: 'smtp_smarthost', kind: { custom: hostPort }, omitempty: true },
    { key: 'smtp_auth_username', kind: 'string', omitempty: true },
    { key: 'smtp_auth_password', kind: 'secret', omitempty: true },
    { key: 'smtp_auth_password_file', kind: 'string', omitempty: true },
    { key: 'smtp_auth_secret', kind: 'secret', omitempty: true },
    { key: 'smtp_auth_identity', kind: 'string', omitempty: true },
    { key: 'smtp_require_tls', kind: 'bool' },
    { key: 'smtp_tls_config', kind: { struct: TLS_CONFIG, pointer: true }, omitempty: true },
    { key: 'slack_api_url', kind: 'secret_url', omitempty: true },
    { key: 'slack_api_url_file', kind: 'string', omitempty: true },
    { key: 'pagerduty_url', kind: 'url', omitempty: true },
    { key: 'opsgenie_api_url', kind: 'url', omitempty: true },
    { key: 'opsgenie_api_key', kind: 'secret', omitempty: true },
    { key: 'opsgenie_api_key_file', kind: 'string', omitempty: true },
    { key: 'wechat_api_url', kind: 'url', omitempty: true },
    { key: 'wechat_api_secret', kind: 'secret', omitempty: true },
    { key: 'wechat_api_corp_id', kind: 'string', omitempty: true },
    { key: 'victorops_api_url', kind: 'url', omitempty: true },
    { key: 'victorops_api_key', kind: 'secret', omitempty: true },
    { key: 'victorops_api_key_file', kind: 'string', omitempty: true },
    { key: 'telegram_api_url', kind: 'url', omitempty: true },
    { key: 'webex_api_url', kind: 'url', omitempty: true },
    { key: 'rocketchat_api_url', kind: 'url', omitempty: true },
    { key: 'rocketchat_token', kind: 'secret', omitempty: true },
    { key: 'rocketchat_token_file', kind: 'string', omitempty: true },
    { key: 'rocketchat_token_id', kind: 'secret', omitempty: true },
    { key: 'rocketchat_token_id_file', kind: 'string', omitempty: true },
  ],
  // DefaultGlobalConfig.
  defaults: () => ({
    resolve_timeout: 300_000,
    http_config: { follow_redirects: true, enable_http2: true },
    smtp_hello: 'localhost',
    smtp_require_tls: true,
    smtp_tls_config: {},
    pagerduty_url: 'https://events.pagerduty.com/v2/enqueue',
    opsgenie_api_url: 'https://api.opsgenie.com/',
    wechat_api_url: 'https://qyapi.weixin.qq.com/cgi-bin/',
    victorops_api_url: 'https://alert.victorops.com/integrations/generic/20131114/alert/',
    telegram_api_url: 'https://api.telegram.org',
    webex_api_url: 'https://webexapis.com/v1/messages',
    rocketchat_api_url: 'https://open.rocket.chat/',
  }),
};

const TOP_KEYS = ['global', 'route', 'inhibit_rules', 'receivers', 'templates', 'mute_time_intervals', 'time_intervals'];

/** The YAML text as plain data; syntax errors become a ConfigError naming the line. */
function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) throw new ConfigError('(root)', `invalid YAML: ${first.message.split('\n')[0]}`);
  return doc.toJS({ maxAliasCount: 1000 });
}

function readList<T>(obj: Record<string, unknown>, key: string, each: (raw: unknown, path: string) => T): T[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(key, 'expected a list');
  return value.map((item, i) => each(item, join(key, i)));
}

function parseNamedTimeInterval(raw: unknown, path: string, missingName: string): NamedTimeInterval {
  const obj = readObject(raw, path, ['name', 'time_intervals']);
  const name = obj.name === undefined || obj.name === null ? '' : readScalar(obj.name, join(path, 'name'));
  const field = join(path, 'time_intervals');
  const list = obj.time_intervals;
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new ConfigError(field, 'expected a list');
  const intervals = ((list as unknown[] | null | undefined) ?? []).map((ti, i) => parseTimeInterval(ti, join(field, i)));
  if (name === '') throw new ConfigError(path, missingName);
  return { name, time_intervals: intervals };
}

// Integration kinds whose http_config falls back to the global one when absent.
const HTTP_INTEGRATIONS = [
  'webhook_configs', 'slack_configs', 'pushover_configs', 'pagerduty_configs', 'opsgenie_configs', 'wechat_configs', 'victorops_configs',
  'sns_configs', 'telegram_configs', 'discord_configs', 'webex_configs', 'msteams_configs', 'msteamsv2_configs', 'jira_configs', 'rocketchat_configs',
] as const;

function withSlash(url: string): string {
  // Go appends "/" to the URL's path when it does not end in one (before any query or fragment).
  const authorityStart = url.indexOf('//') + 2;
  const pathStart = url.slice(authorityStart).search(/[/?#]/);
  const rest = pathStart < 0 ? '' : url.slice(authorityStart + pathStart);
  const head = pathStart < 0 ? url : url.slice(0, authorityStart + pathStart);
  const q = rest.search(/[?#]/);
  const path = q < 0 ? rest : rest.slice(0, q);
  const tail = q < 0 ? '' : rest.slice(q);
  return path.endsWith('/') ? url : `${head}${path}/${tail}`;
}

// Config.UnmarshalYAML: each integration inherits what it left unset from `global`.
function applyGlobals(g: GlobalConfig, receivers: ReceiverConfig[]): void {
  const names = new Set<string>();
  receivers.forEach((rcv, ri) => {
    const rp = `receivers[${ri}]`;
    if (names.has(rcv.name)) throw new ConfigError(join(rp, 'name'), `notification config name ${JSON.stringify(rcv.name)} is not unique`);
    for (const key of HTTP_INTEGRATIONS) {
      for (const c of (rcv[key] ?? []) as unknown as ConfigValue[]) if (c.http_config === undefined) c.http_config = g.http_config;
    }
    const each = (key: keyof ReceiverConfig, fn: (c: ConfigValue, p: string) => void): void => {
      ((rcv[key] ?? []) as unknown as ConfigValue[]).forEach((c, i) => fn(c, `${rp}.${key}[${i}]`));
    };
    each('email_configs', (ec, p) => {
      if (ec.tls_config === undefined) ec.tls_config = g.smtp_tls_config;
      if (!isSet(ec.smarthost)) {
        if (!isSet(g.smtp_smarthost)) throw new ConfigError(p, 'no global SMTP smarthost set');
        ec.smarthost = g.smtp_smarthost;
      }
      if (!isSet(ec.from)) {
        if (!isSet(g.smtp_from)) throw new ConfigError(p, 'no global SMTP from set');
        ec.from = g.smtp_from;
      }
      if (!isSet(ec.hello)) ec.hello = g.smtp_hello;
      if (!isSet(ec.auth_username)) ec.auth_username = g.smtp_auth_username;
      if (!isSet(ec.auth_password) && !isSet(ec.auth_password_file)) {
        ec.auth_password = g.smtp_auth_password;
        ec.auth_password_file = g.smtp_auth_password_file;
      }
      if (!isSet(ec.auth_secret)) ec.auth_secret = g.smtp_auth_secret;
      if (!isSet(ec.auth_identity)) ec.auth_identity = g.smtp_auth_identity;
      if (ec.require_tls === undefined) ec.require_tls = g.smtp_require_tls;
      for (const k of Object.keys(ec)) if (ec[k] === undefined) delete ec[k];
    });
    each('slack_configs', (sc, p) => {
      if (!isSet(sc.api_url) && !isSet(sc.api_url_file)) {
        if (!isSet(g.slack_api_url) && !isSet(g.slack_api_url_file)) throw new ConfigError(p, 'no global Slack API URL set either inline or in a file');
        if (isSet(g.slack_api_url)) sc.api_url = g.slack_api_url;
        if (isSet(g.slack_api_url_file)) sc.api_url_file = g.slack_api_url_file;
      }
    });
    each('pagerduty_configs', (pc, p) => {
      if (!isSet(pc.url)) {
        if (!isSet(g.pagerduty_url)) throw new ConfigError(p, 'no global PagerDuty URL set');
        pc.url = g.pagerduty_url;
      }
    });
    each('opsgenie_configs', (oc, p) => {
      if (!isSet(oc.api_url)) {
        if (!isSet(g.opsgenie_api_url)) throw new ConfigError(p, 'no global OpsGenie URL set');
        oc.api_url = g.opsgenie_api_url;
      }
      oc.api_url = withSlash(oc.api_url as string);
      if (!isSet(oc.api_key) && !isSet(oc.api_key_file)) {
        if (!isSet(g.opsgenie_api_key) && !isSet(g.opsgenie_api_key_file)) throw new ConfigError(p, 'no global OpsGenie API Key set either inline or in a file');
        if (isSet(g.opsgenie_api_key)) oc.api_key = g.opsgenie_api_key;
        if (isSet(g.opsgenie_api_key_file)) oc.api_key_file = g.opsgenie_api_key_file;
      }
    });
    each('wechat_configs', (wc, p) => {
      if (!isSet(wc.api_url)) {
        if (!isSet(g.wechat_api_url)) throw new ConfigError(p, 'no global Wechat URL set');
        wc.api_url = g.wechat_api_url;
      }
      if (!isSet(wc.api_secret)) {
        if (!isSet(g.wechat_api_secret)) throw new ConfigError(p, 'no global Wechat ApiSecret set');
        wc.api_secret = g.wechat_api_secret;
      }
      if (!isSet(wc.corp_id)) {
        if (!isSet(g.wechat_api_corp_id)) throw new ConfigError(p, 'no global Wechat CorpID set');
        wc.corp_id = g.wechat_api_corp_id;
      }
      wc.api_url = withSlash(wc.api_url as string);
    });
    each('victorops_configs', (vc, p) => {
      if (!isSet(vc.api_url)) {
        if (!isSet(g.victorops_api_url)) throw new ConfigError(p, 'no global VictorOps URL set');
        vc.api_url = g.victorops_api_url;
      }
      vc.api_url = withSlash(vc.api_url as string);
      if (!isSet(vc.api_key) && !isSet(vc.api_key_file)) {
        if (!isSet(g.victorops_api_key) && !isSet(g.victorops_api_key_file)) throw new ConfigError(p, 'no global VictorOps API Key set');
        if (isSet(g.victorops_api_key)) vc.api_key = g.victorops_api_key;
        if (isSet(g.victorops_api_key_file)) vc.api_key_file = g.victorops_api_key_file;
      }
    });
    each('telegram_configs', (tc) => {
      if (!isSet(tc.api_url) && isSet(g.telegram_api_url)) tc.api_url = g.telegram_api_url;
    });
    each('discord_configs', (dc, p) => {
      if (!isSet(dc.webhook_url) && !isSet(dc.webhook_url_file)) throw new ConfigError(p, 'no discord webhook URL or URLFile provided');
    });
    each('webex_configs', (wc, p) => {
      if (!isSet(wc.api_url)) {
        if (!isSet(g.webex_api_url)) throw new ConfigError(p, 'no global Webex URL set');
        wc.api_url = g.webex_api_url;
      }
    });
    each('jira_configs', (jc, p) => {
      if (!isSet(jc.api_url)) {
        if (!isSet(g.jira_api_url)) throw new ConfigError(p, 'no global Jira Cloud URL set');
        jc.api_url = g.jira_api_url;
      }
    });
    each('rocketchat_configs', (rc, p) => {
      if (!isSet(rc.api_url) && isSet(g.rocketchat_api_url)) rc.api_url = g.rocketchat_api_url;
      if (!isSet(rc.token_id) && !isSet(rc.token_id_file)) {
        if (!isSet(g.rocketchat_token_id) && !isSet(g.rocketchat_token_id_file)) throw new ConfigError(p, 'no global Rocketchat TokenID set either inline or in a file');
        if (isSet(g.rocketchat_token_id)) rc.token_id = g.rocketchat_token_id;
        if (isSet(g.rocketchat_token_id_file)) rc.token_id_file = g.rocketchat_token_id_file;
      }
      if (!isSet(rc.token) && !isSet(rc.token_file)) {
        if (!isSet(g.rocketchat_token) && !isSet(g.rocketchat_token_file)) throw new ConfigError(p, 'no global Rocketchat Token set either inline or in a file');
        if (isSet(g.rocketchat_token)) rc.token = g.rocketchat_token;
        if (isSet(g.rocketchat_token_file)) rc.token_file = g.rocketchat_token_file;
      }
    });
    names.add(rcv.name);
  });
}

// checkReceiver and checkTimeInterval: children first, as Alertmanager walks.
function checkRouteReferences(r: RouteConfig, path: string, receivers: Set<string>, intervals: Set<string>, what: 'receivers' | 'intervals'): void {
  (r.routes ?? []).forEach((child, i) => checkRouteReferences(child, `${path}.routes[${i}]`, receivers, intervals, what));
  if (what === 'receivers') {
    if (r.receiver && !receivers.has(r.receiver)) throw new ConfigError(join(path, 'receiver'), `undefined receiver ${JSON.stringify(r.receiver)} used in route`);
    return;
  }
  for (const key of ['active_time_intervals', 'mute_time_intervals'] as const) {
    for (const name of r[key] ?? []) if (!intervals.has(name)) throw new ConfigError(join(path, key), `undefined time interval ${JSON.stringify(name)} used in route`);
  }
}

/** Parses and validates an Alertmanager configuration file's text. */
export function loadAlertmanagerConfig(text: string, options: LoadOptions = {}): AlertmanagerConfig {
  const ctx: ParseContext = { validateTemplate: options.validateTemplate };
  const raw = parseYaml(text);
  if (raw === null || raw === undefined) throw new ConfigError('route', 'no route provided in config');
  const top = readObject(raw, '', TOP_KEYS);

  const global = (top.global === undefined || top.global === null ? GLOBAL.defaults?.() : parseStruct(top.global, 'global', GLOBAL, ctx)) as unknown as GlobalConfig;
  const route = top.route === undefined || top.route === null ? undefined : parseRouteConfig(top.route, 'route');
  const inhibitRules = readList(top, 'inhibit_rules', parseInhibitRuleConfig);
  const receivers = readList(top, 'receivers', (r, p) => parseReceiver(r, p, ctx));
  const templates = top.templates === undefined || top.templates === null ? [] : readStringList(top.templates, 'templates');
  const muteTimeIntervals = readList(top, 'mute_time_intervals', (r, p) => parseNamedTimeInterval(r, p, 'missing name in mute time interval'));
  const timeIntervals = readList(top, 'time_intervals', (r, p) => parseNamedTimeInterval(r, p, 'missing name in time interval'));

  const g = global as unknown as ConfigValue;
  atMostOne(g, ['slack_api_url', 'slack_api_url_file'], 'global', 'at most one of slack_api_url & slack_api_url_file must be configured');
  atMostOne(g, ['opsgenie_api_key', 'opsgenie_api_key_file'], 'global', 'at most one of opsgenie_api_key & opsgenie_api_key_file must be configured');
  atMostOne(g, ['victorops_api_key', 'victorops_api_key_file'], 'global', 'at most one of victorops_api_key & victorops_api_key_file must be configured');
  atMostOne(g, ['smtp_auth_password', 'smtp_auth_password_file'], 'global', 'at most one of smtp_auth_password & smtp_auth_password_file must be configured');
  atMostOne(g, ['rocketchat_token', 'rocketchat_token_file'], 'global', 'at most one of rocketchat_token & rocketchat_token_file must be configured');
  atMostOne(g, ['rocketchat_token_id', 'rocketchat_token_id_file'], 'global', 'at most one of rocketchat_token_id & rocketchat_token_id_file must be configured');

  applyGlobals(global, receivers);

  if (route === undefined) throw new ConfigError('route', 'no routes provided');
  if (!route.receiver) throw new ConfigError('route.receiver', 'root route must specify a default receiver');
  if (Object.keys(route.match ?? {}).length > 0 || Object.keys(route.match_re ?? {}).length > 0 || (route.matchers ?? []).length > 0) {
    throw new ConfigError('route', 'root route must not have any matchers');
  }
  if ((route.mute_time_intervals ?? []).length > 0) throw new ConfigError('route.mute_time_intervals', 'root route must not have any mute time intervals');
  if ((route.active_time_intervals ?? []).length > 0) throw new ConfigError('route.active_time_intervals', 'root route must not have any active time intervals');
  checkRouteReferences(route, 'route', new Set(receivers.map((r) => r.name)), new Set(), 'receivers');

  const intervalNames = new Set<string>();
  muteTimeIntervals.forEach((mt, i) => {
    if (intervalNames.has(mt.name)) throw new ConfigError(`mute_time_intervals[${i}].name`, `mute time interval ${JSON.stringify(mt.name)} is not unique`);
    intervalNames.add(mt.name);
  });
  timeIntervals.forEach((ti, i) => {
    if (intervalNames.has(ti.name)) throw new ConfigError(`time_intervals[${i}].name`, `time interval ${JSON.stringify(ti.name)} is not unique`);
    intervalNames.add(ti.name);
  });
  checkRouteReferences(route, 'route', new Set(), intervalNames, 'intervals');
  if (route.continue) throw new ConfigError('route.continue', 'cannot have continue in root route');

  return { global, route, inhibit_rules: inhibitRules, receivers, templates, mute_time_intervals: muteTimeIntervals, time_intervals: timeIntervals };
}

/** Every named interval (both blocks) by name, for routes' mute/active_time_intervals. */
export function timeIntervalsByName(config: AlertmanagerConfig): Map<string, TimeInterval[]> {
  const out = new Map<string, TimeInterval[]>();
  for (const ti of [...config.mute_time_intervals, ...config.time_intervals]) out.set(ti.name, ti.time_intervals);
  return out;
}

/** A copy with every secret (passwords, keys, tokens, secret URLs) replaced by "<secret>". */
export function redactConfig(config: AlertmanagerConfig): AlertmanagerConfig {
  return {
    ...structuredClone(config),
    global: redactStruct(structuredClone(config.global) as unknown as ConfigValue, GLOBAL) as unknown as GlobalConfig,
    receivers: config.receivers.map((r) => redactStruct(structuredClone(r) as unknown as ConfigValue, RECEIVER) as unknown as ReceiverConfig),
  };
}

function namedIntervalsToYaml(list: NamedTimeInterval[]): unknown[] {
  return list.map((n) => ({
    name: n.name,
    time_intervals: n.time_intervals.map((ti) => {
      const y = timeIntervalToYaml(ti);
      for (const k of ['weekdays', 'days_of_month', 'months', 'years']) if (Array.isArray(y[k])) y[k] = new FlowList(y[k] as unknown[]);
      return y;
    }),
  }));
}

function toNode(doc: Document, value: unknown): unknown {
  if (value instanceof FlowList) {
    const seq = new YAMLSeq();
    seq.flow = true;
    for (const v of value.items) seq.items.push(toNode(doc, v));
    return seq;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const v of value) seq.items.push(toNode(doc, v));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) map.items.push(new Pair(new Scalar(k), toNode(doc, v)));
    return map;
  }
  return new Scalar(value ?? null);
}

/**
 * The config as YAML in Alertmanager's own form (yaml.v2 marshal of config.Config, the
 * /api/v2/status `config.original`): every default written out, Go's field order, secrets as
 * "<secret>" unless `redact` is false.
 */
export function configToYaml(config: AlertmanagerConfig, options: { redact?: boolean } = {}): string {
  const redact = options.redact ?? true;
  const out: Record<string, unknown> = {
    global: renderStruct(config.global as unknown as ConfigValue, GLOBAL, redact),
    route: routeConfigToYaml(config.route),
  };
  if (config.inhibit_rules.length > 0) out.inhibit_rules = config.inhibit_rules.map(inhibitRuleConfigToYaml);
  if (config.receivers.length > 0) out.receivers = config.receivers.map((r) => renderStruct(r as unknown as ConfigValue, RECEIVER, redact));
  out.templates = config.templates;
  if (config.mute_time_intervals.length > 0) out.mute_time_intervals = namedIntervalsToYaml(config.mute_time_intervals);
  if (config.time_intervals.length > 0) out.time_intervals = namedIntervalsToYaml(config.time_intervals);
  const doc = new Document();
  doc.contents = toNode(doc, out) as YAMLMap;
  return doc.toString({ lineWidth: 0 });
}
