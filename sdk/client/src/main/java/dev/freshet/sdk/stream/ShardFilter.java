package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which shards to list, as the service's ShardFilter: {@link #atTrimHorizon()} the shards open at
 * the trim horizon, {@link #fromTrimHorizon()} all shards within retention, {@link #atLatest()} the
 * open shards, {@link #atTimestamp(Instant)} the shards open at that time, {@link
 * #fromTimestamp(Instant)} the shards open at or after that time, {@link #afterShardId(String)} the
 * shards after that one.
 */
@AutoValue
public abstract class ShardFilter {
  public static ShardFilter atTrimHorizon() {
    return new AutoValue_ShardFilter(ShardFilterType.AT_TRIM_HORIZON, null, null);
  }

  public static ShardFilter fromTrimHorizon() {
    return new AutoValue_ShardFilter(ShardFilterType.FROM_TRIM_HORIZON, null, null);
  }

  public static ShardFilter atLatest() {
    return new AutoValue_ShardFilter(ShardFilterType.AT_LATEST, null, null);
  }

  public static ShardFilter atTimestamp(Instant timestamp) {
    return new AutoValue_ShardFilter(ShardFilterType.AT_TIMESTAMP, null, timestamp);
  }

  public static ShardFilter fromTimestamp(Instant timestamp) {
    return new AutoValue_ShardFilter(ShardFilterType.FROM_TIMESTAMP, null, timestamp);
  }

  public static ShardFilter afterShardId(String shardId) {
    return new AutoValue_ShardFilter(ShardFilterType.AFTER_SHARD_ID, shardId, null);
  }

  /** A filter from its wire parts; the type says which of the other two it needs. */
  public static ShardFilter of(
      ShardFilterType type, @Nullable String shardId, @Nullable Instant timestamp) {
    switch (type) {
      case AFTER_SHARD_ID:
        checkArgument(shardId != null, "ShardFilter of type AFTER_SHARD_ID needs a ShardId");
        return afterShardId(shardId);
      case AT_TIMESTAMP:
      case FROM_TIMESTAMP:
        checkArgument(timestamp != null, "ShardFilter of type %s needs a Timestamp", type);
        return new AutoValue_ShardFilter(type, null, timestamp);
      default:
        checkArgument(shardId == null && timestamp == null,
            "ShardFilter of type %s takes neither ShardId nor Timestamp", type);
        return new AutoValue_ShardFilter(type, null, null);
    }
  }

  public abstract ShardFilterType type();

  public abstract @Nullable String shardId();

  public abstract @Nullable Instant timestamp();
}
