package dev.freshet.kinesis.store;

import dev.freshet.kinesis.store.StreamState.Resharder;
import dev.freshet.sdk.stream.HashKeyRange;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * UpdateShardCount's UNIFORM_SCALING as the service does it: a sequence of splits and merges that
 * ends with the target number of open shards of even ranges. Going through real splits and merges
 * keeps the lineage exact (every child has at most a parent and an adjacent parent, and every key
 * range is drained before its continuation is read), at the cost of short-lived intermediate shards.
 */
final class UniformScaling {
  private UniformScaling() {}

  static void plan(Resharder resharder, int target) throws IOException {
    List<HashKeyRange> goal = HashRouter.evenRanges(target);
    // 1. Split open shards at every target boundary that falls inside them.
    for (int i = 1; i < goal.size(); i++) {
      BigInteger boundary = goal.get(i).startingHashKey();
      for (ShardState shard : resharder.openShards()) {
        HashKeyRange range = shard.hashKeyRange;
        if (range.startingHashKey().compareTo(boundary) < 0 && range.endingHashKey().compareTo(boundary) >= 0) {
          resharder.split(shard, boundary);
          break;
        }
      }
    }
    // 2. Merge the pieces inside each target range, left to right.
    for (HashKeyRange range : goal) {
      List<ShardState> pieces = new ArrayList<>();
      for (ShardState shard : resharder.openShards()) {
        if (range.contains(shard.hashKeyRange.startingHashKey())) {
          pieces.add(shard);
        }
      }
      ShardState merged = pieces.get(0);
      for (int i = 1; i < pieces.size(); i++) {
        merged = resharder.merge(merged, pieces.get(i));
      }
    }
  }
}
