// Produces scrape messages to Kafka. Messages are queued and sent in batches (a short linger),
// so the client's per-request cost is shared by many scrapes. One produce request is in flight at a
// time, which keeps every target's messages in order. While Kafka is unreachable the queue is
// kept (bounded by bytes, queued and in flight together; past the bound the oldest queued messages
// are dropped, counted in samples by reason) and retried with backoff, in order.
import { KafkaProduceError, type KafkaProducer, type KafkaRecord } from '../core/kafka-client.ts';
import type { KafkaConfig } from '../core/kafka-config.ts';
import type { Logger } from '../core/logger.ts';
import { giveBackMessageBuffer } from './message-buffers.ts';
import type { SampleSink } from './sample-sink.ts';
import type { ScraperMetrics } from './scraper-metrics.ts';

export interface ProducerOptions {
  lingerMs: number;
  maxBufferedBytes: number;
  /** Largest number of messages in one produce request. */
  maxBatchMessages: number;
  /** Largest produce request in bytes: Kafka's message.max.bytes bounds a partition's record batch. */
  maxBatchBytes: number;
  /** Largest uncompressed WriteRequest per message: larger scrapes are split. */
  maxMessageBytes: number;
}

interface Pending {
  key: string;
  value: Buffer;
  samples: number;
}

export type DropReason = 'kafka_buffer_full' | 'kafka_refused' | 'producer_closed';

export class KafkaSampleProducer implements SampleSink {
  private readonly producer: KafkaProducer;
  private readonly topic: string;
  private readonly options: ProducerOptions;
  private readonly logger: Logger;
  private readonly metrics: ScraperMetrics;
  /** Waiting to be sent, oldest first, from `head` on. */
  private queue: Pending[] = [];
  private head = 0;
  /** Bytes queued plus in flight (the batch in flight is out of the queue: never dropped, it may reach Kafka yet): never above options.maxBufferedBytes. */
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retryDelayMs = 0;
  private oneAtATime = false;
  private closed = false;
  private dropping: { messages: number; samples: number; since: number } | undefined;

  /**
   * `producer` from core/kafka-client.ts' createKafkaProducer with `retries: 0`: no retries inside
   * the client, so each failed attempt is seen (and counted) here and retried by flushOnce's own
   * backoff, and an outage shows in produce_errors_total from its first second.
   */
  constructor(producer: KafkaProducer, config: KafkaConfig, options: ProducerOptions, logger: Logger, metrics: ScraperMetrics) {
    this.producer = producer;
    this.topic = config.topic;
    this.options = options;
    this.logger = logger.child({ component: 'producer', topic: config.topic });
    this.metrics = metrics;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  send(key: string, value: Buffer, info: { target: string; samples: number }): void {
    if (this.closed) {
      this.logger.warn({ target: info.target }, 'message after producer close dropped');
      this.drop({ key, value, samples: info.samples }, 'producer_closed');
      return;
    }
    this.queue.push({ key, value, samples: info.samples });
    this.bufferedBytes += value.length;
    // Over the bound: drop the oldest queued messages (the new one last, if what is in flight
    // fills the bound). What is in flight is not dropped: it may reach Kafka yet.
    while (this.bufferedBytes > this.options.maxBufferedBytes && this.head < this.queue.length) {
      const dropped = this.queue[this.head++] as Pending;
      this.bufferedBytes -= dropped.value.length;
      this.drop(dropped, 'kafka_buffer_full');
    }
    this.metrics.producerBufferedBytes.set(this.bufferedBytes);
    this.scheduleFlush(this.options.lingerMs);
  }

  /** Only for a message not in flight (queued, refused, or left at close): nothing reads it after. */
  private drop(p: Pending, reason: DropReason): void {
    giveBackMessageBuffer(p.value);
    this.metrics.producerDropped.inc();
    this.metrics.samplesDropped.inc({ reason }, p.samples);
    if (reason !== 'kafka_buffer_full') return;
    // One log line when a run of drops starts, one when it ends (not one per message).
    if (this.dropping === undefined) {
      this.dropping = { messages: 0, samples: 0, since: Date.now() };
      this.logger.error({ bufferedBytes: this.bufferedBytes, maxBufferedBytes: this.options.maxBufferedBytes }, 'produce buffer full: dropping the oldest messages');
    }
    this.dropping.messages++;
    this.dropping.samples += p.samples;
  }

  private scheduleFlush(delayMs: number): void {
    // Once closed, close() drives the flushing itself: never a second request beside its own.
    if (this.timer !== undefined || this.flushing !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushOnce().finally(() => {
        this.flushing = undefined;
        if (this.head < this.queue.length) this.scheduleFlush(this.retryDelayMs > 0 ? this.retryDelayMs : 0);
      });
    }, delayMs);
  }

