// The template functions Prometheus gives alerting and recording rule templates
// (prometheus/template/template.go), and its Expander: annotations and labels of alerting rules
// are expanded with $labels, $externalLabels, $externalURL and $value defined.
//
// query is injectable and may be async: execute the expander with expand() (async) when it is;
// expandSync() serves templates whose query function (if any) is synchronous.
import { convertToFloat, floatToTime, humanizeDuration, humanizeTimestamp } from './common-templates.ts';
import { TemplateError } from './errors.ts';
import { sprintf } from './format.ts';
import { instanceType, withSignature, type FuncMap, type TypeCheck } from './functions.ts';
import { splitHostPort, joinHostPort, isParsableIP } from './go-net.ts';
import { GoDuration, SECOND } from './go-time.ts';
import { matchString, mustCompile, replaceAllString } from './go-regexp.ts';
import { title, toLower, toUpper } from './go-strings.ts';
import { queryEscape } from './builtins.ts';
import { TemplateSet, type MissingKey } from './template.ts';
import { compareStrings, GoMap, isThenable, stringMap, withGoTypeName } from './values.ts';
import { SafeHTML } from './html-escape.ts';

/** One sample of a query result: its labels (including __name__) and its value (a float64, or a histogram object). */
export interface QuerySample {
  labels: Record<string, string>;
  value: unknown;
}

/** Evaluates an instant PromQL query at the rule's evaluation time (Unix milliseconds). */
export type QueryFunction = (query: string, timestampMs: number) => QuerySample[] | Promise<QuerySample[]>;

/** A version of a vector sample that's easier to use from templates (Go: *template.sample). */
export class Sample {
  static readonly goTypeName = '*template.sample';
  Labels: GoMap<string>;
  Value: unknown;
  constructor(labels: GoMap<string>, value: unknown) {
    this.Labels = labels;
    this.Value = value;
  }
}

const QUERY_RESULT = 'template.queryResult';

function queryResult(samples: Sample[]): Sample[] {
  return withGoTypeName(samples, QUERY_RESULT);
}

const sampleType: TypeCheck = instanceType('*template.sample', Sample, true);
const queryResultType: TypeCheck = {
  name: QUERY_RESULT,
  nillable: true,
  accepts: (v) => Array.isArray(v) && v.every((s) => s instanceof Sample),
};

