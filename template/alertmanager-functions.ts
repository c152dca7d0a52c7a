// Alertmanager's notification templates (prometheus/alertmanager template/template.go):
// DefaultFuncs, the Data passed to templates (KV with SortedPairs/Names/Values/Remove, Alerts
// with Firing/Resolved), and a Template that bundles the text and HTML modes over one set of
// parsed files, with Alertmanager's default.tmpl and email.tmpl loaded first.
import { readFileSync } from 'node:fs';
import { humanizeDuration } from './common-templates.ts';
import { stringSliceType, withSignature, type FuncMap, type TypeCheck } from './functions.ts';
import { JsonFields, marshalJSON } from './go-json.ts';
import { queryUnescape } from './go-net.ts';
import { matchString, mustCompile, replaceAllString } from './go-regexp.ts';
import { title, toLower, toUpper, trimSpace } from './go-strings.ts';
import { GoDuration, GoTime, UTC, loadLocation, now, parseTime, timeType } from './go-time.ts';
import { SafeHTML, SafeURL } from './html-escape.ts';
import { TemplateSet } from './template.ts';
import { compareStrings, GoMap, withGoTypeName } from './values.ts';
import { fingerprintHex } from '../model/fingerprint.ts';

// --- data model ------------------------------------------------------------------------------

function withMethods<T extends unknown[]>(arr: T, typeName: string, methods: Record<string, (...a: never[]) => unknown>): T {
  withGoTypeName(arr, typeName);
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(arr, name, { value: fn, enumerable: false });
  return arr;
}

/** Pair is a key/value string pair. */
export class Pair {
  static readonly goTypeName = 'template.Pair';
  Name: string;
  Value: string;
  constructor(name: string, value: string) {
    this.Name = name;
    this.Value = value;
  }
}

/** Strings is a list of strings exposed to templates, with Join. */
export function strings(values: string[]): string[] {
  return withMethods(values, 'template.Strings', {
    Join: withSignature((sep: string) => values.join(sep), ['string']),
  });
}

/** Pairs is a list of key/value string pairs, with Names, Values and String. */
export function pairs(list: Pair[]): Pair[] {
  return withMethods(list, 'template.Pairs', {
    Names: withSignature(() => strings(list.map((p) => p.Name)), []),
    Values: withSignature(() => strings(list.map((p) => p.Value)), []),
    String: withSignature(() => list.map((p) => `${p.Name}=${p.Value}`).join(', '), []),
  });
}

/** KV is a set of key/value string pairs (map[string]string) with methods. */
export class KV extends GoMap<string> {
  constructor(entries: Record<string, string> | Iterable<readonly [string, string]> = {}) {
    super(entries as Record<string, string>, { zero: '', typeName: 'template.KV' });
  }
  /** A sorted list of key/value pairs; alertname always comes first. */
  SortedPairs(): Pair[] {
    const keys = [...this.entries.keys()] as string[];
    const rest = keys.filter((k) => k !== 'alertname').sort(compareStrings);
    const ordered = keys.includes('alertname') ? ['alertname', ...rest] : rest;
    return pairs(ordered.map((k) => new Pair(k, this.entries.get(k) as string)));
  }
  /** A copy of the key/value set without the given keys. */
  Remove(keys: string[] | null): KV {
    const drop = new Set(keys ?? []);
    return new KV([...this.entries].filter(([k]) => !drop.has(k as string)) as Array<[string, string]>);
  }
  /** The names of the label names in the LabelSet. */
  Names(): string[] {
    return strings(this.SortedPairs().map((p) => p.Name));
  }
  /** A list of the values in the LabelSet. */
  Values(): string[] {
    return strings(this.SortedPairs().map((p) => p.Value));
  }
  String(): string {
    return this.SortedPairs()
      .map((p) => `${p.Name}=${p.Value}`)
      .join(', ');
  }
}
withSignature(KV.prototype.SortedPairs, []);
withSignature(KV.prototype.Remove, [stringSliceType]);
withSignature(KV.prototype.Names, []);
withSignature(KV.prototype.Values, []);
withSignature(KV.prototype.String, []);

/** Alert holds one alert for notification templates. */
export class Alert {
  static readonly goTypeName = 'template.Alert';
  Status: string;
  Labels: KV | null;
  Annotations: KV | null;
  StartsAt: GoTime;
  EndsAt: GoTime;
  GeneratorURL: string;
  Fingerprint: string;
  constructor(a: { Status: string; Labels?: KV | null; Annotations?: KV | null; StartsAt?: GoTime; EndsAt?: GoTime; GeneratorURL?: string; Fingerprint?: string }) {
    this.Status = a.Status;
    this.Labels = a.Labels ?? null;
    this.Annotations = a.Annotations ?? null;
    this.StartsAt = a.StartsAt ?? GoTime.zero();
    this.EndsAt = a.EndsAt ?? GoTime.zero();
    this.GeneratorURL = a.GeneratorURL ?? '';
    this.Fingerprint = a.Fingerprint ?? '';
  }
  goJSON(): JsonFields {
    return new JsonFields([
      ['status', this.Status],
      ['labels', this.Labels],
      ['annotations', this.Annotations],
      ['startsAt', this.StartsAt],
      ['endsAt', this.EndsAt],
      ['generatorURL', this.GeneratorURL],
      ['fingerprint', this.Fingerprint],
    ]);
  }
}

