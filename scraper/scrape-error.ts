// Why a scrape failed. The reason is a small fixed set so it can label a counter; the message
// is what lastError shows and the log line carries.
export type ScrapeFailureReason =
  | 'timeout'
  | 'connection'
  | 'credentials'
  | 'http_status'
  | 'body_size_limit'
  | 'decompression'
  | 'parse'
  | 'sample_limit'
  | 'label_limit'
  | 'label_name_length_limit'
  | 'label_value_length_limit'
  | 'invalid_series';

export class ScrapeError extends Error {
  readonly reason: ScrapeFailureReason;
  constructor(reason: ScrapeFailureReason, message: string) {
    super(message);
    this.name = 'ScrapeError';
    this.reason = reason;
  }
}
