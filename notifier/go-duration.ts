// Go's time.Duration text (time.ParseDuration / Duration.String), which a few Alertmanager fields
// use instead of Prometheus' model.Duration: webhook `timeout`, pushover `retry`/`expire`/`ttl`.
// Values are milliseconds (fractions allowed, down to the nanosecond).

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** time.ParseDuration: "1h30m", "1.5s", "300ms", "-2m"; "0" alone needs no unit. */
export function parseGoDuration(text: string): number {
  const invalid = (): never => {
    throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') invalid();
  let ns = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = m?.[1] ?? '';
    const frac = m?.[2];
    if (whole === '' && (frac === undefined || frac === '')) invalid();
    s = s.slice((m as RegExpExecArray)[0].length);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    const size = UNIT_NS[unit];
    if (size === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    s = s.slice(unit.length);
    ns += Number(`${whole || '0'}.${frac ?? '0'}`) * size;
  }
  return (sign * Math.round(ns)) / 1e6;
}

function trimFraction(n: number, digits: number): string {
  // n is an integer count of 10^-digits units.
  const whole = Math.floor(n / 10 ** digits);
  const frac = String(n % 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? String(whole) : `${whole}.${frac}`;
}

/** Duration.String(): "1h0m0s", "1m30s", "1.5s", "500ms", "0s". */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${trimFraction(ns, 3)}µs`;
  if (ns < 1e9) return `${sign}${trimFraction(ns, 6)}ms`;
  const h = Math.floor(ns / 3600e9);
  ns -= h * 3600e9;
  const m = Math.floor(ns / 60e9);
  ns -= m * 60e9;
  const sec = `${trimFraction(ns, 9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${sec}`;
  if (m > 0) return `${sign}${m}m${sec}`;
  return `${sign}${sec}`;
}
