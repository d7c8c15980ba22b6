package dev.freshet.sdk.producer;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.time.Duration;

/** How a {@link StreamProducer} batches, aggregates, limits and retries. */
@AutoValue
public abstract class ProducerConfig {
  /** PutRecords takes at most 500 records. */
  public static final int MAX_BATCH_RECORDS = 500;
  /** PutRecords takes at most 5 MiB. */
  public static final long MAX_BATCH_BYTES = 5L << 20;

  /** The defaults, described on each setting. */
  public static Builder builder() {
    return new AutoValue_ProducerConfig.Builder()
        .setLingerTime(Duration.ofMillis(50))
        .setMaxBatchRecords(MAX_BATCH_RECORDS)
        .setMaxBatchBytes(MAX_BATCH_BYTES)
        .setAggregation(false)
        .setMaxInFlightRecords(100_000)
        .setMaxInFlightBytes(64L << 20)
        .setMaxAttempts(10)
        .setInitialBackoff(Duration.ofMillis(100))
        .setMaxBackoff(Duration.ofSeconds(5))
        .setRecordTtl(Duration.ofSeconds(30));
  }

  public static ProducerConfig defaults() {
    return builder().build();
  }

  /**
   * How long a record may wait for others to fill its batch; default 50 ms, 0 to 60 s. Longer
   * lingering makes fuller batches (and aggregates) at the cost of latency.
   */
  public abstract Duration lingerTime();

  /** Records per PutRecords call; default and maximum 500. */
  public abstract int maxBatchRecords();

  /** Bytes (data and partition keys) per PutRecords call; default and maximum 5 MiB. */
  public abstract long maxBatchBytes();

  /**
   * Whether records are packed, per predicted shard, into KPL aggregates of up to 1 MiB; default
   * off. Readers must de-aggregate (StreamIO and the KCL do).
   */
  public abstract boolean aggregation();

  /** Records accepted but not yet acknowledged or failed before {@code send} blocks; default 100,000. */
  public abstract int maxInFlightRecords();

  /** Bytes accepted but not yet acknowledged or failed before {@code send} blocks; default 64 MiB. */
  public abstract long maxInFlightBytes();

  /**
   * Attempts per record, the first included, for ProvisionedThroughputExceeded and InternalFailure;
   * default 10. Other errors fail the record at once.
   */
  public abstract int maxAttempts();

  /** The wait before the first retry, doubling up to {@link #maxBackoff()}; default 100 ms. */
  public abstract Duration initialBackoff();

  /** The longest wait between retries; default 5 s. */
  public abstract Duration maxBackoff();

  /** How long after {@code send} a record that is still not written fails; default 30 s. */
  public abstract Duration recordTtl();

  public abstract Builder toBuilder();

  /** Builder for {@link ProducerConfig}; {@code build()} checks every range. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setLingerTime(Duration value);

    public abstract Builder setMaxBatchRecords(int value);

    public abstract Builder setMaxBatchBytes(long value);

    public abstract Builder setAggregation(boolean value);

    public abstract Builder setMaxInFlightRecords(int value);

    public abstract Builder setMaxInFlightBytes(long value);

    public abstract Builder setMaxAttempts(int value);

    public abstract Builder setInitialBackoff(Duration value);

    public abstract Builder setMaxBackoff(Duration value);

    public abstract Builder setRecordTtl(Duration value);

    abstract ProducerConfig autoBuild();

    public ProducerConfig build() {
      ProducerConfig c = autoBuild();
      checkArgument(!c.lingerTime().isNegative() && c.lingerTime().compareTo(Duration.ofSeconds(60)) <= 0,
          "lingerTime must be between 0 and 60 s, but was: %s", c.lingerTime());
      checkArgument(c.maxBatchRecords() >= 1 && c.maxBatchRecords() <= MAX_BATCH_RECORDS,
          "maxBatchRecords must be between 1 and %s, but was: %s", MAX_BATCH_RECORDS, c.maxBatchRecords());
      checkArgument(c.maxBatchBytes() >= 1 && c.maxBatchBytes() <= MAX_BATCH_BYTES,
          "maxBatchBytes must be between 1 and %s, but was: %s", MAX_BATCH_BYTES, c.maxBatchBytes());
      checkArgument(c.maxInFlightRecords() >= 1,
          "maxInFlightRecords must be at least 1, but was: %s", c.maxInFlightRecords());
      checkArgument(c.maxInFlightBytes() >= 1,
          "maxInFlightBytes must be at least 1, but was: %s", c.maxInFlightBytes());
      checkArgument(c.maxAttempts() >= 1, "maxAttempts must be at least 1, but was: %s", c.maxAttempts());
      checkArgument(!c.initialBackoff().isNegative() && c.initialBackoff().compareTo(c.maxBackoff()) <= 0,
          "initialBackoff must be between 0 and maxBackoff (%s), but was: %s", c.maxBackoff(), c.initialBackoff());
      checkArgument(c.recordTtl().compareTo(Duration.ZERO) > 0,
          "recordTtl must be positive, but was: %s", c.recordTtl());
      return c;
    }
  }
}
