// One aggregation group (dispatch.go aggrGroup): the alerts of one route with the same group labels,
// flushed together. The first flush waits group_wait (or happens at once for an alert that started
// longer ago than that), later ones come every group_interval; whether a flush notifies anything is
// the pipeline's decision (dedup against the notification log, repeat_interval).
//
// Kafka offsets: each alert update from a record may carry an Obligation share. The shares waiting
// at the start of a flush are released when that flush has delivered (or definitively failed) all
// its notifications; a retryable failure keeps them for the next flush, so a crash before delivery
// replays the record from Kafka instead of losing the notification.
import { isResolved, type Alert } from './alert.ts';
import type { LabelSet } from './labels.ts';
import type { Obligation } from './obligation.ts';
import type { Route } from './route.ts';

/** What a flush reports: `settled` = every integration delivered or failed for good. */
export interface FlushOutcome {
  readonly ok: boolean;
  readonly settled: boolean;
}

export type FlushFunction = (group: AggregationGroup, alerts: readonly Alert[]) => Promise<FlushOutcome>;

// types.AlertSlice's order: job, then instance, then start time, then fingerprint.
function compareAlerts(a: Alert, b: Alert): number {
  for (const key of ['job', 'instance']) {
    const x = a.labels[key];
    const y = b.labels[key];
    if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
  }
  if (a.startsAtMs !== b.startsAtMs) return a.startsAtMs - b.startsAtMs;
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}

export class AggregationGroup {
  readonly route: Route;
  readonly groupKey: string;
  readonly labels: LabelSet;
  readonly #alerts = new Map<string, Alert>();
  readonly #flush: FlushFunction;
  readonly #onEmpty: (group: AggregationGroup) => void;
  readonly #now: () => number;
  #hasFlushed = false;
  #timer: NodeJS.Timeout | undefined;
  #nextFlushAtMs: number;
  #flushing = false;
  #flushAgain = false;
  #stopped = false;
  /** Obligation shares waiting for the next flush to settle. */
  #waiting: (() => void)[] = [];
  /** The status of each alert at the last settled flush: a repeat of it owes nothing new. */
  readonly #settledStatus = new Map<string, 'firing' | 'resolved'>();

  constructor(route: Route, groupKey: string, labels: LabelSet, flush: FlushFunction, onEmpty: (g: AggregationGroup) => void, now: () => number = Date.now) {
    this.route = route;
    this.groupKey = groupKey;
    this.labels = labels;
    this.#flush = flush;
    this.#onEmpty = onEmpty;
    this.#now = now;
    this.#nextFlushAtMs = now() + route.opts.groupWaitMs;
    this.#schedule(route.opts.groupWaitMs);
  }

  alerts(): Alert[] {
    return [...this.#alerts.values()].sort(compareAlerts);
  }

  get empty(): boolean {
    return this.#alerts.size === 0;
  }

  insert(alert: Alert, obligation?: Obligation): void {
    if (this.#stopped) return;
    const now = this.#now();
    this.#alerts.set(alert.fingerprint, alert);
    if (obligation !== undefined) {
      const status = isResolved(alert, now) ? 'resolved' : 'firing';
      if (this.#settledStatus.get(alert.fingerprint) !== status) this.#waiting.push(obligation.hold());
    }
    // An alert that started long ago need not wait: flush at once (dispatch.go insert).
    if (!this.#hasFlushed && alert.startsAtMs + this.route.opts.groupWaitMs < now) this.#schedule(0);
  }

  /** Hands over the shares still waiting (a reload moves them to the new groups). */
  stop(): (() => void)[] {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const waiting = this.#waiting;
    this.#waiting = [];
    return waiting;
  }

  get nextFlushAtMs(): number {
    return this.#nextFlushAtMs;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#nextFlushAtMs = this.#now() + delayMs;
    this.#timer = setTimeout(() => this.#onTimer(), delayMs);
  }

  #onTimer(): void {
    if (this.#stopped) return;
    this.#hasFlushed = true;
    this.#schedule(this.route.opts.groupIntervalMs);
    if (this.#flushing) {
      // The previous flush is still retrying: flush again as soon as it ends, as Go's loop would.
      this.#flushAgain = true;
      return;
    }
    void this.#runFlush();
  }

  async #runFlush(): Promise<void> {
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        if (this.#alerts.size === 0) break;
        const snapshot = this.alerts();
        const shares = this.#waiting;
        this.#waiting = [];
        const outcome = await this.#flush(this, snapshot);
        const now = this.#now();
        if (outcome.settled) {
          for (const a of snapshot) this.#settledStatus.set(a.fingerprint, isResolved(a, now) ? 'resolved' : 'firing');
          for (const release of shares) release();
        } else {
          this.#waiting.unshift(...shares);
        }
        if (outcome.ok) {
          // DeleteIfNotModified: resolved alerts that were notified and not updated since go.
          for (const a of snapshot) {
            if (isResolved(a, now) && this.#alerts.get(a.fingerprint) === a) {
              this.#alerts.delete(a.fingerprint);
              this.#settledStatus.delete(a.fingerprint);
            }
          }
        }
      } while (this.#flushAgain && !this.#stopped);
    } finally {
      this.#flushing = false;
    }
    if (this.#alerts.size === 0 && !this.#stopped) {
      for (const release of this.stop()) release();
      this.#onEmpty(this);
    }
  }
}
