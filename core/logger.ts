// Structured logs, one JSON line per event. Secrets never reach a log line: known secret-bearing
// fields are redacted by pino, and configuration is passed through redactSecrets before logging.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

const SECRET_KEY = /pass(word)?|token|secret|authorization|credentials|sasl/i;

export function createLogger(node: string, level: string = process.env.RINGWATCH_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { node },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization', 'headers.authorization', 'headers.Authorization'],
      censor: '<secret>',
    },
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A deep copy with every secret-looking field replaced by "<secret>", as Prometheus shows configs. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object' ? '<secret>' : redactSecrets(v);
    }
    return out;
  }
  return value;
}
