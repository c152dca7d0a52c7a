// Prometheus remote write 1.0 protobuf (prompb types.proto / remote.proto), hand-encoded:
//
//   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; exemplars = 3; histograms = 4; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
//
// Serialized WriteRequests concatenate into a valid WriteRequest, so a request is just a run of
// field-1 entries; the scraper encodes each series' labels once and reuses the bytes.

import {
  ProtoWriter,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LENGTH_DELIMITED,
  WIRE_VARINT,
  writeInt64At,
  writeUvarintAt,
} from './proto-writer.ts';
import { compareCodePoints } from '../core/code-point-order.ts';

/** HTTP headers of a remote write 1.0 request (callers add their own User-Agent). */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
});

/** Bit pattern of Prometheus' staleness marker (value.StaleNaN), a signalling NaN. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
const STALE_NAN_HI = 0x7ff00000;
const STALE_NAN_LO = 0x00000002;

const scratchView = new DataView(new ArrayBuffer(8));

/**
 * The staleness marker as a JS number. V8 keeps its payload through variables, calls, typed-array
 * elements and DataView, but not everywhere: storing it in a plain JS array of doubles (e.g.
 * `[STALE_NAN]`) or doing arithmetic on it sets the quiet bit, making it an ordinary NaN. Keep
 * sample values in Float64Arrays, or emit markers with writeStaleMarker(), which uses the bits.
 */
export const STALE_NAN: number = (() => {
  scratchView.setUint32(0, STALE_NAN_LO, true);
  scratchView.setUint32(4, STALE_NAN_HI, true);
  return scratchView.getFloat64(0, true);
})();

/** True if v carries exactly the staleness-marker NaN bits. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: skip the bit inspection
  scratchView.setFloat64(0, v, true);
  return scratchView.getUint32(0, true) === STALE_NAN_LO && scratchView.getUint32(4, true) === STALE_NAN_HI;
}

const TAG_WRITE_REQUEST_TIMESERIES = (1 << 3) | WIRE_LENGTH_DELIMITED; // 0x0a
const TAG_TIMESERIES_LABEL = (1 << 3) | WIRE_LENGTH_DELIMITED; // 0x0a
const TAG_TIMESERIES_SAMPLE = (2 << 3) | WIRE_LENGTH_DELIMITED; // 0x12
const TAG_LABEL_NAME = (1 << 3) | WIRE_LENGTH_DELIMITED; // 0x0a
const TAG_LABEL_VALUE = (2 << 3) | WIRE_LENGTH_DELIMITED; // 0x12
const TAG_SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64; // 0x09
const TAG_SAMPLE_TIMESTAMP = (2 << 3) | WIRE_VARINT; // 0x10

const labelWriter = new ProtoWriter(4096);

/**
 * Encodes a label set as the repeated `labels` fields of a TimeSeries, sorted by name (UTF-8 byte
 * order, as remote write requires). Labels with an empty value are dropped: in Prometheus they
 * are the same as an absent label. Throws on empty or duplicate names. The result is a fresh
 * exact-size array meant to be cached per series and passed to appendTimeSeries().
 */
export function encodeLabelSet(names: readonly string[], values: readonly string[]): Uint8Array {
  if (names.length !== values.length) {
    throw new Error(`encodeLabelSet: ${names.length} names but ${values.length} values`);
  }
  const order: number[] = [];
  for (let i = 0; i < names.length; i++) {
    if (names[i] === '') throw new Error('encodeLabelSet: empty label name');
    if (values[i] !== '') order.push(i);
  }
  order.sort((i, j) => compareCodePoints(names[i]!, names[j]!));
  const w = labelWriter;
  w.reset();
  let previous: string | undefined;
  for (const i of order) {
    const name = names[i]!;
    if (name === previous) throw new Error(`encodeLabelSet: duplicate label name ${JSON.stringify(name)}`);
    previous = name;
    w.byte(TAG_TIMESERIES_LABEL);
    const mark = w.beginLengthDelimited();
    w.byte(TAG_LABEL_NAME);
    w.string(name);
    w.byte(TAG_LABEL_VALUE);
    w.string(values[i]!);
    w.endLengthDelimited(mark);
  }
  return w.copyBytes();
}

const MAX_SAFE_TIMESTAMP = 2 ** 53;

// A scrape stamps all its samples with one timestamp, so the Sample.timestamp field (tag + varint,
// 7 bytes for current epoch milliseconds) is encoded once and then written as two 32-bit stores.
const timestampField = new Uint8Array(16);
const timestampFieldView = new DataView(timestampField.buffer);
let timestampFieldLength = 0;
let timestampFieldLo = 0;
let timestampFieldHi = 0;
let cachedTimestamp = Number.NaN;

