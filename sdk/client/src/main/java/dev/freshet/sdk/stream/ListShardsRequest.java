package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/**
 * A shard listing (ListShards): a stream (name or ARN) or the token of an earlier page, an
 * optional {@link ShardFilter}, and a page size of 1 to 10,000 (default 1,000).
 */
@AutoValue
public abstract class ListShardsRequest {
  public static Builder builder() {
    return new AutoValue_ListShardsRequest.Builder();
  }

  /** All shards of a stream, first page. */
  public static ListShardsRequest of(String stream) {
    return builder().setStream(stream).build();
  }

  /** The next page of an earlier listing. */
  public static ListShardsRequest next(String nextToken) {
    return builder().setNextToken(nextToken).build();
  }

  public abstract @Nullable String stream();

  public abstract @Nullable String nextToken();

  public abstract @Nullable String exclusiveStartShardId();

  public abstract @Nullable ShardFilter shardFilter();

  public abstract @Nullable Integer maxResults();

  public abstract Builder toBuilder();

  /** Builder for {@link ListShardsRequest}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setStream(@Nullable String value);

    public abstract Builder setNextToken(@Nullable String value);

    public abstract Builder setExclusiveStartShardId(@Nullable String value);

    public abstract Builder setShardFilter(@Nullable ShardFilter value);

    public abstract Builder setMaxResults(@Nullable Integer value);

    public abstract ListShardsRequest build();
  }
}
