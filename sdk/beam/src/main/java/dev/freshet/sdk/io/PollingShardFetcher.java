package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Reads a shard with GetRecords: an iterator from the resume position, then each call's next
 * iterator. An empty answer waits the poll interval before the next call (the service allows 5
 * calls per second per shard); throttling and transient failures back off exponentially; an
 * expired iterator is renewed after the last record fetched.
 *
 * <p>Read ahead: after a call that returned records from a shard that goes on and is behind (its
 * {@code MillisBehindLatest} above 0), the next call is made at once on {@code prefetcher} while the
 * reader hands out the records just fetched; the following {@link #fetch} takes its answer
 * (waiting for it if it is not in yet). So the server's work and the network overlap with the
 * runner's. The endpoint is never called more often than without read-ahead: a call that finds
 * nothing still waits the poll interval before the next, and a shard that is caught up is called
 * only once the reader has handed out what it has (a call made ahead there would mostly find
 * nothing, and describe an older state than the one the reader would ask about). At most one call
 * is in flight per shard, so what is held besides the reader's buffer is at most one answer. What
 * was read ahead is in no checkpoint: the reader's checkpoint is the last record it handed out, and
 * a reader restored from it makes new fetchers that start right after that record.
 */
final class PollingShardFetcher implements ShardFetcher {
  private final StreamClient client;
  private final String stream;
  private final String shardId;
  private final int limit;
  private final long pollNanos;
  private final Backoff backoff;
  private final StartingPosition start;
  private final @Nullable Executor prefetcher;
  /** Written only by the one call in flight; read after it completed. */
  private volatile @Nullable String lastFetchedSequence;
  private volatile @Nullable String iterator;
  private long nextCallNanos;
  private @Nullable CompletableFuture<Call> inFlight;

  /** One GetRecords call's answer and the wall-clock time it was requested at. */
  private record Call(GetRecordsResult result, long requestedAtMillis) {}

  /**
   * A fetcher that calls GetRecords on the reader's thread ({@code prefetcher} null) or reads one
   * call ahead on {@code prefetcher}.
   */
  PollingShardFetcher(StreamClient client, String stream, String shardId, int limit, long pollNanos,
      Backoff backoff, StartingPosition start, @Nullable Executor prefetcher) {
    this.client = client;
    this.stream = stream;
    this.shardId = shardId;
    this.limit = limit;
    this.pollNanos = pollNanos;
    this.backoff = backoff;
    this.start = start;
    this.prefetcher = prefetcher;
  }

  @Override
  public Batch fetch(long nowNanos) throws IOException {
    CompletableFuture<Call> pending = inFlight;
    inFlight = null;
    Call call;
    try {
      if (pending != null) {
        call = await(pending);
      } else {
        if (nowNanos < nextCallNanos) {
          return Batch.empty();
        }
        call = call();
      }
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
    backoff.reset();
    GetRecordsResult result = call.result();
    boolean ended = iterator == null;
    nextCallNanos = result.records().isEmpty() && !ended ? nowNanos + pollNanos : nowNanos;
    if (prefetcher != null && !result.records().isEmpty() && !ended && result.millisBehindLatest() > 0) {
      inFlight = CompletableFuture.supplyAsync(this::call, prefetcher);
    }
    return new Batch(result.records(), result.millisBehindLatest(), ended, result.childShards(), call.requestedAtMillis());
  }

  /** One GetRecords call, renewing the iterator first if it has none; at most one runs at a time. */
  private Call call() {
    if (iterator == null) {
      // A renewed iterator continues after the last record fetched, not after the last one handed
      // downstream: records in between are already buffered in the reader.
      iterator = client.getShardIterator(stream, shardId, lastFetchedSequence == null
          ? start : StartingPosition.afterSequenceNumber(lastFetchedSequence));
    }
    long requestedAtMillis = System.currentTimeMillis();
    GetRecordsResult result = client.getRecords(iterator, limit);
    iterator = result.nextShardIterator();
    if (!result.records().isEmpty()) {
      lastFetchedSequence = result.records().get(result.records().size() - 1).sequenceNumber();
    }
    return new Call(result, requestedAtMillis);
  }

  private static Call await(CompletableFuture<Call> pending) throws IOException {
    try {
      return pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.cancel(true);
      throw new InterruptedIOException("interrupted while waiting for a GetRecords call");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause);
    }
  }

  @Override
  public void close() {
    CompletableFuture<Call> pending = inFlight;
    inFlight = null;
    if (pending != null) {
      pending.cancel(true);
    }
  }
}