/** Alerts is a list of Alert objects, with Firing and Resolved. */
export function alerts(list: Alert[]): Alert[] {
  return withMethods(list, 'template.Alerts', {
    Firing: withSignature(() => withGoTypeName(list.filter((a) => a.Status === 'firing'), '[]template.Alert'), []),
    Resolved: withSignature(() => withGoTypeName(list.filter((a) => a.Status === 'resolved'), '[]template.Alert'), []),
  });
}

/** Data is the data passed to notification templates and webhook pushes. */
export class Data {
  static readonly goTypeName = 'template.Data';
  Receiver: string;
  Status: string;
  Alerts: Alert[];
  NotificationReason: string;
  GroupLabels: KV;
  CommonLabels: KV;
  CommonAnnotations: KV;
  RouteLabels: KV;
  ExternalURL: string;
  /** Whether RouteLabels values are already rendered (routeLabels returns them verbatim). */
  declare readonly routeLabelsRendered: boolean;
  constructor(d: Partial<Omit<Data, 'goJSON' | 'routeLabelsRendered'>> & { routeLabelsRendered?: boolean } = {}) {
    this.Receiver = d.Receiver ?? '';
    this.Status = d.Status ?? '';
    this.Alerts = alerts(d.Alerts ?? []);
    this.NotificationReason = d.NotificationReason ?? '';
    this.GroupLabels = d.GroupLabels ?? new KV();
    this.CommonLabels = d.CommonLabels ?? new KV();
    this.CommonAnnotations = d.CommonAnnotations ?? new KV();
    this.RouteLabels = d.RouteLabels ?? new KV();
    this.ExternalURL = d.ExternalURL ?? '';
    // Not a field templates see (Go: unexported), so not enumerable.
    Object.defineProperty(this, 'routeLabelsRendered', { value: d.routeLabelsRendered ?? false, enumerable: false, writable: true });
  }
  goJSON(): JsonFields {
    return new JsonFields([
      ['receiver', this.Receiver],
      ['status', this.Status],
      ['alerts', this.Alerts],
      ['notification_reason', this.NotificationReason],
      ['groupLabels', this.GroupLabels],
      ['commonLabels', this.CommonLabels],
      ['commonAnnotations', this.CommonAnnotations],
      ['routeLabels', this.RouteLabels],
      ['externalURL', this.ExternalURL],
    ]);
  }
}

// --- building Data ---------------------------------------------------------------------------

/** An alert as the notifier has it (model.Alert). */
export interface AlertInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: Date | GoTime;
  /** Unset or zero while firing; an end in the past means resolved. */
  endsAt?: Date | GoTime;
  generatorURL?: string;
}

export interface TemplateDataInput {
  receiver: string;
  groupLabels?: Record<string, string>;
  routeLabels?: Record<string, string>;
  notificationReason?: string;
  externalURL: string;
  alerts: AlertInput[];
  /** The time that decides whether an alert is resolved (default: now). */
  now?: Date;
}


/** model.LabelSet.Fingerprint as Alertmanager prints it (%016x of FNV-1a over sorted pairs): model/fingerprint.ts. */
export const labelSetFingerprint = fingerprintHex;

function toGoTime(t: Date | GoTime | undefined): GoTime {
  if (t === undefined) return GoTime.zero();
  return t instanceof GoTime ? t : GoTime.fromDate(t);
}

