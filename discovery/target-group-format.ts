// The target group list that file_sd files and http_sd endpoints serve, as Prometheus'
// targetgroup.Group reads it: [{"targets": ["host:port", ...], "labels": {"name": "value"}}].
import type { TargetGroup } from './target-group.ts';
import { isValidLabelName } from '../model/labels.ts';


export interface GroupFormatOptions {
  /** Reject unknown fields in a group (Prometheus does for YAML, not for JSON). */
  strict: boolean;
  /** Source prefix: group i gets source `${sourcePrefix}:${i}`. */
  sourcePrefix: string;
  /** Meta labels added to every group (e.g. __meta_filepath). */
  metaLabels: Record<string, string>;
}

/** Validates a decoded document; every error names the group and field that is wrong. */
export function readTargetGroups(doc: unknown, opts: GroupFormatOptions): TargetGroup[] {
  // An empty YAML document is an empty list, as in Prometheus.
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new Error(`expected a list of target groups, got ${describe(doc)}`);
  return doc.map((item, i) => readGroup(item, i, opts));
}

function readGroup(item: unknown, i: number, opts: GroupFormatOptions): TargetGroup {
  const where = `group ${i}`;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new Error(`${where}: expected a mapping with targets and labels, got ${describe(item)}`);
  const obj = item as Record<string, unknown>;
  if (opts.strict) {
    for (const key of Object.keys(obj)) {
      if (key !== 'targets' && key !== 'labels') throw new Error(`${where}: unknown field "${key}" (allowed: targets, labels)`);
    }
  }
  const targets: string[] = [];
  if (obj.targets !== undefined && obj.targets !== null) {
    if (!Array.isArray(obj.targets)) throw new Error(`${where}.targets: expected a list of strings, got ${describe(obj.targets)}`);
    obj.targets.forEach((t, j) => {
      if (typeof t !== 'string') throw new Error(`${where}.targets[${j}]: expected a string, got ${describe(t)}`);
      targets.push(t);
    });
  }
  const labels: Record<string, string> = {};
  if (obj.labels !== undefined && obj.labels !== null) {
    if (typeof obj.labels !== 'object' || Array.isArray(obj.labels)) throw new Error(`${where}.labels: expected a mapping, got ${describe(obj.labels)}`);
    for (const [name, value] of Object.entries(obj.labels as Record<string, unknown>)) {
      if (!isValidLabelName(name)) throw new Error(`${where}.labels: "${name}" is not a valid label name`);
      if (typeof value !== 'string') throw new Error(`${where}.labels.${name}: expected a string, got ${describe(value)}`);
      labels[name] = value;
    }
  }
  return { targets, labels: { ...labels, ...opts.metaLabels }, source: `${opts.sourcePrefix}:${i}` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
