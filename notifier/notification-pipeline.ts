// The notification pipeline (notify.go) for one flush of one aggregation group:
// inhibit → active/mute time intervals → silences → for each integration of the receiver, in
// parallel and independently: dedup against the notification log → send with retries and
// exponential backoff until the flush deadline → log the notification. One integration that is
// down never delays another, nor another group (every group flushes on its own timer).
import type { Logger } from '../core/logger.ts';
import { isResolved, type Alert } from './alert.ts';
import type { FlushOutcome } from './aggregation-group.ts';
import type { LoadedAlertmanagerConfig } from './alertmanager-file.ts';
import { alertHashSets, needsUpdate, notificationLogEntry, type NflogReceiver } from './dedup.ts';
import { Inhibitor } from './inhibitor.ts';
import { NotifyError, type Integration, type NotifyContext } from './integrations/integration.ts';
import type { LabelSet } from './labels.ts';
import type { NotificationHistory, NotificationOutcome } from './notification-history.ts';
import type { NotificationLog } from './notification-log.ts';
import type { NotifierMetrics } from './notifier-metrics.ts';
import type { Route } from './route.ts';
import type { SilenceStore } from './silence-store.ts';
import { activeIntervalNames } from './time-interval.ts';

export interface PipelineDeps {
  readonly allAlerts: () => readonly Alert[];
  readonly silences: SilenceStore;
  readonly nflog: NotificationLog;
  readonly metrics: NotifierMetrics;
  readonly logger: Logger;
  readonly externalUrl: string;
  readonly retentionMs: number;
  readonly now: () => number;
  /** Whether this replica sends the group's notifications (group-ownership.ts); all when absent. */
  readonly owns?: (groupKey: string, nowMs: number) => boolean;
  /** Where each attempted notification is recorded (the status page's "last notifications"). */
  readonly history?: NotificationHistory;
  /** Retry backoff: first delay and cap (Alertmanager: 500 ms growing ×1.5 up to 1 min). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface FlushRequest {
  readonly config: LoadedAlertmanagerConfig;
  readonly route: Route;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly alerts: readonly Alert[];
}

type IntegrationOutcome = 'sent' | 'skipped' | 'failed-for-good' | 'failed-retryable';

export class NotificationPipeline {
  readonly #deps: PipelineDeps;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /** The alerts that survive inhibition, then silences (the MuteStages, in notify.go's order). */
  unmuted(config: LoadedAlertmanagerConfig, alerts: readonly Alert[], nowMs: number): Alert[] {
    const inhibitor = new Inhibitor(config.inhibitRules, this.#deps.allAlerts(), nowMs);
    const notInhibited = alerts.filter((a) => !inhibitor.isInhibited(a.labels));
    const unsilenced = notInhibited.filter((a) => this.#deps.silences.mutedBy(a.labels, nowMs).length === 0);
    const suppressed = this.#deps.metrics.notificationsSuppressed;
    if (notInhibited.length < alerts.length) suppressed.labels('inhibition').inc(alerts.length - notInhibited.length);
    if (unsilenced.length < notInhibited.length) suppressed.labels('silence').inc(notInhibited.length - unsilenced.length);
    return unsilenced;
  }

  /** TimeActiveStage and TimeMuteStage: why the route is muted right now, if it is. */
  mutedByTime(config: LoadedAlertmanagerConfig, route: Route, nowMs: number): 'active_time_interval' | 'mute_time_interval' | undefined {
    const active = route.opts.activeTimeIntervals;
    if (active.length > 0 && activeIntervalNames(active, config.timeIntervals, nowMs).length === 0) return 'active_time_interval';
    return activeIntervalNames(route.opts.muteTimeIntervals, config.timeIntervals, nowMs).length > 0 ? 'mute_time_interval' : undefined;
  }

  async flush(req: FlushRequest): Promise<FlushOutcome> {
    const nowMs = this.#deps.now();
    const log = this.#deps.logger.child({ groupKey: req.groupKey, receiver: req.route.opts.receiver });
    if (this.#deps.owns !== undefined && !this.#deps.owns(req.groupKey, nowMs)) {
      // Another replica notifies. This one keeps resolved alerts for two group intervals, so that
      // if ownership moves here meanwhile (the owner died) the resolution is still sent.
      const recentlyResolved = req.alerts.some((a) => isResolved(a, nowMs) && a.endsAtMs > nowMs - 2 * req.route.opts.groupIntervalMs);
      return { ok: !recentlyResolved, settled: true };
    }
    const mutedBy = this.mutedByTime(req.config, req.route, nowMs);
    if (mutedBy !== undefined) {
      this.#deps.metrics.notificationsSuppressed.labels(mutedBy).inc(req.alerts.length);
      log.debug({ reason: mutedBy }, 'notification muted by a time interval');
      return { ok: true, settled: true };
    }
    const alerts = this.unmuted(req.config, req.alerts, nowMs);
    if (alerts.length === 0) return { ok: true, settled: true };
    const receiver = req.config.receivers.get(req.route.opts.receiver);
    if (receiver === undefined || receiver.integrations.length === 0) return { ok: true, settled: true };
    const deadline = nowMs + req.route.opts.groupIntervalMs;
    const outcomes = await Promise.all(receiver.integrations.map((i) => this.#notifyIntegration(req, receiver.name, i, alerts, nowMs, deadline, log)));
    return {
      ok: outcomes.every((o) => o === 'sent' || o === 'skipped'),
      settled: outcomes.every((o) => o !== 'failed-retryable'),
    };
  }

  async #notifyIntegration(req: FlushRequest, receiverName: string, integration: Integration, alerts: readonly Alert[], nowMs: number, deadlineMs: number, log: Logger): Promise<IntegrationOutcome> {
    const d = this.#deps;
    const nflogReceiver: NflogReceiver = { groupName: receiverName, integration: integration.kind, index: integration.index };
    const { firing, resolved } = alertHashSets(alerts, nowMs);
    const entry = d.nflog.get(req.groupKey, nflogReceiver, nowMs);
    if (!needsUpdate(entry, firing, resolved, req.route.opts.repeatIntervalMs, nowMs, integration.sendResolved)) return 'skipped';

    const toSend = integration.sendResolved ? alerts : alerts.filter((a) => !isResolved(a, nowMs));
    const ilog = log.child({ integration: `${integration.kind}[${integration.index}]` });
    if (toSend.length > 0) {
      d.metrics.notifications.labels(integration.kind).inc();
      const outcome = await this.#sendWithRetries(req, receiverName, integration, toSend, nowMs, deadlineMs, ilog);
      if (outcome !== 'sent') return outcome;
    }
    try {
      await d.nflog.log(
        notificationLogEntry({ groupKey: req.groupKey, receiver: nflogReceiver, firing, resolved, nowMs: d.now(), repeatIntervalMs: req.route.opts.repeatIntervalMs, retentionMs: d.retentionMs }),
      );
    } catch (err) {
      // Delivered but not logged: a later flush may notify again (at least once, never lost).
      ilog.error({ err: (err as Error).message }, 'writing the notification log failed');
    }
    return 'sent';
  }

  async #sendWithRetries(req: FlushRequest, receiverName: string, integration: Integration, alerts: readonly Alert[], nowMs: number, deadlineMs: number, log: Logger): Promise<IntegrationOutcome> {
    const d = this.#deps;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadlineMs - d.now()));
    let backoff = d.minBackoffMs ?? 500;
    const maxBackoff = d.maxBackoffMs ?? 60_000;
    let attempt = 0;
    const record = (outcome: NotificationOutcome, reason?: NotifyError['reason']): void =>
      d.history?.record({
        atMs: d.now(),
        receiver: receiverName,
        integration: `${integration.kind}[${integration.index}]`,
        groupKey: req.groupKey,
        groupLabels: req.groupLabels,
        status: alerts.some((a) => !isResolved(a, nowMs)) ? 'firing' : 'resolved',
        alerts: alerts.length,
        attempts: attempt,
        outcome,
        ...(reason !== undefined ? { reason } : {}),
      });
    try {
      for (;;) {
        attempt++;
        const ctx: NotifyContext = { receiver: receiverName, groupKey: req.groupKey, groupLabels: req.groupLabels, externalUrl: d.externalUrl, nowMs, signal: controller.signal };
        const started = performance.now();
        d.metrics.notificationRequests.labels(integration.kind).inc();
        let failure: NotifyError;
        try {
          await integration.notify(ctx, alerts);
          d.metrics.notificationLatency.labels(integration.kind).observe((performance.now() - started) / 1000);
          log.info({ alerts: alerts.length, attempts: attempt }, 'notification sent');
          record('sent');
          return 'sent';
        } catch (err) {
          failure = err instanceof NotifyError ? err : new NotifyError((err as Error).message, false, 'other');
        }
        d.metrics.notificationLatency.labels(integration.kind).observe((performance.now() - started) / 1000);
        d.metrics.notificationRequestsFailed.labels(integration.kind).inc();
        const waitMs = Math.min(backoff, maxBackoff);
        const outOfTime = controller.signal.aborted || d.now() + waitMs >= deadlineMs;
        if (!failure.retryable || outOfTime) {
          const reason = outOfTime && failure.retryable ? 'contextDeadlineExceededError' : failure.reason;
          // A request cut off by the flush deadline (a receiver that hangs) is not delivered: it
          // keeps its record unsettled like any retryable failure, or a crash would lose it.
          const retryable = failure.retryable || failure.reason === 'contextDeadlineExceededError';
          d.metrics.notificationsFailed.labels(integration.kind, reason).inc();
          d.metrics.receiverFailures.labels(receiverName, integration.kind, reason).inc();
          log.warn({ err: failure.message, reason, attempts: attempt, retryable }, 'notification failed');
          record(retryable ? 'will-retry' : 'failed', reason);
          return retryable ? 'failed-retryable' : 'failed-for-good';
        }
        log.debug({ err: failure.message, attempt, retryInMs: waitMs }, 'notify attempt failed; retrying');
        await new Promise((r) => setTimeout(r, waitMs));
        backoff = Math.min(backoff * 1.5, maxBackoff);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
