package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;

/** A shard that continues a closed shard after a split or merge, as named at the end of a read. */
@AutoValue
public abstract class ChildShard {
  public static ChildShard of(String shardId, List<String> parentShards, HashKeyRange hashKeyRange) {
    return new AutoValue_ChildShard(shardId, List.copyOf(parentShards), hashKeyRange);
  }

  public abstract String shardId();

  public abstract List<String> parentShards();

  public abstract HashKeyRange hashKeyRange();
}
