// The alerts the notifier knows (Alertmanager's provider/mem): one per fingerprint, merged as
// updates arrive from Kafka records or the API, resolved ones dropped by the periodic GC once no
// aggregation group needs them any more. Listeners (the dispatcher) hear every update.
import { isResolved, mergeAlert, type Alert } from './alert.ts';
import type { Obligation } from './obligation.ts';

export type AlertListener = (alert: Alert, obligation: Obligation | undefined) => void;

export class AlertStore {
  readonly #alerts = new Map<string, Alert>();
  readonly #listeners = new Set<AlertListener>();

  /** Merges an update in and tells the listeners; the obligation (from a Kafka record) travels with it. */
  put(alert: Alert, obligation?: Obligation): Alert {
    const merged = mergeAlert(this.#alerts.get(alert.fingerprint), alert);
    this.#alerts.set(alert.fingerprint, merged);
    for (const l of this.#listeners) l(merged, obligation);
    return merged;
  }

  get(fingerprint: string): Alert | undefined {
    return this.#alerts.get(fingerprint);
  }

  all(): Alert[] {
    return [...this.#alerts.values()];
  }

  get size(): number {
    return this.#alerts.size;
  }

  subscribe(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops resolved alerts (mem.Alerts.gc); returns how many went. */
  gc(nowMs: number): number {
    let n = 0;
    for (const [fp, a] of this.#alerts) {
      if (isResolved(a, nowMs)) {
        this.#alerts.delete(fp);
        n++;
      }
    }
    return n;
  }
}
