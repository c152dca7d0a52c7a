// Where a scrape loop hands its finished WriteRequest: one Kafka message per scrape, keyed by target.
export interface SampleSink {
  /**
   * value is an encoded sample message (protocol/sample-message.ts); it is owned by the sink from
   * now on, which gives it back (message-buffers.ts) once nothing reads it any more.
   */
  send(key: string, value: Buffer, info: { target: string; samples: number }): void;
}
