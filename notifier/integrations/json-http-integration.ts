// What the HTTP integrations that POST one JSON document per notification have in common: their
// settings, the HTTP client of their http_config, the templates, and the send itself
// (postJson, classified by notify.Retrier's rules). Each integration says only what it sends
// where (`request`) and, if the receiver answers "ok: false" in a 2xx, how to read that
// (`checkAnswer`).
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate, Data } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { expander, postJson } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

export interface JsonRequest {
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** An integration's settings, its HTTP client and the templates (every HTTP integration's fields). */
export abstract class HttpIntegration<C extends { readonly send_resolved?: unknown }> implements Integration {
  abstract readonly kind: string;
  readonly index: number;
  readonly sendResolved: boolean;
  protected readonly config: C;
  protected readonly http: HttpClient;
  protected readonly tmpl: AlertmanagerTemplate;

  constructor(config: C, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.config = config;
    this.index = index;
    this.sendResolved = config.send_resolved === true;
    this.http = http;
    this.tmpl = tmpl;
  }

  /** The template data of this notification and a text expander over it. */
  protected expand(ctx: NotifyContext, alerts: readonly Alert[]): { data: Data; text: (t: string | undefined) => string } {
    return expander(this.kind, this.tmpl, ctx, alerts);
  }

  abstract notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void>;
}

/** One JSON POST per notification. */
export abstract class JsonHttpIntegration<C extends { readonly send_resolved?: unknown }> extends HttpIntegration<C> {
  /** Where and what to POST for this notification. */
  abstract request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest;

  /** Reads the body of a 2xx answer; throws a NotifyError when it reports a failure. */
  protected checkAnswer(_answer: string): void {}

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const r = this.request(ctx, alerts);
    const answer = await postJson(this.kind, r.url, r.body, this.http, ctx.signal, r.headers);
    this.checkAnswer(answer);
  }
}
