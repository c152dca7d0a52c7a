// Structured logs, one JSON line per event. Secrets never reach a log line: every logged object
// goes through redactSecrets (secret-looking fields, header values, URL userinfo), and pino's own
// redaction covers the usual top-level fields as a second net.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const SECRET_PLACEHOLDER = '<secret>';

/** Keys whose scalar value is a secret (snake_case as in YAML, camelCase as in parsed configs). */
const SECRET_KEY = /pass(word)?|token|secret|authorization|credentials|sasl|api_?key/i;
/** A path to a secret is not the secret: shown as Prometheus shows it. */
const FILE_KEY = /(_file|File)$/;
/** Maps of HTTP header names to values: every value may be a credential (Authorization, X-Api-Key...). */
const HEADERS_KEY = /^(http_)?headers$/i;
/** scheme://user:password@ (the password part), and a bare user:password@host. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s@/?#]*@/gi;
const BARE_USERINFO = /^([^\s:@/?#]+:)[^\s@/?#]+@(?=[^\s@/?#]+$)/;

/** `destination` defaults to stdout (tests pass a stream of their own). */
/** Fields that child loggers bind (logger.child({ target, ... })) and that may hold a URL. */
const BOUND_KEYS = ['target', 'url', 'address', 'endpoint', 'store', 'source', 'config'];

export function createLogger(node: string, level: string = process.env.RINGWATCH_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { node },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A child logger's fields (a target's URL, say) are bound once and pass through neither `log`
    // nor a child's `bindings` formatter, only through serializers: those of the keys we bind.
    serializers: Object.fromEntries(BOUND_KEYS.map((k) => [k, redactSecrets])),
    redact: {
      paths: ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization', 'headers.authorization', 'headers.Authorization'],
      censor: SECRET_PLACEHOLDER,
    },
    formatters: {
      level: (label) => ({ level: label }),
      // Every field of every line, at any depth: a config, a URL in an error field, a header map.
      log: (object) => redactSecrets(object) as Record<string, unknown>,
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** The text with the password of any URL userinfo replaced: `http://u:p@h` -> `http://u:<secret>@h`. */
export function redactUrl(text: string): string {
  return text.replace(URL_USERINFO, `$1${SECRET_PLACEHOLDER}@`).replace(BARE_USERINFO, `$1${SECRET_PLACEHOLDER}@`);
}

/**
 * A deep copy with every secret replaced by "<secret>", as Prometheus shows configs: values of
 * secret-looking keys, every value of a header map, and the password of URL userinfo in any
 * string. Objects other than plain ones and arrays (errors, dates, buffers) are passed as they are.
 */
export function redactSecrets(value: unknown): unknown {
  return redact(value, false);
}

function redact(value: unknown, secret: boolean): unknown {
  if (typeof value === 'string') return secret ? SECRET_PLACEHOLDER : redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, secret));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (HEADERS_KEY.test(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([name, h]) => [name, redact(h, true)]));
      } else if (SECRET_KEY.test(k) && !FILE_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object') {
        out[k] = SECRET_PLACEHOLDER;
      } else {
        out[k] = redact(v, secret);
      }
    }
    return out;
  }
  if (secret && value !== undefined && value !== null) return SECRET_PLACEHOLDER;
  return value;
}
