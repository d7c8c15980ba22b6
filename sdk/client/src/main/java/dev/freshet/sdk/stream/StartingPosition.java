package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where to start reading a shard: the oldest record ({@link #trimHorizon()}), only new records
 * ({@link #latest()}), at or after a sequence number, or at the first record that arrived at or
 * after a time.
 */
@AutoValue
public abstract class StartingPosition implements Serializable {
  private static final long serialVersionUID = 1L;

  public static StartingPosition trimHorizon() {
    return new AutoValue_StartingPosition(ShardIteratorType.TRIM_HORIZON, null, null);
  }

  public static StartingPosition latest() {
    return new AutoValue_StartingPosition(ShardIteratorType.LATEST, null, null);
  }

  public static StartingPosition atSequenceNumber(String sequenceNumber) {
    return new AutoValue_StartingPosition(ShardIteratorType.AT_SEQUENCE_NUMBER, sequenceNumber, null);
  }

  public static StartingPosition afterSequenceNumber(String sequenceNumber) {
    return new AutoValue_StartingPosition(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber, null);
  }

  public static StartingPosition atTimestamp(Instant timestamp) {
    return new AutoValue_StartingPosition(ShardIteratorType.AT_TIMESTAMP, null, timestamp);
  }

  /** A position from its wire parts; the type says which of the other two it needs. */
  public static StartingPosition of(
      ShardIteratorType type, @Nullable String sequenceNumber, @Nullable Instant timestamp) {
    switch (type) {
      case AT_SEQUENCE_NUMBER:
      case AFTER_SEQUENCE_NUMBER:
        checkArgument(sequenceNumber != null, "a %s iterator needs a StartingSequenceNumber", type);
        return new AutoValue_StartingPosition(type, sequenceNumber, null);
      case AT_TIMESTAMP:
        checkArgument(timestamp != null, "an AT_TIMESTAMP iterator needs a Timestamp");
        return atTimestamp(timestamp);
      default:
        return new AutoValue_StartingPosition(type, null, null);
    }
  }

  public abstract ShardIteratorType type();

  public abstract @Nullable String sequenceNumber();

  public abstract @Nullable Instant timestamp();
}
