package dev.freshet.sdk.io;

import com.google.auto.value.AutoValue;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * Where the source stands in one shard: after the last record it handed downstream (its sequence
 * number and, inside a KPL aggregate, sub-sequence number), or — for a shard it has not read from
 * yet — the position to start at. Also the shard's watermark, so a restore never moves it back.
 */
@AutoValue
abstract class ShardCheckpoint implements Serializable {
  private static final long serialVersionUID = 1L;

  static ShardCheckpoint notStarted(String shardId, StartingPosition position, long watermarkMillis) {
    return new AutoValue_ShardCheckpoint(shardId, null, 0, position, watermarkMillis);
  }

  static ShardCheckpoint after(String shardId, String sequenceNumber, long subSequenceNumber,
      long watermarkMillis) {
    return new AutoValue_ShardCheckpoint(shardId, sequenceNumber, subSequenceNumber,
        StartingPosition.afterSequenceNumber(sequenceNumber), watermarkMillis);
  }

  abstract String shardId();

  /** The last record handed downstream; null when none was yet. */
  abstract @Nullable String sequenceNumber();

  /** Within an aggregate: the last user record handed downstream (records up to it are done). */
  abstract long subSequenceNumber();

  /** Where reading starts when {@link #sequenceNumber()} is null. */
  abstract StartingPosition startingPosition();

  abstract long watermarkMillis();

  boolean started() {
    return sequenceNumber() != null;
  }
}