/** regexp.QuoteMeta (Alertmanager quotes the receiver name in Data). */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** template.(*Template).Data: the data Alertmanager passes to notification templates. */
export function alertmanagerTemplateData(input: TemplateDataInput): Data {
  const nowNs = toGoTime(input.now ?? new Date()).unixNano();
  const status = (a: AlertInput): 'firing' | 'resolved' => {
    const end = toGoTime(a.endsAt);
    return !end.IsZero() && end.unixNano() <= nowNs ? 'resolved' : 'firing';
  };
  const list = input.alerts.map(
    (a) =>
      new Alert({
        Status: status(a),
        Labels: new KV(a.labels),
        Annotations: new KV(a.annotations ?? {}),
        StartsAt: toGoTime(a.startsAt),
        EndsAt: toGoTime(a.endsAt),
        GeneratorURL: a.generatorURL ?? '',
        Fingerprint: labelSetFingerprint(a.labels),
      }),
  );
  let commonLabels: Record<string, string> = {};
  let commonAnnotations: Record<string, string> = {};
  const [first, ...rest] = input.alerts;
  if (first) {
    commonLabels = { ...first.labels };
    commonAnnotations = { ...(first.annotations ?? {}) };
    for (const a of rest) {
      for (const [k, v] of Object.entries(commonLabels)) if (a.labels[k] !== v) delete commonLabels[k];
      for (const [k, v] of Object.entries(commonAnnotations)) if ((a.annotations ?? {})[k] !== v) delete commonAnnotations[k];
    }
  }
  return new Data({
    Receiver: quoteMeta(input.receiver),
    Status: input.alerts.some((a) => status(a) === 'firing') ? 'firing' : 'resolved',
    Alerts: list,
    NotificationReason: input.notificationReason ?? '',
    GroupLabels: new KV(input.groupLabels ?? {}),
    CommonLabels: new KV(commonLabels),
    CommonAnnotations: new KV(commonAnnotations),
    RouteLabels: new KV(input.routeLabels ?? {}),
    ExternalURL: input.externalURL,
  });
}

// --- DefaultFuncs ----------------------------------------------------------------------------

const anySliceType: TypeCheck = { name: '[]interface {}', nillable: true, accepts: (v) => Array.isArray(v) };

function base64URLEncode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** base64.URLEncoding.DecodeString: strict, with Go's "illegal base64 data at input byte N". */
function base64URLDecode(text: string): string {
  const valid = /^[A-Za-z0-9_-]*={0,2}$/;
  let bad = -1;
  if (!valid.test(text) || text.length % 4 !== 0) {
    bad = text.search(/[^A-Za-z0-9_=-]/);
    if (bad < 0) bad = text.length - (text.length % 4 || 4);
  }
  if (bad >= 0) throw new Error(`illegal base64 data at input byte ${bad}`);
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

function placeholderRouteLabels(): string {
  return '';
}

/** Alertmanager's DefaultFuncs. */
export const defaultFuncs: FuncMap = {
  toUpper: withSignature(toUpper, ['string']),
  toLower: withSignature(toLower, ['string']),
  title: withSignature((text: string) => title(text), ['string']),
  trimSpace: withSignature(trimSpace, ['string']),
  // join is equal to strings.Join but inverts the argument order for easier pipelining in templates.
  join: withSignature((sep: string, s: string[] | null) => (s ?? []).join(sep), ['string', stringSliceType]),
  match: withSignature((pattern: string, s: string) => matchString(pattern, s), ['string', 'string']),
  safeHtml: withSignature((text: string) => new SafeHTML(text), ['string']),
  safeUrl: withSignature((text: string) => new SafeURL(text), ['string']),
  urlUnescape: withSignature(queryUnescape, ['string']),
  reReplaceAll: withSignature((pattern: string, repl: string, text: string) => replaceAllString(mustCompile(pattern), text, repl), ['string', 'string', 'string']),
  stringSlice: withSignature((...s: string[]) => s, [], 'string'),
  // routeLabels is replaced per execution with the real resolver.
  routeLabels: withSignature(placeholderRouteLabels, ['string']),
  date: withSignature((fmt: string, t: GoTime) => t.Format(fmt), ['string', timeType]),
  tz: withSignature((name: string, t: GoTime) => t.In(loadLocation(name)), ['string', timeType]),
  now: withSignature(now, []),
  since: withSignature((t: GoTime) => new GoDuration(now().unixNano() - t.unixNano()), [timeType]),
  humanizeDuration: withSignature(humanizeDuration, ['any']),
  toDate: withSignature((layout: string, s: string) => {
    try {
      return parseTime(layout, s, UTC);
    } catch {
      return GoTime.zero();
    }
  }, ['string', 'string']),
  mustToDate: withSignature((layout: string, s: string) => parseTime(layout, s, UTC), ['string', 'string']),
  toJson: withSignature((v: unknown) => marshalJSON(v), ['any']),
  base64encode: withSignature(base64URLEncode, ['string']),
  base64decode: withSignature(base64URLDecode, ['string']),
  list: withSignature((...args: unknown[]) => args, [], 'any'),
  append: withSignature((slice: unknown[] | null, ...args: unknown[]) => [...(slice ?? []), ...args], [anySliceType], 'any'),
  dict: withSignature((...values: unknown[]) => {
    if (values.length % 2 !== 0) throw new Error('dict requires an even number of arguments');
    const res: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i += 2) {
      const key = values[i];
      if (typeof key !== 'string') throw new Error('dict keys must be strings');
      res[key] = values[i + 1];
    }
    return res;
  }, [], 'any'),
};

