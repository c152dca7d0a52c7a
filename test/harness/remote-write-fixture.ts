// A minimal Prometheus remote-write client written independently of protocol/: hand-rolled
// protobuf (WriteRequest > TimeSeries > Label, Sample) in a snappy block made of literals only.
// It lets harness tests push known samples without relying on the code under test.

export interface FixtureSeries {
  /** Must include __name__. */
  labels: Readonly<Record<string, string>>;
  samples: readonly { value: number; timestampMs: number }[];
}

export async function pushRemoteWrite(remoteWriteUrl: string, series: readonly FixtureSeries[]): Promise<void> {
  const response = await fetch(remoteWriteUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: snappyLiteralBlock(encodeWriteRequest(series)),
  });
  if (response.status !== 204 && response.status !== 200) {
    throw new Error(`remote write to ${remoteWriteUrl}: HTTP ${response.status}: ${await response.text()}`);
  }
}

export function encodeWriteRequest(series: readonly FixtureSeries[]): Uint8Array {
  const out: number[] = [];
  for (const s of series) {
    const ts: number[] = [];
    // Remote write wants labels sorted by name.
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const label: number[] = [];
      field(label, 1, new TextEncoder().encode(name));
      field(label, 2, new TextEncoder().encode(value));
      field(ts, 1, label);
    }
    for (const sample of s.samples) {
      const bytes: number[] = [0x09]; // field 1, fixed64: value as a little-endian double
      const double = new DataView(new ArrayBuffer(8));
      double.setFloat64(0, sample.value, true);
      for (let i = 0; i < 8; i++) bytes.push(double.getUint8(i));
      bytes.push(0x10); // field 2, varint: timestamp in ms
      varint(bytes, sample.timestampMs);
      field(ts, 2, bytes);
    }
    field(out, 1, ts);
  }
  return Uint8Array.from(out);
}

/** A valid snappy block that stores `data` as literals (no compression, any decoder reads it). */
export function snappyLiteralBlock(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  varint(out, data.length);
  for (let offset = 0; offset < data.length; offset += 65536) {
    const chunk = data.subarray(offset, Math.min(offset + 65536, data.length));
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 256) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >> 8);
    for (const byte of chunk) out.push(byte);
  }
  return Uint8Array.from(out);
}

function field(out: number[], number: number, bytes: ArrayLike<number>): void {
  out.push((number << 3) | 2);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i] as number);
}

function varint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint: ${value} is not a non-negative safe integer`);
  // Arithmetic rather than bit operators: timestamps in ms exceed 32 bits.
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}
