// Where the metric name and labels of one series sit in the body, as the series scanner found
// them while validating the series. The arrays are reused from series to series, so recording
// costs a few stores per label and no allocation; decoding the series into strings (a cache miss)
// reads them instead of parsing the label syntax again.

/** escapes[k] bit: label k's name (quoted) holds a backslash escape. */
export const NAME_ESCAPED = 1;
/** escapes[k] bit: label k's value holds a backslash escape. */
export const VALUE_ESCAPED = 2;

const INITIAL_LABELS = 16;

/**
 * The spans of the current series: valid only until the scanner moves on (for a visitor, during
 * the onSample call that receives them). Quoted text is recorded without its quotes, as written
 * (escapes not decoded).
 */
export class LabelSpans {
  /** Labels of the series, the metric name not counted. */
  count = 0;
  /** The metric name: bare, or quoted (`{"name", ...}`); -1 while none has been seen. */
  nameStart = -1;
  nameEnd = -1;
  /** Whether the quoted metric name holds a backslash escape. */
  nameEscaped = false;
  /** Label k: [4k] name start, [4k + 1] name end, [4k + 2] value start, [4k + 3] value end. */
  bounds: Int32Array<ArrayBuffer> = new Int32Array(4 * INITIAL_LABELS);
  /** Label k: NAME_ESCAPED | VALUE_ESCAPED. */
  escapes: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_LABELS);

  labelNameStart(k: number): number {
    return this.bounds[4 * k]!;
  }

  labelNameEnd(k: number): number {
    return this.bounds[4 * k + 1]!;
  }

  labelValueStart(k: number): number {
    return this.bounds[4 * k + 2]!;
  }

  labelValueEnd(k: number): number {
    return this.bounds[4 * k + 3]!;
  }

  labelNameEscaped(k: number): boolean {
    return (this.escapes[k]! & NAME_ESCAPED) !== 0;
  }

  labelValueEscaped(k: number): boolean {
    return (this.escapes[k]! & VALUE_ESCAPED) !== 0;
  }

  /** Doubles the room (rare: a series with many labels) and returns the new bounds. */
  grow(): Int32Array<ArrayBuffer> {
    const bounds = new Int32Array(this.bounds.length * 2);
    bounds.set(this.bounds);
    this.bounds = bounds;
    const escapes = new Uint8Array(this.escapes.length * 2);
    escapes.set(this.escapes);
    this.escapes = escapes;
    return bounds;
  }
}
