package dev.freshet.sdk.producer;

import com.google.auto.value.AutoValue;

/** A snapshot of a {@link StreamProducer}'s counters since it was built. */
@AutoValue
public abstract class ProducerMetrics {
  public static ProducerMetrics of(long recordsSent, long recordsFailed, long retries, long batches,
      long aggregatedRecords, long inFlightRecords, long inFlightBytes) {
    return new AutoValue_ProducerMetrics(recordsSent, recordsFailed, retries, batches, aggregatedRecords,
        inFlightRecords, inFlightBytes);
  }

  /** User records acknowledged by the stream. */
  public abstract long recordsSent();

  /** User records whose future failed: a permanent error, attempts or TTL exhausted, or close. */
  public abstract long recordsFailed();

  /** User records sent again after a retryable failure (one per record and retry). */
  public abstract long retries();

  /** PutRecords calls made. */
  public abstract long batches();

  /** Aggregates written, each one stream record carrying several user records. */
  public abstract long aggregatedRecords();

  /** User records accepted and not yet acknowledged or failed. */
  public abstract long inFlightRecords();

  public abstract long inFlightBytes();
}