// --- Template --------------------------------------------------------------------------------

/** Alertmanager's default.tmpl and email.tmpl, as shipped beside this file. */
export function defaultTemplateFiles(): Array<[name: string, text: string]> {
  return ['default.tmpl', 'email.tmpl'].map((f) => [f, readFileSync(new URL(`./${f}`, import.meta.url), 'utf8')]);
}

export interface AlertmanagerTemplateOptions {
  /** Alertmanager's --web.external-url. */
  externalURL?: string;
  /** Additional functions; DefaultFuncs take precedence over them, as upstream. */
  funcs?: FuncMap;
  /** Load default.tmpl and email.tmpl first (FromGlobs does). Default true. */
  defaults?: boolean;
}

/**
 * template.Template: the parsed template files, executed in text mode (ExecuteTextString) or
 * HTML mode (ExecuteHTMLString) as Alertmanager does for each receiver field.
 */
export class AlertmanagerTemplate {
  readonly externalURL: string;
  private readonly set: TemplateSet;

  constructor(options: AlertmanagerTemplateOptions = {}) {
    this.externalURL = options.externalURL ?? '';
    this.set = new TemplateSet({ missingKey: 'zero', funcs: { ...options.funcs, ...defaultFuncs } });
    if (options.defaults ?? true) for (const [name, text] of defaultTemplateFiles()) this.set.parse(name, text);
  }

  /** Parses a template file (the templates: files of the configuration). */
  parse(name: string, text: string): this {
    this.set.parse(name, text);
    return this;
  }

  /** Names of the defined templates. */
  names(): string[] {
    return this.set.names();
  }

  /** Data for a notification (template.Data). */
  data(input: Omit<TemplateDataInput, 'externalURL'> & { externalURL?: string }): Data {
    return alertmanagerTemplateData({ ...input, externalURL: input.externalURL ?? this.externalURL });
  }

  /** ExecuteTextString: expands a receiver field in text mode; "" stays "". */
  executeTextString(text: string, data: unknown): string {
    if (text === '') return '';
    return this.exec(text, data, 'text', new RouteLabelResolver(data, (t, d, r) => this.exec(t, d, 'text', r)));
  }

  /** ExecuteHTMLString: expands a receiver field in html/template mode; "" stays "". */
  executeHTMLString(html: string, data: unknown): string {
    if (html === '') return '';
    return this.exec(html, data, 'html', new RouteLabelResolver(data, (t, d, r) => this.exec(t, d, 'html', r)));
  }

  /** RouteLabelRenderer: renders route labels by name, each at most once, sharing one resolver. */
  routeLabelRenderer(data: Data): (name: string) => string {
    const resolver = new RouteLabelResolver(data, (t, d, r) => this.exec(t, d, 'text', r));
    return (name) => resolver.resolve(name);
  }

  private exec(text: string, data: unknown, mode: 'text' | 'html', resolver: RouteLabelResolver): string {
    const set = this.set.clone().addFuncs({ routeLabels: withSignature((name: string) => resolver.resolve(name), ['string']) });
    set.setMissingKey('zero');
    set.parse('', text);
    return mode === 'text' ? set.executeSync('', data) : set.executeHTMLSync('', data);
  }
}

/** Renders route labels, which may be templates themselves, detecting reference cycles. */
class RouteLabelResolver {
  private readonly raw: KV | undefined;
  private readonly rendered: boolean;
  private readonly data: unknown;
  private readonly run: (text: string, data: unknown, r: RouteLabelResolver) => string;
  private readonly memo = new Map<string, string>();
  private readonly inProgress = new Set<string>();
  private readonly stack: string[] = [];

  constructor(data: unknown, run: (text: string, data: unknown, r: RouteLabelResolver) => string) {
    this.raw = data instanceof Data ? data.RouteLabels : undefined;
    this.rendered = data instanceof Data ? data.routeLabelsRendered : false;
    this.data = data;
    this.run = run;
  }

  resolve(name: string): string {
    const raw = this.raw?.entries.get(name);
    if (raw === undefined) return '';
    if (this.rendered) return raw;
    const memo = this.memo.get(name);
    if (memo !== undefined) return memo;
    if (this.inProgress.has(name)) throw new Error(`route label cycle detected: ${[...this.stack, name].join(' -> ')}`);
    this.inProgress.add(name);
    this.stack.push(name);
    try {
      const v = this.run(raw, this.data, this);
      this.memo.set(name, v);
      return v;
    } finally {
      this.stack.pop();
      this.inProgress.delete(name);
    }
  }
}

/** Marks Data's route labels as already rendered (MarkRouteLabelsRendered). */
export function markRouteLabelsRendered(d: Data): Data {
  (d as { routeLabelsRendered: boolean }).routeLabelsRendered = true;
  return d;
}