  private async flushOnce(): Promise<void> {
    let end = this.head;
    let bytes = 0;
    // After a record batch was refused as too large, send one message at a time until one passes.
    const limit = this.oneAtATime ? 1 : this.options.maxBatchMessages;
    while (end < this.queue.length && end - this.head < limit) {
      const size = (this.queue[end] as Pending).value.length;
      if (end > this.head && bytes + size > this.options.maxBatchBytes) break;
      bytes += size;
      end++;
    }
    if (end === this.head) return;
    const batch = this.queue.slice(this.head, end);
    this.head = end;
    const records: KafkaRecord[] = batch.map((p) => ({ key: p.key, value: p.value }));
    const stopTimer = this.metrics.produceLatency.startTimer();
    try {
      await this.producer.send(this.topic, records);
      stopTimer();
      this.metrics.lastProduceSuccess.set(Date.now() / 1000);
      this.retryDelayMs = 0;
      this.oneAtATime = false;
      for (const p of batch) {
        this.bufferedBytes -= p.value.length;
        this.metrics.samplesProduced.inc(p.samples);
        giveBackMessageBuffer(p.value); // acknowledged: the client reads it no more
      }
      this.metrics.messagesProduced.inc(batch.length);
      if (this.dropping !== undefined) {
        this.logger.warn({ ...this.dropping, forMs: Date.now() - this.dropping.since }, 'producing again: messages were dropped while the buffer was full');
        this.dropping = undefined;
      }
      this.compact();
      this.metrics.producerBufferedBytes.set(this.bufferedBytes);
    } catch (err) {
      this.metrics.produceErrors.inc();
      // Back at the front of the queue, in order: the oldest again (and the first dropped if the
      // buffer fills further).
      this.queue = batch.concat(this.queue.slice(this.head));
      this.head = 0;
      const type = err instanceof KafkaProduceError ? err.kafkaError : undefined;
      if (err instanceof KafkaProduceError && err.kind === 'records_refused') {
        if (batch.length > 1) {
          this.oneAtATime = true;
          this.logger.warn({ err: (err as Error).message, messages: batch.length }, 'Kafka refused the record batch: retrying message by message');
          return;
        }
        // Kafka will never take this message (e.g. larger than the broker's message.max.bytes):
        // drop it, counted, rather than block every target behind it.
        const dropped = this.queue[this.head++] as Pending;
        this.bufferedBytes -= dropped.value.length;
        this.drop(dropped, 'kafka_refused');
        this.metrics.producerBufferedBytes.set(this.bufferedBytes);
        this.logger.error({ err: (err as Error).message, kafkaError: type, bytes: dropped.value.length, samples: dropped.samples }, 'Kafka refused a message: dropped');
        return;
      }
      this.retryDelayMs = Math.min(5000, Math.max(100, this.retryDelayMs * 2));
      this.logger.warn({ err: (err as Error).message, kafkaError: type, messages: batch.length, retryInMs: this.retryDelayMs }, 'produce failed, will retry');
    }
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Sends everything queued (retrying until deadlineMs), then disconnects. */
  async close(deadlineMs: number = Date.now() + 10_000): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (Date.now() < deadlineMs) {
      if (this.flushing !== undefined) await this.flushing;
      if (this.head >= this.queue.length) break;
      this.flushing = this.flushOnce();
      await this.flushing;
      this.flushing = undefined;
      if (this.head < this.queue.length && this.retryDelayMs > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
    }
    if (this.flushing !== undefined) await this.flushing;
    const left = this.queue.slice(this.head);
    if (left.length > 0) {
      for (const p of left) this.drop(p, 'producer_closed');
      this.logger.error({ messages: left.length, samples: left.reduce((n, p) => n + p.samples, 0) }, 'producer closed with unsent messages: dropped');
    }
    await this.producer.disconnect();
  }
}
