// One integration of a receiver (notify.Integration): a webhook, an email address, ... It sends
// one group's alerts; a failure says whether trying again can help (notify.Retrier's verdict)
// and gives the reason label Alertmanager's alertmanager_notifications_failed_total uses.
import type { Alert } from '../alert.ts';
import type { LabelSet } from '../labels.ts';

export interface NotifyContext {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly externalUrl: string;
  readonly nowMs: number;
  /** Aborted when the flush's deadline (the group interval) passes. */
  readonly signal: AbortSignal;
}

export interface Integration {
  /** "webhook", "email", ... (the integration label and the nflog receiver's integration). */
  readonly kind: string;
  /** Position among the receiver's integrations of this kind. */
  readonly index: number;
  readonly sendResolved: boolean;
  notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void>;
}

export type FailureReason = 'clientError' | 'serverError' | 'contextCanceledError' | 'contextDeadlineExceededError' | 'other';

export class NotifyError extends Error {
  readonly retryable: boolean;
  readonly reason: FailureReason;
  constructor(message: string, retryable: boolean, reason: FailureReason) {
    super(message);
    this.name = 'NotifyError';
    this.retryable = retryable;
    this.reason = reason;
  }
}

/** notify.Retrier.Check: 5xx and 429 are worth retrying, other 4xx are not. */
export function checkHttpStatus(integration: string, status: number, body: string): void {
  if (status >= 200 && status < 300) return;
  const detail = body.length > 0 ? `: ${body.slice(0, 512)}` : '';
  if (status >= 500 || status === 429) throw new NotifyError(`${integration}: unexpected status code ${status}${detail}`, true, 'serverError');
  throw new NotifyError(`${integration}: unexpected status code ${status}${detail}`, false, 'clientError');
}

/** A thrown network error (connection refused, reset, timeout) as a retryable failure. */
export function asNotifyError(err: unknown, signal: AbortSignal): NotifyError {
  if (err instanceof NotifyError) return err;
  if (signal.aborted) return new NotifyError('notification deadline exceeded', false, 'contextDeadlineExceededError');
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return new NotifyError(cause !== undefined ? `${e.message} (${cause})` : e.message, true, 'other');
}
