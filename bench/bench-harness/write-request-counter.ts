// Counts what an uncompressed remote write 1.0 WriteRequest carries without decoding it: walks
// the protobuf keys and lengths, never touching label strings, so the sink can count every
// request at well over a million samples per second.
//
//   WriteRequest { repeated TimeSeries timeseries = 1; ... }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; exemplars = 3; histograms = 4; }

export interface WriteRequestCounts {
  series: number;
  samples: number;
  histograms: number;
}

export class WriteRequestFormatError extends Error {
  override name = 'WriteRequestFormatError';
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

// Module-level cursor: the walk is synchronous, so one position register serves every call.
let pos = 0;

function readVarint(buf: Uint8Array, end: number): number {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WriteRequestFormatError(`truncated varint at byte ${pos}`);
    const b = buf[pos++] as number;
    result += (b & 0x7f) * multiplier;
    if (b < 0x80) return result;
    multiplier *= 128;
  }
  throw new WriteRequestFormatError(`varint longer than 10 bytes at byte ${pos}`);
}

function skipField(buf: Uint8Array, wireType: number, end: number): void {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(buf, end);
      return;
    case WIRE_FIXED64:
      pos += 8;
      break;
    case WIRE_LENGTH_DELIMITED: {
      const n = readVarint(buf, end); // not `pos += readVarint()`: that adds to the pre-varint pos
      pos += n;
      break;
    }
    case WIRE_FIXED32:
      pos += 4;
      break;
    default:
      throw new WriteRequestFormatError(`unsupported wire type ${wireType} at byte ${pos}`);
  }
  if (pos > end) throw new WriteRequestFormatError('field runs past the end of its message');
}

/** Counts the time series, samples and native histograms in bytes[0, length). */
export function countWriteRequest(bytes: Uint8Array, length: number = bytes.length): WriteRequestCounts {
  const counts: WriteRequestCounts = { series: 0, samples: 0, histograms: 0 };
  pos = 0;
  while (pos < length) {
    const key = readVarint(bytes, length);
    const wireType = key & 7;
    if (key >>> 3 !== 1 || wireType !== WIRE_LENGTH_DELIMITED) {
      skipField(bytes, wireType, length); // metadata
      continue;
    }
    const seriesLength = readVarint(bytes, length);
    const seriesEnd = pos + seriesLength;
    if (seriesEnd > length) throw new WriteRequestFormatError('time series runs past the end of the request');
    counts.series++;
    while (pos < seriesEnd) {
      const k = readVarint(bytes, seriesEnd);
      const field = k >>> 3;
      if (field === 2) counts.samples++;
      else if (field === 4) counts.histograms++;
      skipField(bytes, k & 7, seriesEnd);
    }
  }
  return counts;
}
