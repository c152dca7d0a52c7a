// The Jira integration (notify/jira, Alertmanager 0.28): one issue per group, found again by its
// `ALERT{<group key hash>}` label: created while firing, updated on later notifications,
// transitioned with resolve_transition once resolved and reopen_transition when it fires again.
import { request } from 'undici';
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { JiraConfig } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupKeyHash, groupStatus, truncateRunes } from './http-json.ts';
import { asNotifyError, checkHttpStatus, NotifyError, type Integration, type NotifyContext } from './integration.ts';

interface FoundIssue {
  key: string;
  fields?: { status?: { statusCategory?: { key?: string } } };
}

/** template.DeepCopyWithTemplate: every string inside is expanded. */
function deepTemplate(value: unknown, text: (t: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((v) => deepTemplate(v, text));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepTemplate(v, text);
    return out;
  }
  return value;
}

export class JiraIntegration implements Integration {
  readonly kind = 'jira';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: JiraConfig;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: JiraConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  async #call(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, signal: AbortSignal): Promise<string> {
    const url = `${(this.#c.api_url ?? '').replace(/\/+$/, '')}/${path}`;
    try {
      const res = await request(url, {
        method,
        dispatcher: this.#http.dispatcher,
        headers: { ...this.#http.headers(), 'Content-Type': 'application/json', 'Accept-Language': 'en' },
        ...(body !== undefined ? { body: `${JSON.stringify(body)}\n` } : {}),
        signal,
      });
      const text = await res.body.text();
      checkHttpStatus('jira', res.statusCode, text);
      return text;
    } catch (err) {
      throw asNotifyError(err, signal);
    }
  }

  /** The issue's fields for a create or update. */
  issueFields(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.#c;
    const { text } = expander('jira', this.#tmpl, ctx, alerts);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.fields ?? {})) fields[k] = deepTemplate(v, text);
    fields.project = { key: text(c.project) };
    fields.issuetype = { name: text(c.issue_type) };
    fields.summary = truncateRunes(text(c.summary), 255);
    const description = truncateRunes(text(c.description), 32_767);
    if (/\/3\/?$/.test(c.api_url ?? '')) {
      // API v3 takes the description as Atlassian Document Format (JSON).
      const trimmed = description.trim();
      if (trimmed !== '') {
        try {
          fields.description = JSON.parse(trimmed) as unknown;
        } catch {
          throw new NotifyError('jira: description template: invalid JSON for API v3', false, 'other');
        }
      }
    } else if (description !== '') {
      fields.description = description;
    }
    fields.labels = [...(c.labels ?? []).map((l) => text(l)), `ALERT{${groupKeyHash(ctx.groupKey)}}`].sort();
    const priority = text(c.priority);
    if (priority !== '') fields.priority = { name: priority };
    return fields;
  }

  async #search(ctx: NotifyContext, alerts: readonly Alert[], firing: boolean): Promise<FoundIssue | undefined> {
    const c = this.#c;
    const { text } = expander('jira', this.#tmpl, ctx, alerts);
    let jql = '';
    if (c.wont_fix_resolution) jql += `(resolution is EMPTY or resolution != ${JSON.stringify(c.wont_fix_resolution)}) and `;
    const reopenMinutes = Math.floor((c.reopen_duration ?? 0) / 60_000);
    if (firing && c.reopen_transition && reopenMinutes > 0) jql += `(resolutiondate is EMPTY OR resolutiondate >= -${reopenMinutes}m) and `;
    else jql += 'statusCategory != Done and ';
    jql += `project=${JSON.stringify(text(c.project))} and labels=${JSON.stringify(`ALERT{${groupKeyHash(ctx.groupKey)}}`)} order by status ASC,resolutiondate DESC`;
    const answer = await this.#call('POST', 'search', { jql, maxResults: 2, fields: ['status'] }, ctx.signal);
    try {
      return ((JSON.parse(answer) as { issues?: FoundIssue[] }).issues ?? [])[0];
    } catch {
      throw new NotifyError('jira: search answered with something that is not JSON', false, 'other');
    }
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const firing = groupStatus(alerts, ctx.nowMs) === 'firing';
    const existing = await this.#search(ctx, alerts, firing);
    if (existing === undefined && !firing) return;
    const fields = this.issueFields(ctx, alerts);
    if (existing === undefined) await this.#call('POST', 'issue', { fields }, ctx.signal);
    else await this.#call('PUT', `issue/${existing.key}`, { fields }, ctx.signal);
    if (existing === undefined) return;
    const done = existing.fields?.status?.statusCategory?.key === 'done';
    const transition = firing ? (done ? this.#c.reopen_transition : undefined) : done ? undefined : this.#c.resolve_transition;
    if (!transition) return;
    const list = JSON.parse(await this.#call('GET', `issue/${existing.key}/transitions`, undefined, ctx.signal)) as { transitions?: { id: string; name: string }[] };
    const id = (list.transitions ?? []).find((t) => t.name === transition)?.id;
    if (id === undefined) throw new NotifyError(`jira: can't find transition ${transition} for issue ${existing.key}`, false, 'other');
    await this.#call('POST', `issue/${existing.key}/transitions`, { transition: { id } }, ctx.signal);
  }
}
