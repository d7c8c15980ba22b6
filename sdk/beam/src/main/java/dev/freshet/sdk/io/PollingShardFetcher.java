package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads a shard with GetRecords: an iterator from the resume position, then each call's next
 * iterator. An empty answer waits the poll interval before the next call (the service allows 5
 * calls per second per shard); throttling and transient failures back off exponentially; an
 * expired iterator is renewed after the last record fetched.
 */
final class PollingShardFetcher implements ShardFetcher {
  private final StreamClient client;
  private final String stream;
  private final String shardId;
  private final int limit;
  private final long pollNanos;
  private final Backoff backoff;
  private final StartingPosition start;
  private String lastFetchedSequence;
  private String iterator;
  private long nextCallNanos;

  PollingShardFetcher(StreamClient client, String stream, String shardId, int limit, long pollNanos,
      Backoff backoff, StartingPosition start) {
    this.client = client;
    this.stream = stream;
    this.shardId = shardId;
    this.limit = limit;
    this.pollNanos = pollNanos;
    this.backoff = backoff;
    this.start = start;
  }

  @Override
  public Batch fetch(long nowNanos) throws IOException {
    if (nowNanos < nextCallNanos) {
      return Batch.empty();
    }
    try {
      if (iterator == null) {
        // A renewed iterator continues after the last record fetched, not after the last one handed
        // downstream: records in between are already buffered in the reader.
        iterator = client.getShardIterator(stream, shardId, lastFetchedSequence == null
            ? start : StartingPosition.afterSequenceNumber(lastFetchedSequence));
      }
      long requestedAtMillis = System.currentTimeMillis();
      GetRecordsResult result = client.getRecords(iterator, limit);
      backoff.reset();
      iterator = result.nextShardIterator();
      if (!result.records().isEmpty()) {
        lastFetchedSequence = result.records().get(result.records().size() - 1).sequenceNumber();
      }
      boolean ended = iterator == null;
      nextCallNanos = result.records().isEmpty() && !ended ? nowNanos + pollNanos : nowNanos;
      return new Batch(result.records(), result.millisBehindLatest(), ended, result.childShards(), requestedAtMillis);
    } catch (ExpiredIteratorException e) {
      iterator = null;
      return Batch.empty();
    } catch (StreamException e) {
      if (!e.isRetryable()) {
        throw new IOException("reading " + shardId + " of stream " + stream + " failed: "
            + e.errorCode() + ": " + e.getMessage(), e);
      }
      nextCallNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis());
      return Batch.empty();
    }
  }

  @Override
  public void close() {}
}
