package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/**
 * A shard of a stream: an append-only, ordered log of records for a range of hash keys. A shard
 * made by a split has one parent; one made by a merge has a parent and an adjacent parent.
 */
@AutoValue
public abstract class Shard {
  public static Shard of(
      String shardId,
      @Nullable String parentShardId,
      @Nullable String adjacentParentShardId,
      HashKeyRange hashKeyRange,
      SequenceNumberRange sequenceNumberRange) {
    return new AutoValue_Shard(
        shardId, parentShardId, adjacentParentShardId, hashKeyRange, sequenceNumberRange);
  }

  public abstract String shardId();

  public abstract @Nullable String parentShardId();

  public abstract @Nullable String adjacentParentShardId();

  public abstract HashKeyRange hashKeyRange();

  public abstract SequenceNumberRange sequenceNumberRange();

  /** Whether the shard still takes writes (it has no ending sequence number). */
  public boolean isOpen() {
    return sequenceNumberRange().endingSequenceNumber() == null;
  }
}
