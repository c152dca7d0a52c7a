// The Prometheus HTTP API's /api/v1/query response, turned into what a rule evaluates: a vector
// of samples, or the error the rule reports. Scalars become one sample without labels and every
// other result type is an error, exactly as Prometheus' rules.EngineQueryFunc does.
import { parseSampleValue } from './go-format.ts';
import { sortLabels } from './labels.ts';
import type { Labels } from './labels.ts';

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export type QueryResult =
  | { readonly ok: true; readonly vector: readonly Sample[]; readonly warnings: readonly string[]; readonly infos: readonly string[] }
  | { readonly ok: false; readonly error: string; readonly errorType?: string; readonly warnings: readonly string[] };

/** Prometheus' message when an expression does not produce an instant vector or a scalar. */
export const NOT_A_VECTOR = 'rule result is not a vector or scalar';

class QueryResponseError extends Error {}

function fail(message: string): never {
  throw new QueryResponseError(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(`"${field}" is not a list of strings`);
  return v as string[];
}

/** [ <unix seconds>, "<value>" ] */
function pointValue(v: unknown, where: string): number {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'string') {
    fail(`${where}: expected [<timestamp>, "<value>"], got ${JSON.stringify(v)}`);
  }
  const value = parseSampleValue(v[1]);
  if (value === undefined) fail(`${where}: not a number: ${JSON.stringify(v[1])}`);
  return value;
}

function metric(v: unknown, where: string): Labels {
  if (v === undefined) return {};
  if (!isObject(v)) fail(`${where}: "metric" is not an object`);
  for (const [name, value] of Object.entries(v)) {
    if (typeof value !== 'string') fail(`${where}: label ${JSON.stringify(name)} is not a string`);
  }
  return sortLabels(v as Record<string, string>);
}

function vectorSamples(result: unknown): Sample[] {
  if (!Array.isArray(result)) fail('"data.result" of a vector is not a list');
  return result.map((item, i) => {
    const where = `data.result[${i}]`;
    if (!isObject(item)) fail(`${where} is not an object`);
    if (item.histogram !== undefined) fail(`${where}: native histogram samples are not supported in rule results`);
    return { labels: metric(item.metric, where), value: pointValue(item.value, `${where}.value`) };
  });
}

function parseBody(body: unknown): QueryResult {
  if (!isObject(body)) fail('the response is not a JSON object');
  const warnings = strings(body.warnings, 'warnings');
  if (body.status === 'error') {
    const errorType = typeof body.errorType === 'string' && body.errorType !== '' ? body.errorType : undefined;
    const message = typeof body.error === 'string' && body.error !== '' ? body.error : 'unknown error';
    return { ok: false, error: errorType === undefined ? message : `${errorType}: ${message}`, ...(errorType !== undefined && { errorType }), warnings };
  }
  if (body.status !== 'success') fail(`unexpected "status": ${JSON.stringify(body.status)}`);
  const data = body.data;
  if (!isObject(data)) fail('"data" is missing');
  const infos = strings(body.infos, 'infos');
  switch (data.resultType) {
    case 'vector':
      return { ok: true, vector: vectorSamples(data.result), warnings, infos };
    case 'scalar':
      return { ok: true, vector: [{ labels: {}, value: pointValue(data.result, 'data.result') }], warnings, infos };
    case 'matrix':
    case 'string':
      return { ok: false, error: NOT_A_VECTOR, warnings };
    default:
      fail(`unknown "data.resultType": ${JSON.stringify(data.resultType)}`);
  }
}

/**
 * Reads a query response: the body as text (or already parsed JSON), and the HTTP status when
 * known, so a non-JSON error page still gives a useful message. Never throws: a malformed response
 * is a failed query, with a message saying what was wrong.
 */
export function parseQueryResponse(body: string | unknown, httpStatus?: number): QueryResult {
  const status = httpStatus === undefined ? '' : `HTTP ${httpStatus}: `;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      const excerpt = body.length > 200 ? `${body.slice(0, 200)}…` : body;
      return { ok: false, error: `${status}query response is not JSON: ${JSON.stringify(excerpt)}`, warnings: [] };
    }
  }
  try {
    return parseBody(parsed);
  } catch (err) {
    if (err instanceof QueryResponseError) return { ok: false, error: `${status}invalid query response: ${err.message}`, warnings: [] };
    throw err;
  }
}

/** A failed query for reasons outside the response (network, timeout), in the same shape. */
export function queryFailure(error: string): QueryResult {
  return { ok: false, error, warnings: [] };
}
