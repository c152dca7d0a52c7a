import { isValidLabelName } from '../model/labels.ts';
import { redactUrl } from '../core/logger.ts';
import { DEFAULT_REGISTRATION_POLICY, registrationRefusal, type RegistrationPolicy } from '../discovery/registered.ts';
// Validation of the API's target registration and removal requests; every error says which field
// is wrong and why, for a 400 (malformed) or a 403 (refused by api.registration).
export const MAX_TARGETS_PER_REQUEST = 1000;
export const MAX_LABELS_PER_REQUEST = 64;
const MAX_LABEL_VALUE_LENGTH = 4096;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:\s/[\]@?#]+):(\d{1,5})$/;

export type { RegistrationPolicy };

/** A request the API answers with this status (400 malformed, 403 not allowed) and this message. */
export class RequestError extends Error {
  readonly status: 400 | 403;
  constructor(message: string, status: 400 | 403 = 400) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
  }
}


export interface Registration {
  job: string;
  targets: string[];
  labels: Record<string, string>;
}

export interface Removal {
  job: string;
  targets: string[];
}

/** POST /api/v1/targets: {job, targets: ["host:port", ...], labels?: {...}}, checked against the policy. */
export function readRegistration(body: unknown, knownJobs: ReadonlySet<string>, policy: RegistrationPolicy = DEFAULT_REGISTRATION_POLICY): Registration {
  const obj = readBodyObject(body, ['job', 'targets', 'labels']);
  const registration = { job: readJob(obj.job, knownJobs), targets: readTargets(obj.targets), labels: readLabels(obj.labels) };
  const refusal = registrationRefusal(registration.job, registration.targets, registration.labels, policy);
  if (refusal !== undefined) throw new RequestError(refusal.message, refusal.status);
  return registration;
}


/** DELETE /api/v1/targets: ?job=J&target=a:1&target=b:2, or a JSON body {job, targets}. */
export function readRemoval(query: { job: string | undefined; targets: string[] }, body: unknown, knownJobs: ReadonlySet<string>): Removal {
  if (query.job !== undefined || query.targets.length > 0) {
    return { job: readJob(query.job, knownJobs), targets: readTargets(query.targets, 'target') };
  }
  const obj = readBodyObject(body, ['job', 'targets']);
  return { job: readJob(obj.job, knownJobs), targets: readTargets(obj.targets) };
}

function readBodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestError(`expected a JSON object with ${allowed.join(', ')}`);
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new RequestError(`${key}: unknown field (allowed: ${allowed.join(', ')})`);
  }
  return obj;
}

function readJob(value: unknown, knownJobs: ReadonlySet<string>): string {
  if (value === undefined || value === null || value === '') throw new RequestError('job: is required');
  if (typeof value !== 'string') throw new RequestError('job: expected a string');
  if (!knownJobs.has(value)) {
    const names = [...knownJobs].sort();
    const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, ... (${names.length} jobs)` : '');
    throw new RequestError(`job: unknown job "${value}" (configured jobs: ${shown || 'none'})`);
  }
  return value;
}

function readTargets(value: unknown, field = 'targets'): string[] {
  if (value === undefined || value === null) throw new RequestError(`${field}: is required`);
  if (!Array.isArray(value)) throw new RequestError(`${field}: expected a list of "host:port" strings`);
  if (value.length === 0) throw new RequestError(`${field}: at least one target is required`);
  if (value.length > MAX_TARGETS_PER_REQUEST) throw new RequestError(`${field}: at most ${MAX_TARGETS_PER_REQUEST} targets per request, got ${value.length}`);
  return value.map((t, i) => {
    if (typeof t !== 'string') throw new RequestError(`${field}[${i}]: expected a "host:port" string`);
    // Answered and logged: never with the password of a user:password@ prefix.
    if (t.includes('@')) throw new RequestError(`${field}[${i}]: "${redactUrl(t)}" contains userinfo; expected a host:port address (credentials belong in the job's basic_auth)`);
    const m = HOST_PORT.exec(t);
    if (m === null || Number(m[2]) > 65535) throw new RequestError(`${field}[${i}]: "${t}" is not a host:port address`);
    return t;
  });
}

function readLabels(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new RequestError('labels: expected a mapping of label names to string values');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LABELS_PER_REQUEST) throw new RequestError(`labels: at most ${MAX_LABELS_PER_REQUEST} labels per request, got ${entries.length}`);
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (!isValidLabelName(name)) throw new RequestError(`labels: "${name}" is not a valid label name`);
    if (name === '__address__') throw new RequestError('labels: __address__ is set from targets');
    if (typeof v !== 'string') throw new RequestError(`labels.${name}: expected a string value`);
    if (v.length > MAX_LABEL_VALUE_LENGTH) throw new RequestError(`labels.${name}: value longer than ${MAX_LABEL_VALUE_LENGTH} characters`);
    out[name] = v;
  }
  return out;
}
