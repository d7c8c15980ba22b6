package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import java.math.BigInteger;
import java.util.List;

/**
 * Resharding: SplitShard, MergeShards and UpdateShardCount on request, and the splits with which
 * on-demand streams scale out. Each runs as one {@link StreamState#reshard} under the stream's
 * reshard lock; the request is checked there against the shards as they are, so a refused request
 * changes nothing.
 */
final class Resharding {
  private final LocalStreamStore store;
  private final RequestValidation validation;
  private final StoreConfig config;

  Resharding(LocalStreamStore store, RequestValidation validation) {
    this.store = checkNotNull(store, "store");
    this.validation = checkNotNull(validation, "validation");
    this.config = store.config();
  }

  void splitShard(String nameOrArn, String shardToSplit, BigInteger newStartingHashKey) {
    StreamState stream = store.stream(nameOrArn);
    checkNotNull(newStartingHashKey, "newStartingHashKey");
    stream.reshard(resharder -> {
      stream.checkActive(store.now(), config.account());
      ShardState parent = store.shard(stream, shardToSplit);
      checkReshardable(parent, stream);
      HashKeyRange range = parent.hashKeyRange;
      if (newStartingHashKey.compareTo(range.startingHashKey()) <= 0
          || newStartingHashKey.compareTo(range.endingHashKey()) > 0) {
        throw new InvalidArgumentException(String.format(
            "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s "
                + "is not both greater than the shard's StartingHashKey %s and not greater than "
                + "its EndingHashKey %s.",
            newStartingHashKey, parent.shardId, stream.name, config.account(),
            range.startingHashKey(), range.endingHashKey()));
      }
      validation.checkShardLimit(store.openShardCount(), 1);
      resharder.split(parent, newStartingHashKey);
      stream.markUpdating(store.now());
    }, store.now());
  }

  void mergeShards(String nameOrArn, String shardToMerge, String adjacentShardToMerge) {
    StreamState stream = store.stream(nameOrArn);
    stream.reshard(resharder -> {
      stream.checkActive(store.now(), config.account());
      ShardState shard = store.shard(stream, shardToMerge);
      ShardState adjacent = store.shard(stream, adjacentShardToMerge);
      checkReshardable(shard, stream);
      checkReshardable(adjacent, stream);
      if (shard == adjacent || !shard.hashKeyRange.isAdjacentTo(adjacent.hashKeyRange)) {
        throw new InvalidArgumentException(String.format(
            "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards "
                + "eligible for merging", shard.shardId, adjacent.shardId, stream.name, config.account()));
      }
      resharder.merge(shard, adjacent);
      stream.markUpdating(store.now());
    }, store.now());
  }

  private void checkReshardable(ShardState shard, StreamState stream) {
    if (!shard.isOpen()) {
      throw new InvalidArgumentException(String.format(
          "Shard %s in stream %s under account %s is closed; only open shards can be split or merged",
          shard.shardId, stream.name, config.account()));
    }
  }

  /** UNIFORM_SCALING to {@code targetShardCount}; returns the open shard count before. */
  int updateShardCount(String nameOrArn, int targetShardCount) {
    StreamState stream = store.stream(nameOrArn);
    int[] previous = new int[1];
    stream.reshard(resharder -> {
      stream.checkActive(store.now(), config.account());
      List<ShardState> open = resharder.openShards();
      int current = open.size();
      previous[0] = current;
      validation.checkTargetShardCount(targetShardCount, current);
      validation.checkShardLimit(store.openShardCount(), Math.max(0, targetShardCount - current));
      UniformScaling.plan(resharder, targetShardCount);
      stream.markUpdating(store.now());
    }, store.now());
    return previous[0];
  }

  /**
   * Splits a hot shard of an on-demand stream at the middle of its range, within the shard limit;
   * returns whether it did.
   */
  boolean splitForScaling(StreamState stream, ShardState shard) {
    boolean[] split = new boolean[1];
    stream.reshard(resharder -> {
      if (!shard.isOpen() || store.openShardCount() + 1 > config.shardLimit()) {
        return;
      }
      HashKeyRange range = shard.hashKeyRange;
      BigInteger middle = range.startingHashKey().add(range.endingHashKey()).add(BigInteger.ONE).shiftRight(1);
      if (middle.compareTo(range.startingHashKey()) <= 0) {
        return;
      }
      resharder.split(shard, middle);
      split[0] = true;
    }, store.now());
    return split[0];
  }
}