function cacheTimestampField(timestampMs: number): void {
  // NaN or out-of-range timestamps would make the precomputed lengths wrong: corrupt output.
  if (!(timestampMs > -MAX_SAFE_TIMESTAMP && timestampMs < MAX_SAFE_TIMESTAMP)) {
    throw new RangeError(`remote write: timestamp ${timestampMs} is not a finite integer below 2^53`);
  }
  timestampField.fill(0);
  timestampField[0] = TAG_SAMPLE_TIMESTAMP;
  timestampFieldLength = writeInt64At(timestampField, 1, timestampMs);
  timestampFieldLo = timestampFieldView.getInt32(0, true);
  timestampFieldHi = timestampFieldView.getInt32(4, true);
  cachedTimestamp = timestampMs;
}

// Writes a timeseries entry with its 8 value bytes left for the caller at the returned position.
// Hand-inlined against the writer's buffer (one ensure, no per-field calls): this runs per sample.
// The labels are encodedLabels[labelsStart, labelsStart + labelsLength): a cached label set of its
// own, or one of many packed into a per-target arena (scraper/write-request-appender.ts).
function writeSingleSampleSeries(w: ProtoWriter, encodedLabels: Uint8Array, labelsStart: number, labelsLength: number, timestampMs: number): number {
  if (timestampMs !== cachedTimestamp) cacheTimestampField(timestampMs);
  const timestampLength = timestampFieldLength;
  const sampleLength = 1 + 8 + timestampLength; // < 128: one length byte
  const seriesLength = labelsLength + 2 + sampleLength;
  // +8 slack: the timestamp is stored as a whole 8-byte word even when shorter.
  w.ensure(1 + 5 + seriesLength + 8);
  const buf = w.buf;
  const view = w.view;
  let p = w.pos;
  buf[p++] = TAG_WRITE_REQUEST_TIMESERIES;
  p = writeUvarintAt(buf, p, seriesLength);
  // A subarray is a short-lived young-generation object, cheaper than a byte loop (measured).
  if (labelsStart === 0 && labelsLength === encodedLabels.length) buf.set(encodedLabels, p);
  else buf.set(encodedLabels.subarray(labelsStart, labelsStart + labelsLength), p);
  p += labelsLength;
  buf[p++] = TAG_TIMESERIES_SAMPLE;
  buf[p++] = sampleLength;
  buf[p++] = TAG_SAMPLE_VALUE;
  const valueAt = p;
  p += 8;
  if (timestampLength <= 8) {
    view.setInt32(p, timestampFieldLo, true);
    view.setInt32(p + 4, timestampFieldHi, true);
    p += timestampLength;
  } else {
    for (let i = 0; i < timestampLength; i++) buf[p++] = timestampField[i]!; // negative: 11 bytes
  }
  w.pos = p;
  return valueAt;
}

/**
 * Appends one WriteRequest `timeseries` entry: the cached label bytes from encodeLabelSet() and a
 * single sample. timestampMs must be an integer (milliseconds since the epoch, may be negative).
 * The value is written bit-exactly, so a STALE_NAN read from a typed array stays a stale marker.
 */
export function appendTimeSeries(w: ProtoWriter, encodedLabels: Uint8Array, value: number, timestampMs: number): void {
  const valueAt = writeSingleSampleSeries(w, encodedLabels, 0, encodedLabels.length, timestampMs);
  w.view.setFloat64(valueAt, value, true);
}

/** appendTimeSeries with the labels at arena[start, start + length) (several label sets packed in one buffer). */
export function appendTimeSeriesAt(w: ProtoWriter, arena: Uint8Array, start: number, length: number, value: number, timestampMs: number): void {
  const valueAt = writeSingleSampleSeries(w, arena, start, length, timestampMs);
  w.view.setFloat64(valueAt, value, true);
}

/** writeStaleMarker with the labels at arena[start, start + length). */
export function writeStaleMarkerAt(w: ProtoWriter, arena: Uint8Array, start: number, length: number, timestampMs: number): void {
  const valueAt = writeSingleSampleSeries(w, arena, start, length, timestampMs);
  w.view.setUint32(valueAt, STALE_NAN_LO, true);
  w.view.setUint32(valueAt + 4, STALE_NAN_HI, true);
}


