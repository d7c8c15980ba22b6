package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;

/** The store's shard limit and use (DescribeLimits). */
@AutoValue
public abstract class StreamLimits {
  public static StreamLimits of(
      int shardLimit, int openShardCount, int onDemandStreamCount, int onDemandStreamCountLimit) {
    return new AutoValue_StreamLimits(
        shardLimit, openShardCount, onDemandStreamCount, onDemandStreamCountLimit);
  }

  public abstract int shardLimit();

  public abstract int openShardCount();

  public abstract int onDemandStreamCount();

  public abstract int onDemandStreamCountLimit();
}
