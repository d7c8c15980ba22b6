package dev.freshet.sdk.producer;

import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.StreamClient;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The open shards of one stream as last listed, to predict which shard a record lands on so that
 * only records of one shard share an aggregate. A stale map costs a refresh, never a lost record:
 * the aggregate's explicit hash key routes it wherever the stream's shards are now.
 */
final class ShardMap {
  private final List<Shard> open;

  private ShardMap(List<Shard> open) {
    this.open = open;
  }

  static ShardMap load(StreamClient client, String stream) {
    List<Shard> open = new ArrayList<>();
    ListShardsResult page = client.listShards(
        ListShardsRequest.builder().setStream(stream).setShardFilter(ShardFilter.atLatest()).build());
    open.addAll(page.shards());
    while (page.nextToken() != null) {
      page = client.listShards(ListShardsRequest.next(page.nextToken()));
      open.addAll(page.shards());
    }
    open.removeIf(s -> !s.isOpen());
    return new ShardMap(open);
  }

  /** The open shard whose range holds {@code hashKey}; null if the map has a gap there. */
  @Nullable String shardOf(BigInteger hashKey) {
    for (Shard shard : open) {
      if (shard.hashKeyRange().contains(hashKey)) {
        return shard.shardId();
      }
    }
    return null;
  }

  /** The hash key that routes a record: its explicit hash key, else the MD5 of its partition key. */
  static BigInteger hashKeyOf(String partitionKey, @Nullable String explicitHashKey) {
    if (explicitHashKey != null) {
      return new BigInteger(explicitHashKey);
    }
    try {
      return new BigInteger(1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides MD5", e);
    }
  }
}