function requireSample(s: Sample | null): Sample {
  if (s === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
  return s;
}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [31536000000n, 604800000n, 86400000n, 3600000n, 60000n, 1000n, 1n];

/** model.ParseDurationAllowNegative, in milliseconds. */
export function parseModelDuration(s: string): bigint {
  if (s === '') throw new Error('empty duration string');
  let text = s;
  let neg = false;
  if (text.startsWith('-')) {
    neg = true;
    text = text.slice(1);
  }
  if (text === '0') return 0n;
  const m = DURATION_RE.exec(text);
  if (!m || text === '') throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let ms = 0n;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += BigInt(m[i + 1] as string) * (UNIT_MS[i] as bigint);
  if (ms > 9223372036854n) throw new Error('duration out of range');
  return neg ? -ms : ms;
}

function urlPath(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url);
  return m ? (m[1] as string) : (/^[^?#]*/.exec(url)?.[0] ?? '');
}

export interface PrometheusFunctionOptions {
  /** The PromQL engine behind the query function; without it, query fails. */
  query?: QueryFunction;
  /** Evaluation time (Unix ms): what query evaluates at and now returns. Default: the current time. */
  timestampMs?: number;
  /** Prometheus' --web.external-url, for externalURL and pathPrefix. */
  externalURL?: string;
}

/** The function map of Prometheus' template.NewTemplateExpander. */
export function prometheusFunctions(options: PrometheusFunctionOptions = {}): FuncMap {
  const timestampMs = options.timestampMs ?? Date.now();
  const externalURL = options.externalURL ?? '';
  const humanize = (i: unknown): string => {
    let v = convertToFloat(i);
    if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return sprintf('%.4g', [v]);
    if (Math.abs(v) >= 1) {
      let prefix = '';
      for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
        if (Math.abs(v) < 1000) break;
        prefix = p;
        v /= 1000;
      }
      return sprintf('%.4g%s', [v, prefix]);
    }
    let prefix = '';
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
    return sprintf('%.4g%s', [v, prefix]);
  };
  const humanize1024 = (i: unknown): string => {
    let v = convertToFloat(i);
    if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return sprintf('%.4g', [v]);
    let prefix = '';
    for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
      if (Math.abs(v) < 1024) break;
      prefix = p;
      v /= 1024;
    }
    return sprintf('%.4g%s', [v, prefix]);
  };
  return {
    query: withSignature((q: string) => {
      if (!options.query) throw new Error('no query function configured');
      const toResult = (vector: QuerySample[]) => queryResult(vector.map((s) => new Sample(stringMap(s.labels), s.value)));
      const out = options.query(q, timestampMs);
      return isThenable(out) ? Promise.resolve(out).then(toResult) : toResult(out);
    }, ['string']),
    first: withSignature((v: Sample[] | null) => {
      if (v && v.length > 0) return v[0];
      throw new Error('first() called on vector with no elements');
    }, [queryResultType]),
    label: withSignature((label: string, s: Sample | null) => requireSample(s).Labels.entries.get(label) ?? '', ['string', sampleType]),
    value: withSignature((s: Sample | null) => requireSample(s).Value, [sampleType]),
    strvalue: withSignature((s: Sample | null) => requireSample(s).Labels.entries.get('__value__') ?? '', [sampleType]),
    args: withSignature((...args: unknown[]) => {
      const result: Record<string, unknown> = {};
      args.forEach((a, i) => {
        result[`arg${i}`] = a;
      });
      return result;
    }, [], 'any'),
    reReplaceAll: withSignature((pattern: string, repl: string, text: string) => replaceAllString(mustCompile(pattern), text, repl), ['string', 'string', 'string']),
    safeHtml: withSignature((text: string) => new SafeHTML(text), ['string']),
    match: withSignature((pattern: string, s: string) => matchString(pattern, s), ['string', 'string']),
    title: withSignature((s: string) => title(s, true), ['string']),
    toUpper: withSignature(toUpper, ['string']),
    toLower: withSignature(toLower, ['string']),
    graphLink: withSignature((expr: string) => `/graph?g0.expr=${queryEscape(expr)}&g0.tab=0`, ['string']),
    tableLink: withSignature((expr: string) => `/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`, ['string']),
    sortByLabel: withSignature((label: string, v: Sample[] | null) => {
      if (!v) return v;
      const sorted = [...v].sort((a, b) => compareStrings(a.Labels.entries.get(label) ?? '', b.Labels.entries.get(label) ?? ''));
      v.splice(0, v.length, ...sorted); // sort.Stable sorts in place
      return v;
    }, ['string', queryResultType]),
    stripPort: withSignature((hostPort: string) => {
      try {
        return splitHostPort(hostPort)[0];
      } catch {
        return hostPort;
      }
    }, ['string']),
    stripDomain: withSignature((hostPort: string) => {
      let host: string;
      let port = '';
      try {
        [host, port] = splitHostPort(hostPort);
      } catch {
        host = hostPort;
      }
      if (isParsableIP(host)) return hostPort;
      host = host.split('.')[0] as string;
      return port !== '' ? joinHostPort(host, port) : host;
    }, ['string']),
    humanize: withSignature(humanize, ['any']),
    humanize1024: withSignature(humanize1024, ['any']),
    humanizeDuration: withSignature(humanizeDuration, ['any']),
    humanizePercentage: withSignature((i: unknown) => sprintf('%.4g%%', [convertToFloat(i) * 100]), ['any']),
    humanizeTimestamp: withSignature(humanizeTimestamp, ['any']),
    toTime: withSignature((i: unknown) => floatToTime(convertToFloat(i)), ['any']),
    toDuration: withSignature((i: unknown) => new GoDuration(BigInt(Math.trunc(convertToFloat(i) * Number(SECOND)))), ['any']),
    now: withSignature(() => timestampMs / 1000, []),
    pathPrefix: withSignature(() => urlPath(externalURL), []),
    externalURL: withSignature(() => externalURL, []),
    parseDuration: withSignature((d: string) => Number(parseModelDuration(d)) / 1000, ['string']),
    urlQueryEscape: withSignature(queryEscape, ['string']),
  };
}

// Parsed templates are kept by (name, text): rules expand the same annotations every evaluation.
const parsedCache = new Map<string, TemplateSet>();
const PARSED_CACHE_LIMIT = 2000;
const placeholderFuncs = prometheusFunctions();
// tmpl exists in HTML mode only, but the text is parsed once for both modes.
const placeholderTmpl = withSignature((): never => {
  throw new Error('tmpl is only available in HTML mode');
}, ['string', 'any']);

function parsedSet(name: string, text: string, missingKey: MissingKey, extra: FuncMap, cacheable: boolean): TemplateSet {
  const key = `${missingKey}\u0000${name}\u0000${text}`;
  if (cacheable) {
    const hit = parsedCache.get(key);
    if (hit) return hit;
  }
  let set: TemplateSet;
  try {
    set = new TemplateSet({ funcs: { ...placeholderFuncs, ...extra }, missingKey }).parse(name, text);
  } catch (e) {
    throw wrap(e, `error parsing template ${name}`);
  }
  if (cacheable) {
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.delete(parsedCache.keys().next().value as string);
    parsedCache.set(key, set);
  }
  return set;
}

