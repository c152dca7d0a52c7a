// When a store rejects one message (one scrape), finds the series it refused and sends the rest:
// receivers such as Prometheus reject a whole request for one bad sample (out of order, duplicate,
// out of bounds) and store none of it. Only this path decodes a message; accepted ones never are.
//
// If the store's answer names the series (Prometheus 3, Mimir and others quote the label set), those
// series are dropped at once; otherwise the message's series are bisected: each half is sent on its
// own, an accepted half is stored, a rejected one is halved again, down to single series, which are
// dropped. k bad series among n cost about 2·k·log2(n) requests; maxRequests bounds it per message,
// and what is still undecided when it runs out is dropped whole (counted, with the last reason).
import type { DecodedLabel, WriteRequestEntry } from '../protocol/remote-write-codec.ts';
import { joinWriteRequestEntries, scanWriteRequest } from '../protocol/remote-write-codec.ts';
import { readSampleMessage } from '../protocol/sample-message.ts';
import { snappyCompress, snappyDecompress } from '../protocol/snappy.ts';
import { RejectedWriteError, type DropReason } from './remote-write-client.ts';

/** Sends one body; 'sent' once stored, 'closed' if the queue closed meanwhile, else the rejection. */
export type Attempt = (body: Buffer, samples: number) => Promise<'sent' | 'closed' | RejectedWriteError>;

export interface RepairOutcome {
  /** Samples stored by the requests of the repair. */
  sentSamples: number;
  /** Samples dropped, by reason. */
  dropped: Map<DropReason, number>;
  /** Store requests the repair made (the first, failed one not included). */
  requests: number;
  /** How the offending series were found. */
  method: 'named' | 'bisected' | 'undecodable';
  /** The queue closed during the repair: nothing more may be sent or committed. */
  closed: boolean;
}

/** Default bound on the requests one rejected message may cost. */
export const DEFAULT_MAX_REPAIR_REQUESTS = 48;

class Closed extends Error {}

/**
 * Repairs one rejected message value. `rejection` is the store's answer to the whole message;
 * `attempt` posts a sub-request (retrying recoverable failures itself).
 */
export async function repairRejectedMessage(value: Uint8Array, rejection: RejectedWriteError, attempt: Attempt, maxRequests: number = DEFAULT_MAX_REPAIR_REQUESTS): Promise<RepairOutcome> {
  const outcome: RepairOutcome = { sentSamples: 0, dropped: new Map(), requests: 0, method: 'bisected', closed: false };
  const drop = (reason: DropReason, samples: number): void => {
    if (samples > 0) outcome.dropped.set(reason, (outcome.dropped.get(reason) ?? 0) + samples);
  };
  let raw: Uint8Array;
  let entries: WriteRequestEntry[];
  try {
    const header = readSampleMessage(value);
    raw = snappyDecompress(value.subarray(header.blockOffset));
    entries = scanWriteRequest(raw);
  } catch {
    outcome.method = 'undecodable';
    drop(rejection.reason, readSampleMessage(value).sampleCount);
    return outcome;
  }
  const samplesOf = (list: readonly WriteRequestEntry[]): number => list.reduce((n, e) => n + e.samples.length, 0);

  // Sends `list` (unless `rejected` says it was refused already) and narrows down what fails.
  const settle = async (list: readonly WriteRequestEntry[], rejected: RejectedWriteError | undefined, parentReason: DropReason): Promise<void> => {
    if (list.length === 0) return;
    let err = rejected;
    if (err === undefined) {
      if (outcome.requests >= maxRequests) {
        drop(parentReason, samplesOf(list));
        return;
      }
      outcome.requests++;
      const samples = samplesOf(list);
      const body = Buffer.from(snappyCompress(joinWriteRequestEntries(raw, list)));
      const r = await attempt(body, samples);
      if (r === 'closed') throw new Closed();
      if (r === 'sent') {
        outcome.sentSamples += samples;
        return;
      }
      err = r;
    }
    if (list.length === 1) {
      drop(err.reason, samplesOf(list));
      return;
    }
    const named = list.filter((e) => namesSeries(err.message, e.labels));
    if (named.length > 0 && named.length < list.length) {
      outcome.method = 'named';
      drop(err.reason, samplesOf(named));
      await settle(
        list.filter((e) => !named.includes(e)),
        undefined,
        err.reason,
      );
      return;
    }
    if (named.length === list.length) {
      drop(err.reason, samplesOf(list));
      return;
    }
    const mid = list.length >> 1;
    await settle(list.slice(0, mid), undefined, err.reason);
    await settle(list.slice(mid), undefined, err.reason);
  };

  try {
    await settle(entries, rejection, rejection.reason);
  } catch (err) {
    if (!(err instanceof Closed)) throw err;
    outcome.closed = true;
  }
  return outcome;
}

/**
 * True if a store's error message quotes this label set: Prometheus 2 style `{__name__="x", a="b"}`,
 * Prometheus 3 style `x{a="b"}`, with or without the space after the commas.
 */
export function namesSeries(message: string, labels: readonly DecodedLabel[]): boolean {
  if (labels.length === 0 || !message.includes('{')) return false;
  const quoted = labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  const forms: string[] = [];
  for (const sep of [', ', ',']) {
    forms.push(`{${quoted.join(sep)}}`);
    const nameAt = labels.findIndex((l) => l.name === '__name__');
    if (nameAt >= 0) {
      const rest = quoted.filter((_, i) => i !== nameAt);
      forms.push(`${(labels[nameAt] as DecodedLabel).value}{${rest.join(sep)}}`);
    }
  }
  return forms.some((f) => message.includes(f));
}
