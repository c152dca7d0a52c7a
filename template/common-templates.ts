// prometheus/common helpers/templates: the conversions and humanizers shared by Prometheus'
// alert templates and Alertmanager's notification templates.
import { formatFloatV, sprintf } from './format.ts';
import { GoDuration, GoTime, UTC } from './go-time.ts';
import { parseFloat64 } from './strconv.ts';
import { typeName } from './values.ts';

/** ConvertToFloat: float64, string (strconv.ParseFloat), Go integers, time.Duration (seconds). */
export function convertToFloat(i: unknown): number {
  if (typeof i === 'number') return i;
  if (typeof i === 'string') return parseFloat64(i);
  if (typeof i === 'bigint') return Number(i);
  if (i instanceof GoDuration) return i.Seconds();
  throw new Error(`can't convert ${typeName(i)} to float`);
}

export class NaNOrInfError extends Error {
  constructor() {
    super('value is NaN or Inf');
  }
}

/** FloatToTime: Unix seconds to a UTC time, at millisecond precision (model.Time). */
export function floatToTime(v: number): GoTime {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new NaNOrInfError();
  const timestamp = v * 1e9;
  if (timestamp > 9223372036854775807 || timestamp < -9223372036854775808) {
    throw new Error(`${formatFloatV(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  // model.TimeFromUnixNano truncates to milliseconds (integer division toward zero).
  const ms = BigInt(Math.trunc(timestamp)) / 1000000n;
  return GoTime.fromUnixNano(ms * 1000000n, UTC);
}

/** HumanizeDuration: seconds as "1d 2h 3m 4s", sub-second values with SI prefixes. */
export function humanizeDuration(i: unknown): string {
  let v = convertToFloat(i);
  if (Number.isNaN(v) || !Number.isFinite(v)) return sprintf('%.4g', [v]);
  if (v === 0) return sprintf('%.4gs', [v]);
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const duration = BigInt(Math.trunc(v));
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 60n / 60n) % 24n;
    const days = duration / 60n / 60n / 24n;
    // For days to minutes, we display seconds as an integer.
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    // For seconds, we display 4 significant digits.
    return sprintf('%s%.4gs', [sign, v]);
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return sprintf('%.4g%ss', [v, prefix]);
}

/** HumanizeTimestamp: Unix seconds as Go prints a UTC time.Time. */
export function humanizeTimestamp(i: unknown): string {
  const v = convertToFloat(i);
  let t: GoTime;
  try {
    t = floatToTime(v);
  } catch (e) {
    if (e instanceof NaNOrInfError) return sprintf('%.4g', [v]);
    throw e;
  }
  return t.String();
}
