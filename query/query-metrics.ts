// The query node's own metrics: results cache effectiveness and size, and what reached the stores.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class QueryMetrics {
  readonly registry = new Registry();
  readonly cacheRequests = new Counter({
    name: 'ringwatch_query_cache_requests_total',
    help: 'Results cache lookups of query pieces, by backend (memory, redis, memcached) and result (hit, miss).',
    labelNames: ['backend', 'result'] as const,
    registers: [this.registry],
  });
  readonly cacheErrors = new Counter({
    name: 'ringwatch_query_cache_errors_total',
    help: 'Results cache calls that failed or timed out (the query was answered from the store), by backend and operation (get, set).',
    labelNames: ['backend', 'operation'] as const,
    registers: [this.registry],
  });
  readonly cacheSkipped = new Counter({
    name: 'ringwatch_query_cache_skipped_total',
    help: 'Answers not stored in the results cache, by backend and reason (too_large: over the backend max_item_size).',
    labelNames: ['backend', 'reason'] as const,
    registers: [this.registry],
  });
  readonly cacheBytes = new Gauge({ name: 'ringwatch_query_cache_bytes', help: 'Bytes held by the in-memory results cache (memory backend).', registers: [this.registry] });
  readonly cacheEntries = new Gauge({ name: 'ringwatch_query_cache_entries', help: 'Entries held by the in-memory results cache (memory backend).', registers: [this.registry] });
  readonly cacheEvictions = new Counter({
    name: 'ringwatch_query_cache_evictions_total',
    help: 'Results cache entries evicted to stay within cache.max_bytes.',
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'ringwatch_query_requests_total',
    help: 'API requests answered, by handler and status code.',
    labelNames: ['handler', 'code'] as const,
    registers: [this.registry],
  });
  readonly storeRequests = new Histogram({
    name: 'ringwatch_query_store_request_duration_seconds',
    help: 'Requests sent to the stores, by store, path and status code (0: no answer).',
    labelNames: ['store', 'path', 'code'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 120],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'ringwatch_query_rejected_total',
    help: 'Requests refused before reaching a store, by reason (max_range, queue_full, timeout, unauthorized).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'ringwatch_query_in_flight', help: 'Queries holding a concurrency slot.', registers: [this.registry] });
  readonly queued = new Gauge({ name: 'ringwatch_query_queued', help: 'Queries waiting for a concurrency slot.', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
