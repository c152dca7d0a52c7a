// What the HTTP integrations share: a JSON POST classified by notify.Retrier's rules, secrets read
// from *_file fields at send time, template expansion that fails the notification for good (a
// template that does not execute will not execute on a retry either), and group-key hashes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Alert } from '../alert.ts';
import { notificationData, type AlertmanagerTemplate, type Data } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { asNotifyError, checkHttpStatus, NotifyError, type NotifyContext } from './integration.ts';

/** A POST classified by notify.Retrier's rules: its answer's body, or a NotifyError. */
async function post(kind: string, url: string, body: string, headers: Record<string, string>, http: HttpClient, signal: AbortSignal): Promise<string> {
  try {
    const res = await request(url, { method: 'POST', dispatcher: http.dispatcher, headers: { ...http.headers(), 'User-Agent': 'Alertmanager/0.28.1', ...headers }, body, signal });
    const text = await res.body.text();
    checkHttpStatus(kind, res.statusCode, text);
    return text;
  } catch (err) {
    throw asNotifyError(err, signal);
  }
}

export function postJson(kind: string, url: string, body: unknown, http: HttpClient, signal: AbortSignal, extraHeaders: Record<string, string> = {}): Promise<string> {
  return post(kind, url, `${JSON.stringify(body)}\n`, { ...extraHeaders, 'Content-Type': 'application/json' }, http, signal);
}

/** A POST of a form body with the given headers (SNS's query API, signed by the caller). */
export function postForm(kind: string, url: string, body: string, headers: Record<string, string>, http: HttpClient, signal: AbortSignal): Promise<string> {
  return post(kind, url, body, headers, http, signal);
}

/** An inline secret, or the trimmed content of its file. */
export function secretValue(kind: string, field: string, inline: string | undefined, file: string | undefined): string {
  if (inline !== undefined && inline !== '') return inline;
  if (file === undefined || file === '') return '';
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new NotifyError(`${kind}: cannot read ${field}: ${(err as Error).message}`, false, 'other');
  }
}

/** Key.Hash(): sha256 of the group key, the dedup key PagerDuty and OpsGenie see. */
export function groupKeyHash(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/** notify.TruncateInRunes. */
export function truncateRunes(s: string, n: number): string {
  const runes = [...s];
  return runes.length <= n ? s : `${runes.slice(0, n - 1).join('')}…`;
}

/** The template data of one notification and a text expander over it (notify.TmplText). */
export function expander(kind: string, tmpl: AlertmanagerTemplate, ctx: NotifyContext, alerts: readonly Alert[]): { data: Data; text: (t: string | undefined) => string } {
  const data = notificationData(tmpl, ctx.receiver, ctx.groupLabels, alerts, ctx.nowMs);
  return {
    data,
    text: (t) => {
      if (t === undefined || t === '') return '';
      try {
        return tmpl.executeTextString(t, data);
      } catch (err) {
        throw new NotifyError(`${kind}: template: ${(err as Error).message}`, false, 'other');
      }
    },
  };
}

export const groupStatus = (alerts: readonly Alert[], nowMs: number): 'firing' | 'resolved' =>
  alerts.some((a) => a.endsAtMs === 0 || a.endsAtMs > nowMs) ? 'firing' : 'resolved';
