// Reading back what reached the store, through the Prometheus HTTP API (what Grafana calls too).
export interface RawSample {
  timestampMs: number;
  value: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  error?: string;
  data?: T;
}

async function api<T>(baseUrl: string, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await res.json()) as ApiResponse<T>;
  if (body.status !== 'success' || body.data === undefined) throw new Error(`${path} ${JSON.stringify(params)}: HTTP ${res.status}: ${body.error ?? 'no data'}`);
  return body.data;
}

/** Every raw sample of each series matching the selector in the last `range` (e.g. "1h"), by series. */
export async function rawSamples(baseUrl: string, selector: string, range = '1h'): Promise<{ metric: Record<string, string>; samples: RawSample[] }[]> {
  const data = await api<{ resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }>(baseUrl, '/api/v1/query', {
    query: `${selector}[${range}]`,
  });
  return data.result.map((r) => ({
    metric: r.metric,
    samples: r.values.map(([t, v]) => ({ timestampMs: Math.round(t * 1000), value: Number(v) })),
  }));
}

export async function instantQuery(baseUrl: string, query: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(baseUrl, '/api/v1/query', { query });
  if (data.resultType !== 'vector') throw new Error(`expected a vector from ${query}, got ${data.resultType}`);
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}