function wrap(e: unknown, prefix: string): TemplateError {
  const message = e instanceof Error ? e.message : String(e);
  const kind = e instanceof TemplateError ? e.kind : 'exec';
  const name = e instanceof TemplateError ? e.templateName : '';
  return new TemplateError(kind, name, `${prefix}: ${message}`, { cause: e });
}

export interface ExpanderOptions extends PrometheusFunctionOptions {
  /** Go template options; Prometheus' default is missingkey=zero. */
  missingKey?: MissingKey;
  /** Functions added to (or replacing) Prometheus' (Expander.Funcs). */
  funcs?: FuncMap;
}

/** template.Expander: expands one template text in text mode with Prometheus' functions. */
export class Expander {
  readonly name: string;
  readonly text: string;
  readonly data: unknown;
  private readonly options: ExpanderOptions;

  constructor(text: string, name: string, data: unknown, options: ExpanderOptions = {}) {
    this.text = text;
    this.name = name;
    this.data = data;
    this.options = options;
  }

  private prepared(): TemplateSet {
    const extra = { tmpl: placeholderTmpl, ...this.options.funcs };
    const set = parsedSet(this.name, this.text, this.options.missingKey ?? 'zero', extra, this.options.funcs === undefined);
    return set.clone().addFuncs({ ...prometheusFunctions(this.options), ...this.options.funcs });
  }

  /** Expand: the output, or a TemplateError "error parsing template NAME: ..." / "error executing template NAME: ...". */
  async expand(): Promise<string> {
    const set = this.prepared();
    try {
      return await set.execute(this.name, this.data);
    } catch (e) {
      throw wrap(e, `error executing template ${this.name}`);
    }
  }

  /** Expand without awaiting: fails if the query function is async. */
  expandSync(): string {
    const set = this.prepared();
    try {
      return set.executeSync(this.name, this.data);
    } catch (e) {
      throw wrap(e, `error executing template ${this.name}`);
    }
  }

  /** ExpandHTML: html/template mode (contextual escaping), with the tmpl function. */
  async expandHTML(): Promise<string> {
    const set = this.prepared();
    set.addFuncs({
      tmpl: withSignature(async (name: string, data: unknown) => new SafeHTML(await set.executeHTML(name, data)), ['string', 'any']),
    });
    try {
      return await set.executeHTML(this.name, this.data);
    } catch (e) {
      throw wrap(e, `error executing template ${this.name}`);
    }
  }

  /** ParseTest: throws the parse error, if any. */
  parseTest(): void {
    new TemplateSet({ funcs: { ...placeholderFuncs, ...this.options.funcs }, missingKey: 'zero' }).parse(this.name, this.text);
  }
}

/** The data of alert templates (template.AlertTemplateData). */
export class AlertTemplateData {
  static readonly goTypeName = 'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }';
  Labels: GoMap<string>;
  ExternalLabels: GoMap<string>;
  ExternalURL: string;
  Value: unknown;
  constructor(labels: Record<string, string>, externalLabels: Record<string, string>, externalURL: string, value: unknown) {
    this.Labels = stringMap(labels);
    this.ExternalLabels = stringMap(externalLabels);
    this.ExternalURL = externalURL;
    this.Value = value;
  }
}

export interface AlertTemplateInput extends ExpanderOptions {
  /** The alert's labels (the series' labels plus the rule's, without __name__). */
  labels: Record<string, string>;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** The sample value: a float64 (JS number), or a histogram object with a String method. */
  value: unknown;
}

/** The variables Prometheus defines before every alert template text. */
export const ALERT_TEMPLATE_PREAMBLE = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

function alertExpander(name: string, text: string, input: AlertTemplateInput): Expander {
  const data = new AlertTemplateData(input.labels, input.externalLabels ?? {}, input.externalURL ?? '', input.value);
  return new Expander(ALERT_TEMPLATE_PREAMBLE + text, name, data, input);
}

/**
 * Expands an alerting rule's annotation or label template as Prometheus does (the preamble
 * defines $labels, $externalLabels, $externalURL and $value; text mode; missingkey=zero).
 * Prometheus names the template "__alert_" + the rule name. Throws TemplateError.
 */
export function expandAlertTemplate(name: string, text: string, input: AlertTemplateInput): Promise<string> {
  return alertExpander(name, text, input).expand();
}

/** expandAlertTemplate for synchronous query functions (or none). */
export function expandAlertTemplateSync(name: string, text: string, input: AlertTemplateInput): string {
  return alertExpander(name, text, input).expandSync();
}

/** What Prometheus' rule manager stores when expansion fails: "<error expanding template: ...>". */
export async function expandAlertTemplateOrError(name: string, text: string, input: AlertTemplateInput): Promise<string> {
  try {
    return await expandAlertTemplate(name, text, input);
  } catch (e) {
    return `<error expanding template: ${(e as Error).message}>`;
  }
}
