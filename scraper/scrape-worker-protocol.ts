// The messages between the scrape workers' facade (scrape-workers.ts, main thread) and a worker
// (scrape-worker-thread.ts), and the cloneable form of a job's options: relabel rules hold
// compiled regexes (class instances, lost by structured clone), so they travel as their source
// and are compiled again in the worker, as the config reader compiled them.
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import type { RelabelConfig } from '../model/relabel.ts';
import { GoRegexp } from '../model/go-regexp.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import type { TargetHealth } from './scrape-loop.ts';

type PortableRelabelConfig = Omit<RelabelConfig, 'regex'> & { regex: string };

export type PortableJobOptions = Omit<JobScrapeOptions, 'relabelConfigs' | 'metricRelabelConfigs' | 'onDroppedSeries'> & {
  relabelConfigs: PortableRelabelConfig[];
  metricRelabelConfigs: PortableRelabelConfig[];
};

const portableRule = (r: RelabelConfig): PortableRelabelConfig => ({ ...r, regex: r.regex.source });
// Every relabel regex is compiled anchored (relabel.ts: validateRelabelConfig), source as written.
const compiledRule = (r: PortableRelabelConfig): RelabelConfig => ({ ...r, regex: GoRegexp.anchored(r.regex) });

export function portableJobOptions(job: JobScrapeOptions): PortableJobOptions {
  // Only the fields of JobScrapeOptions: a ScrapeConfig's discovery sections are not the loops' business.
  const { onDroppedSeries: _fn, relabelConfigs, metricRelabelConfigs, ...rest } = job;
  const { staticConfigs: _s, fileSdConfigs: _f, httpSdConfigs: _h, ...plain } = rest as typeof rest & Record<string, unknown>;
  return { ...(plain as typeof rest), relabelConfigs: relabelConfigs.map(portableRule), metricRelabelConfigs: metricRelabelConfigs.map(portableRule) };
}

export function jobOptionsFromPortable(job: PortableJobOptions): JobScrapeOptions {
  return { ...job, relabelConfigs: job.relabelConfigs.map(compiledRule), metricRelabelConfigs: job.metricRelabelConfigs.map(compiledRule) };
}

/** Main thread to worker. `seq` numbers the operations on one target, echoed in its state reports. */
export type ToWorker =
  | { op: 'job'; name: string; options: PortableJobOptions | null }
  | { op: 'window'; seq: number; target: ScrapeTarget; fromMs: number; untilMs: number }
  | { op: 'reload'; seq: number; target: ScrapeTarget; fromMs: number; untilMs: number }
  | { op: 'stop'; seq: number; id: string; staleMarkers: boolean; request: number }
  | { op: 'idle'; id: string; request: number }
  | { op: 'stopAll'; request: number }
  | { op: 'metrics'; request: number };

/** What the worker knows of one target's current loop, after the operation numbered seq. */
export interface TargetState {
  id: string;
  seq: number;
  /** false: no loop (never started, stopped, or ended and dropped). */
  exists: boolean;
  ended: boolean;
  fromMs: number;
  untilMs: number;
  health?: TargetHealth;
}

/** One finished Kafka message: value is bytes [offset, offset+length) of a transferred buffer. */
export interface SentMessage {
  key: string;
  value: ArrayBuffer;
  offset: number;
  length: number;
  target: string;
  samples: number;
}

/** Worker to main thread, in batches (one postMessage per turn of the worker's event loop). */
export type FromWorker =
  | { op: 'batch'; messages: SentMessage[]; states: TargetState[] }
  | { op: 'reply'; request: number; value?: unknown };

/** The worker's start data. */
export interface WorkerData {
  index: number;
  nodeId: string;
  /** The node's log level (pino's). */
  logLevel: string;
  maxMessageBytes?: number;
  externalLabels?: Record<string, string>;
}
