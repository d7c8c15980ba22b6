package dev.freshet.cli;

import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes records to one stream in PutRecords batches of at most {@value #MAX_RECORDS} records and
 * {@value #MAX_BYTES} bytes (the service's limits, counting partition keys), retrying only the
 * entries that failed, with exponential back-off, up to {@value #MAX_ATTEMPTS} attempts.
 *
 * <p>Every record passed to {@link #add} is written once {@link #flush} returns; a record that
 * still fails after the last attempt makes {@link #flush} throw, naming the error. Not
 * thread-safe.
 */
final class BatchWriter {
  static final int MAX_RECORDS = 500;
  static final int MAX_BYTES = 5 * 1024 * 1024;
  static final int MAX_ATTEMPTS = 10;
  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final StreamClient client;
  private final String stream;
  private final List<PutRecordsEntry> pending = new ArrayList<>();
  private long pendingBytes;
  private final Map<String, ShardStats> shards = new TreeMap<>();
  private long records;
  private long bytes;
  private long retries;

  /** What was written to one shard. */
  static final class ShardStats {
    String firstSequenceNumber;
    long records;
    long bytes;
  }

  BatchWriter(StreamClient client, String stream) {
    this.client = client;
    this.stream = stream;
  }

  /** Adds a record to the batch, first writing the batch if the record would not fit. */
  void add(PutRecordsEntry entry) {
    long size = size(entry);
    if (pending.size() == MAX_RECORDS || (!pending.isEmpty() && pendingBytes + size > MAX_BYTES)) {
      flush();
    }
    pending.add(entry);
    pendingBytes += size;
  }

  /** Writes every pending record. */
  void flush() {
    List<PutRecordsEntry> remaining = new ArrayList<>(pending);
    pending.clear();
    pendingBytes = 0;
    long backoff = FIRST_BACKOFF_MILLIS;
    for (int attempt = 1; !remaining.isEmpty(); attempt++) {
      List<PutRecordsEntry> failed = new ArrayList<>();
      PutRecordsResultEntry lastFailure = null;
      try {
        PutRecordsResult result = client.putRecords(stream, remaining);
        for (int i = 0; i < remaining.size(); i++) {
          PutRecordsResultEntry outcome = result.records().get(i);
          if (outcome.isSuccessful()) {
            written(remaining.get(i), outcome);
          } else {
            failed.add(remaining.get(i));
            lastFailure = outcome;
          }
        }
      } catch (StreamException e) {
        if (!e.isRetryable() || attempt == MAX_ATTEMPTS) {
          throw e;
        }
        failed = remaining;
      }
      if (failed.isEmpty()) {
        return;
      }
      if (attempt == MAX_ATTEMPTS) {
        String message = String.format("%d records still failing after %d attempts; the last: %s",
            failed.size(), MAX_ATTEMPTS, lastFailure.errorMessage());
        throw "ProvisionedThroughputExceededException".equals(lastFailure.errorCode())
            ? new ProvisionedThroughputExceededException(message)
            : new InternalFailureException(lastFailure.errorCode() + ": " + message);
      }
      retries += failed.size();
      remaining = failed;
      sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  long records() {
    return records;
  }

  /** Data bytes written (partition keys not counted). */
  long bytes() {
    return bytes;
  }

  /** How many entry writes were retried. */
  long retries() {
    return retries;
  }

  /** Per shard id, in shard-id order. */
  Map<String, ShardStats> shards() {
    return shards;
  }

  private void written(PutRecordsEntry entry, PutRecordsResultEntry outcome) {
    ShardStats stats = shards.computeIfAbsent(outcome.shardId(), id -> new ShardStats());
    if (stats.firstSequenceNumber == null) {
      stats.firstSequenceNumber = outcome.sequenceNumber();
    }
    stats.records++;
    stats.bytes += entry.data().length;
    records++;
    bytes += entry.data().length;
  }

  private static long size(PutRecordsEntry entry) {
    return entry.data().length + entry.partitionKey().getBytes(StandardCharsets.UTF_8).length;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while retrying a write", e);
    }
  }
}