/**
 * Appends one `timeseries` entry whose sample is the staleness marker, written from its bit
 * pattern rather than from a JS number (so no NaN canonicalisation can ever touch it).
 */
export function writeStaleMarker(w: ProtoWriter, encodedLabels: Uint8Array, timestampMs: number): void {
  const valueAt = writeSingleSampleSeries(w, encodedLabels, 0, encodedLabels.length, timestampMs);
  w.view.setUint32(valueAt, STALE_NAN_LO, true);
  w.view.setUint32(valueAt + 4, STALE_NAN_HI, true);
}

/** A run of whole `timeseries` entries of a serialized WriteRequest: itself a valid WriteRequest. */
export interface WriteRequestPart {
  start: number;
  end: number;
  /** timeseries entries in the part. */
  series: number;
}

/**
 * Cuts a serialized WriteRequest (only field-1 `timeseries` entries, as appendTimeSeries writes)
 * at entry boundaries into parts of at most maxBytes; an entry larger than maxBytes is a part of its
 * own. Reads one tag and one length per entry, nothing else. So a huge scrape becomes several Kafka
 * messages, each under the broker's message size limit.
 */
export function splitWriteRequest(bytes: Uint8Array, length: number, maxBytes: number): WriteRequestPart[] {
  const parts: WriteRequestPart[] = [];
  let start = 0;
  let series = 0;
  let p = 0;
  while (p < length) {
    if (bytes[p] !== 0x0a) throw new RemoteWriteDecodeError(`splitWriteRequest: expected a timeseries entry at byte ${p}`);
    let len = 0;
    let shift = 1;
    let q = p + 1;
    for (;;) {
      const b = bytes[q++];
      if (b === undefined) throw new RemoteWriteDecodeError('splitWriteRequest: truncated length');
      len += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 128;
    }
    const end = q + len;
    if (end > length) throw new RemoteWriteDecodeError('splitWriteRequest: entry runs past the end');
    if (end - start > maxBytes && series > 0) {
      parts.push({ start, end: p, series });
      start = p;
      series = 0;
    }
    series++;
    p = end;
  }
  if (series > 0) parts.push({ start, end: length, series });
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Decoding: for tests, the storage-writer's test sink and debugging. Not on any hot path.

export interface DecodedLabel {
  name: string;
  value: string;
}
export interface DecodedSample {
  value: number;
  timestampMs: number;
}
export interface DecodedTimeSeries {
  labels: DecodedLabel[];
  samples: DecodedSample[];
}
export interface DecodedWriteRequest {
  timeseries: DecodedTimeSeries[];
}

export class RemoteWriteDecodeError extends Error {
  override name = 'RemoteWriteDecodeError';
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// Cursor over one message's bytes [pos, end).
class ProtoCursor {
  bytes: Uint8Array;
  view: DataView;
  pos: number;
  end: number;
  context: string;

  constructor(bytes: Uint8Array, view: DataView, pos: number, end: number, context: string) {
    this.bytes = bytes;
    this.view = view;
    this.pos = pos;
    this.end = end;
    this.context = context;
  }

  fail(message: string): never {
    throw new RemoteWriteDecodeError(`remote write: ${this.context}: ${message} (at byte ${this.pos})`);
  }

  // Returns the varint as a signed int64 (two's complement) in a JS number; exact within ±2^53.
  varint(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.bytes[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        lo >>>= 0;
        // hi is a signed int32 here, so this is the int64's two's complement value.
        return hi * 0x100000000 + lo;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  length(): number {
    const n = this.varint();
    if (n < 0 || n > this.end - this.pos) this.fail(`length ${n} exceeds the ${this.end - this.pos} bytes left`);
    return n;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LENGTH_DELIMITED: {
        const n = this.length(); // not `pos += length()`: that would add to the pre-varint pos
        this.pos += n;
        return;
      }
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  key(): { field: number; wireType: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (key < 0 || field === 0) this.fail(`invalid field key ${key}`);
    return { field, wireType: key & 7 };
  }

  sub(context: string): ProtoCursor {
    const n = this.length();
    const c = new ProtoCursor(this.bytes, this.view, this.pos, this.pos + n, context);
    this.pos += n;
    return c;
  }

  string(): string {
    const n = this.length();
    const s = this.pos;
    this.pos += n;
    try {
      return utf8Decoder.decode(this.bytes.subarray(s, s + n));
    } catch {
      this.pos = s;
      return this.fail('string is not valid UTF-8');
    }
  }
}

function expectWireType(c: ProtoCursor, field: string, actual: number, expected: number): void {
  if (actual !== expected) c.fail(`${field} has wire type ${actual}, expected ${expected}`);
}

function decodeLabel(c: ProtoCursor): DecodedLabel {
  let name = '';
  let value = '';
  while (c.pos < c.end) {
    const { field, wireType } = c.key();
    if (field === 1) {
      expectWireType(c, 'Label.name', wireType, WIRE_LENGTH_DELIMITED);
      name = c.string();
    } else if (field === 2) {
      expectWireType(c, 'Label.value', wireType, WIRE_LENGTH_DELIMITED);
      value = c.string();
    } else c.skip(wireType);
  }
  return { name, value };
}

function decodeSample(c: ProtoCursor): DecodedSample {
  let value = 0;
  let timestampMs = 0;
  while (c.pos < c.end) {
    const { field, wireType } = c.key();
    if (field === 1) {
      expectWireType(c, 'Sample.value', wireType, WIRE_FIXED64);
      if (c.end - c.pos < 8) c.fail('truncated Sample.value');
      value = c.view.getFloat64(c.pos, true);
      c.pos += 8;
    } else if (field === 2) {
      expectWireType(c, 'Sample.timestamp', wireType, WIRE_VARINT);
      timestampMs = c.varint();
    } else c.skip(wireType);
  }
  return { value, timestampMs };
}

function decodeTimeSeries(c: ProtoCursor): DecodedTimeSeries {
  const labels: DecodedLabel[] = [];
  const samples: DecodedSample[] = [];
  while (c.pos < c.end) {
    const { field, wireType } = c.key();
    if (field === 1) {
      expectWireType(c, 'TimeSeries.labels', wireType, WIRE_LENGTH_DELIMITED);
      labels.push(decodeLabel(c.sub('Label')));
    } else if (field === 2) {
      expectWireType(c, 'TimeSeries.samples', wireType, WIRE_LENGTH_DELIMITED);
      samples.push(decodeSample(c.sub('Sample')));
    } else c.skip(wireType); // exemplars, histograms
  }
  return { labels, samples };
}

/**
 * Decodes an uncompressed WriteRequest. Unknown fields (metadata, exemplars, histograms) are
 * skipped; malformed input throws RemoteWriteDecodeError.
 */
export function decodeWriteRequest(bytes: Uint8Array): DecodedWriteRequest {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new ProtoCursor(bytes, view, 0, bytes.length, 'WriteRequest');
  const timeseries: DecodedTimeSeries[] = [];
  while (c.pos < c.end) {
    const { field, wireType } = c.key();
    if (field === 1) {
      expectWireType(c, 'WriteRequest.timeseries', wireType, WIRE_LENGTH_DELIMITED);
      timeseries.push(decodeTimeSeries(c.sub('TimeSeries')));
    } else c.skip(wireType); // metadata
  }
  return { timeseries };
}

/** One `timeseries` entry of a serialized WriteRequest: where its bytes are, and what it says. */
export interface WriteRequestEntry extends DecodedTimeSeries {
  /** The entry's bytes, tag and length included: bytes[start, end) is itself a WriteRequest. */
  start: number;
  end: number;
}

/**
 * Decodes a WriteRequest entry by entry, keeping each entry's byte range so that a subset of the
 * entries can be sent again as is (their bytes concatenated: joinWriteRequestEntries), without
 * re-encoding anything. Fields other than timeseries are skipped. Throws RemoteWriteDecodeError.
 */
export function scanWriteRequest(bytes: Uint8Array): WriteRequestEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new ProtoCursor(bytes, view, 0, bytes.length, 'WriteRequest');
  const entries: WriteRequestEntry[] = [];
  while (c.pos < c.end) {
    const start = c.pos;
    const { field, wireType } = c.key();
    if (field === 1) {
      expectWireType(c, 'WriteRequest.timeseries', wireType, WIRE_LENGTH_DELIMITED);
      const ts = decodeTimeSeries(c.sub('TimeSeries'));
      entries.push({ start, end: c.pos, labels: ts.labels, samples: ts.samples });
    } else c.skip(wireType);
  }
  return entries;
}

/** The WriteRequest made of the given entries of `bytes` (from scanWriteRequest), in their order. */
export function joinWriteRequestEntries(bytes: Uint8Array, entries: readonly WriteRequestEntry[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += e.end - e.start;
  const out = new Uint8Array(size);
  let p = 0;
  for (const e of entries) {
    out.set(bytes.subarray(e.start, e.end), p);
    p += e.end - e.start;
  }
  return out;
}
