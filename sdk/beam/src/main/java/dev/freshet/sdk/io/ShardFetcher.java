package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.Record;
import java.util.List;

/**
 * Fetches the next records of one shard for a {@link StreamReader}: by polling GetRecords, or
 * from an enhanced fan-out subscription. Not thread-safe; one reader thread calls it.
 */
interface ShardFetcher extends AutoCloseable {
  /**
   * What one fetch returned. {@code observedAtMillis} is a wall-clock time at or before the moment
   * the stream was in the state described (the request time of a poll, the receipt of a pushed
   * event): with {@code millisBehindLatest == 0}, every record not in this or an earlier batch
   * arrived after it.
   */
  record Batch(List<Record> records, long millisBehindLatest, boolean shardEnded, List<ChildShard> children,
      long observedAtMillis) {
    static Batch empty() {
      return new Batch(List.of(), -1, false, List.of(), -1);
    }
  }

  /**
   * Records available now, possibly none. Throttling is handled inside (an empty batch and a
   * later retry), as are expired iterators and ended subscriptions.
   */
  Batch fetch(long nowNanos) throws java.io.IOException;

  @Override
  void close();
}
