package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of shards, and the token for the next page if there is one. */
@AutoValue
public abstract class ListShardsResult {
  public static ListShardsResult of(List<Shard> shards, @Nullable String nextToken) {
    return new AutoValue_ListShardsResult(List.copyOf(shards), nextToken);
  }

  public abstract List<Shard> shards();

  public abstract @Nullable String nextToken();
}
