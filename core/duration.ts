// Prometheus duration strings ("1h30m", "15s", "500ms", "2d"), as model.ParseDuration reads them.
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** Milliseconds of a Prometheus duration; throws with the offending text when it is not one. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const m = DURATION_RE.exec(text);
  if (text === '' || m === null) throw new Error(`not a valid duration string: "${text}" (expected e.g. 15s, 1m30s, 500ms)`);
  let ms = 0;
  for (let i = 0; i < ORDER.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * (UNIT_MS[ORDER[i] as string] as number);
  }
  if (!Number.isSafeInteger(ms)) throw new Error(`duration out of range: "${text}"`);
  return ms;
}

/** The inverse, for logs and APIs: 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const size = UNIT_MS[unit] as number;
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
