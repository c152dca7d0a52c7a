// encoding/json's Marshal for template values (Alertmanager's toJson): map keys sorted, struct
// fields in order (with their json names), Go's float and string encodings, time.Time as RFC 3339.
import { formatFloat } from './format.ts';
import { GoDuration, GoTime } from './go-time.ts';
import { SafeHTML, SafeURL } from './html-escape.ts';
import { GoFunc, GoMap, compareStrings, isNamedInt, intValue, isPlainObject, structFields } from './values.ts';

/** A struct's JSON form: its fields in declaration order, under their json names. */
export class JsonFields {
  readonly fields: Array<[string, unknown]>;
  constructor(fields: Array<[string, unknown]>) {
    this.fields = fields;
  }
}

/** Values that marshal themselves (Go: a MarshalJSON method, or json struct tags). */
export interface JsonMarshaler {
  goJSON(): JsonFields | string | number | boolean | null;
}

function isMarshaler(v: unknown): v is JsonMarshaler {
  return typeof v === 'object' && v !== null && typeof (v as { goJSON?: unknown }).goJSON === 'function';
}

/** Go's JSON string encoding, with HTML characters escaped (json.Marshal's default). */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '<':
      case '>':
      case '&':
        out += `\\u00${c.toString(16)}`;
        continue;
    }
    if (c < 0x20) out += `\\u00${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's JSON float encoding: %f form unless the exponent is < -6 or >= 21, then e-form (e-07 -> e-7). */
function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  let fmt: 'f' | 'e' = 'f';
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = 'e';
  let s = formatFloat(f, fmt, -1);
  if (fmt === 'e') s = s.replace(/e([-+])0(\d)$/, 'e$1$2');
  return s;
}

/** json.Marshal. Throws "json: unsupported type: ..." for functions. */
export function marshalJSON(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return jsonFloat(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return jsonString(v);
    case 'function':
      throw new Error('json: unsupported type: func');
  }
  if (v instanceof GoFunc) throw new Error('json: unsupported type: func');
  if (v instanceof GoTime) return jsonString(v.toJSON());
  if (v instanceof GoDuration) return v.ns.toString();
  if (v instanceof SafeHTML || v instanceof SafeURL) return jsonString(v.value);
  if (isNamedInt(v)) return intValue(v).toString();
  if (isMarshaler(v)) {
    const out = v.goJSON();
    if (out instanceof JsonFields) return `{${out.fields.map(([k, e]) => `${jsonString(k)}:${marshalJSON(e)}`).join(',')}}`;
    return marshalJSON(out);
  }
  if (Array.isArray(v)) return `[${v.map(marshalJSON).join(',')}]`;
  if (v instanceof Uint8Array) return jsonString(Buffer.from(v).toString('base64'));
  if (v instanceof GoMap || v instanceof Map || isPlainObject(v)) {
    const entries: Array<[string, unknown]> =
      v instanceof GoMap ? [...v.entries].map(([k, e]) => [String(k), e]) : v instanceof Map ? [...v].map(([k, e]) => [String(k), e]) : Object.entries(v);
    entries.sort((a, b) => compareStrings(a[0], b[0]));
    return `{${entries.map(([k, e]) => `${jsonString(k)}:${marshalJSON(e)}`).join(',')}}`;
  }
  if (v instanceof Error) return '{}';
  // A struct without json tags: exported fields under their own names.
  const fields = structFields(v as object).filter(([k]) => /^\p{Lu}/u.test(k));
  return `{${fields.map(([k, e]) => `${jsonString(k)}:${marshalJSON(e)}`).join(',')}}`;
}
