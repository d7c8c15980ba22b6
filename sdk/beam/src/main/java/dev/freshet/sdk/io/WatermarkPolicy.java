package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * How {@link StreamIO#read()} timestamps records and advances its watermark.
 *
 * <ul>
 *   <li>{@link #arrivalTime()} (the default): a record's timestamp is the time the stream received
 *       it; a shard's watermark is the newest arrival time read from it.
 *   <li>{@link #processingTime()}: timestamps and watermark are the reader's clock.
 *   <li>{@link #eventTime(SerializableFunction)}: a timestamp taken from the record (for example a
 *       field of its JSON), with the watermark the newest such timestamp per shard. Records older
 *       than the watermark are late, as Beam defines it.
 * </ul>
 *
 * <p>The source's watermark is the minimum over the shards it reads. A shard that has no new records
 * and is caught up for longer than the idle threshold (default 2 s) stops holding the watermark
 * back: it advances to the reader's clock minus the threshold, since any record written later will
 * have arrived after that.
 *
 * <p>With {@link #withWatermarkDelay(Duration)}, every shard's watermark trails what it would
 * otherwise be by that delay, so records whose timestamps are out of order by up to the delay are
 * not late (the bounded out-of-orderness of event-time streams).
 */
public final class WatermarkPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Duration DEFAULT_IDLE = Duration.standardSeconds(2);

  enum Kind {
    ARRIVAL_TIME,
    PROCESSING_TIME,
    EVENT_TIME
  }

  private final Kind kind;
  private final SerializableFunction<StreamRecord, Instant> timestampFn;
  private final Duration idleThreshold;
  private final Duration watermarkDelay;

  private WatermarkPolicy(Kind kind, SerializableFunction<StreamRecord, Instant> timestampFn,
      Duration idleThreshold, Duration watermarkDelay) {
    this.kind = kind;
    this.timestampFn = timestampFn;
    this.idleThreshold = idleThreshold;
    this.watermarkDelay = watermarkDelay;
  }

  public static WatermarkPolicy arrivalTime() {
    return new WatermarkPolicy(Kind.ARRIVAL_TIME, StreamRecord::approximateArrivalTimestamp, DEFAULT_IDLE, Duration.ZERO);
  }

  public static WatermarkPolicy processingTime() {
    return new WatermarkPolicy(Kind.PROCESSING_TIME, record -> Instant.now(), DEFAULT_IDLE, Duration.ZERO);
  }

  /** Timestamps from the record itself; {@code timestampFn} must not fail on any record. */
  public static WatermarkPolicy eventTime(SerializableFunction<StreamRecord, Instant> timestampFn) {
    checkNotNull(timestampFn, "timestampFn");
    return new WatermarkPolicy(Kind.EVENT_TIME, timestampFn, DEFAULT_IDLE, Duration.ZERO);
  }

  /**
   * The same policy with another idle threshold: how long a caught-up shard without new records
   * waits before it stops holding the watermark back. At least 0; default 2 s.
   */
  public WatermarkPolicy withIdleThreshold(Duration threshold) {
    checkArgument(threshold != null && !threshold.isShorterThan(Duration.ZERO),
        "idleThreshold must not be negative, but was: %s", threshold);
    return new WatermarkPolicy(kind, timestampFn, threshold, watermarkDelay);
  }

  /**
   * The same policy with a watermark that trails the newest timestamp read from each shard (and the
   * idle bound) by {@code delay}: a record up to {@code delay} older than the newest one before it
   * is still on time. At least 0; default 0. Windows close that much later. Has no effect on {@link
   * #processingTime()}.
   */
  public WatermarkPolicy withWatermarkDelay(Duration delay) {
    checkArgument(delay != null && !delay.isShorterThan(Duration.ZERO),
        "watermarkDelay must not be negative, but was: %s", delay);
    return new WatermarkPolicy(kind, timestampFn, idleThreshold, delay);
  }

  Kind kind() {
    return kind;
  }

  Duration idleThreshold() {
    return idleThreshold;
  }

  Duration watermarkDelay() {
    return watermarkDelay;
  }

  Instant timestampOf(StreamRecord record) {
    return timestampFn.apply(record);
  }

  @Override
  public String toString() {
    return "WatermarkPolicy{" + kind + ", idle " + idleThreshold + ", delay " + watermarkDelay + "}";
  }
}
