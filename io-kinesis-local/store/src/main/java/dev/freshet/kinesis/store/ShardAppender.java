package dev.freshet.kinesis.store;

import dev.freshet.kinesis.crypto.RecordCipher;
import dev.freshet.kinesis.log.LogEntry;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The write half of a {@link StreamState}: appends one shard's share of a PutRecords batch to its
 * log with one append, encrypting each record when the stream has a key, charging the shard's
 * write throttle, and for idempotent entries answering repeats from the shard's producer windows
 * instead of appending them again. {@link StreamState#put} routes the batch and holds the reshard
 * lock around these calls.
 */
final class ShardAppender {
  private final String streamName;
  private final String account;
  private final RecordCipher cipher;
  private final byte[] associatedData;
  /** The stream's shards by ordinal, for rebuilding producer windows across a reshard. */
  private final IntFunction<@Nullable ShardState> shards;
  /**
   * Arrival times, read by each shard's log while it holds the append (see {@link
   * dev.freshet.kinesis.log.ShardLog#appendingAt}): a reader caught up at a moment never later
   * meets a record stamped before that moment.
   */
  private final LongSupplier clock;

  ShardAppender(String streamName, String account, RecordCipher cipher, byte[] associatedData,
      IntFunction<@Nullable ShardState> shards, LongSupplier clock) {
    this.streamName = streamName;
    this.account = account;
    this.cipher = cipher;
    this.associatedData = associatedData;
    this.shards = shards;
    this.clock = clock;
  }

  void appendGroup(ShardState shard, int[] indexes, List<PutRecordsEntry> entries,
      PutRecordsResultEntry[] results, @Nullable String encryptWith, byte attributes) {
    List<LogEntry> batch = new ArrayList<>(indexes.length);
    int[] written = new int[indexes.length];
    int writtenCount = 0;
    long bytes = 0;
    for (int index : indexes) {
      PutRecordsEntry entry = entries.get(index);
      byte[] key = entry.partitionKey().getBytes(StandardCharsets.UTF_8);
      long size = key.length + (long) entry.data().length;
      if (throttled(shard, size)) {
        results[index] = rateExceeded(shard);
        continue;
      }
      batch.add(encryptWith == null ? LogEntry.of(key, entry.data()) : seal(encryptWith, key, entry.data()));
      written[writtenCount++] = index;
      bytes += size;
    }
    if (writtenCount == 0) {
      return;
    }
    long base;
    try {
      base = shard.log.append(clock, attributes, batch);
    } catch (IOException e) {
      for (int i = 0; i < writtenCount; i++) {
        results[written[i]] = PutRecordsResultEntry.failure("InternalFailure",
            "could not write to " + shard.shardId + ": " + e.getMessage());
      }
      return;
    }
    for (int i = 0; i < writtenCount; i++) {
      results[written[i]] = PutRecordsResultEntry.success(
          shard.shardId, shard.sequenceNumber(base + i));
    }
    shard.incomingRecords.add(writtenCount);
    shard.incomingBytes.add(bytes);
  }

  static boolean anyIdempotent(List<PutRecordsEntry> entries, int[] indexes) {
    for (int index : indexes) {
      if (entries.get(index).producerId() != null) {
        return true;
      }
    }
    return false;
  }

  /** One producer's record, to find repeats within a batch. */
  private record ProducerRecord(String producerId, BigInteger sequence) {}

  /**
   * {@link #appendGroup} for a group with idempotent entries: under the shard's producer lock, a
   * repeat of a record the shard holds (or of an earlier entry of the same batch) is answered with
   * the original's sequence number and not appended, and every other entry is appended with its
   * {@link ProducerHeader}. Repeats cost no write capacity.
   */
  void appendIdempotentGroup(ShardState shard, int[] indexes, List<PutRecordsEntry> entries,
      PutRecordsResultEntry[] results, @Nullable String encryptWith, byte attributes) {
    ProducerWindows windows = shard.producers;
    windows.lock.lock();
    try {
      try {
        windows.ensureLoaded(shard, shards);
      } catch (IOException e) {
        for (int index : indexes) {
          results[index] = PutRecordsResultEntry.failure("InternalFailure",
              "could not read the producers of " + shard.shardId + ": " + e.getMessage());
        }
        return;
      }
      List<LogEntry> batch = new ArrayList<>(indexes.length);
      int[] written = new int[indexes.length];
      int writtenCount = 0;
      Map<ProducerRecord, Integer> inBatch = new HashMap<>();
      // Entry index -> position in batch of the earlier entry it repeats.
      Map<Integer, Integer> repeats = new HashMap<>();
      long bytes = 0;
      for (int index : indexes) {
        PutRecordsEntry entry = entries.get(index);
        ProducerRecord producer = null;
        if (entry.producerId() != null) {
          ProducerWindows.Origin original = windows.find(entry.producerId(), entry.producerSequence());
          if (original != null) {
            results[index] = PutRecordsResultEntry.duplicate(SequenceNumbers.shardId(original.ordinal()),
                SequenceNumbers.format(original.ordinal(), original.offset() + 1));
            continue;
          }
          producer = new ProducerRecord(entry.producerId(), entry.producerSequence());
          Integer earlier = inBatch.get(producer);
          if (earlier != null) {
            repeats.put(index, earlier);
            continue;
          }
        }
        byte[] key = entry.partitionKey().getBytes(StandardCharsets.UTF_8);
        long size = key.length + (long) entry.data().length;
        if (throttled(shard, size)) {
          results[index] = rateExceeded(shard);
          continue;
        }
        LogEntry record = encryptWith == null ? LogEntry.of(key, entry.data()) : seal(encryptWith, key, entry.data());
        batch.add(LogEntry.of(record.key(),
            ProducerHeader.wrap(entry.producerId(), entry.producerSequence(), record.value())));
        if (producer != null) {
          inBatch.put(producer, batch.size() - 1);
        }
        written[writtenCount++] = index;
        bytes += size;
      }
      if (writtenCount == 0) {
        return;
      }
      long base;
      try {
        base = shard.log.append(clock, attributes, batch);
      } catch (IOException e) {
        String message = "could not write to " + shard.shardId + ": " + e.getMessage();
        for (int i = 0; i < writtenCount; i++) {
          results[written[i]] = PutRecordsResultEntry.failure("InternalFailure", message);
        }
        for (int index : repeats.keySet()) {
          results[index] = PutRecordsResultEntry.failure("InternalFailure", message);
        }
        return;
      }
      for (int i = 0; i < writtenCount; i++) {
        PutRecordsEntry entry = entries.get(written[i]);
        results[written[i]] = PutRecordsResultEntry.success(shard.shardId, shard.sequenceNumber(base + i));
        if (entry.producerId() != null) {
          windows.record(entry.producerId(), entry.producerSequence(),
              new ProducerWindows.Origin(shard.ordinal, base + i));
        }
      }
      for (Map.Entry<Integer, Integer> repeat : repeats.entrySet()) {
        results[repeat.getKey()] =
            PutRecordsResultEntry.duplicate(shard.shardId, shard.sequenceNumber(base + repeat.getValue()));
      }
      shard.incomingRecords.add(writtenCount);
      shard.incomingBytes.add(bytes);
    } finally {
      windows.lock.unlock();
    }
  }

  private LogEntry seal(String withKeyId, byte[] partitionKey, byte[] data) {
    ByteBuffer plain = ByteBuffer.allocate(2 + partitionKey.length + data.length);
    plain.putShort((short) partitionKey.length).put(partitionKey).put(data);
    byte[] sealed = cipher.encrypt(withKeyId, plain.array(), associatedData);
    return LogEntry.of(withKeyId.getBytes(StandardCharsets.UTF_8), sealed);
  }

  /** Whether {@code shard}'s write limits refuse {@code size} more bytes now (counted if so). */
  private static boolean throttled(ShardState shard, long size) {
    if (shard.throttle != null && !shard.throttle.tryAcquireWrite(1, size)) {
      shard.writeThrottled.increment();
      return true;
    }
    return false;
  }

  private PutRecordsResultEntry rateExceeded(ShardState shard) {
    return PutRecordsResultEntry.failure("ProvisionedThroughputExceededException",
        String.format("Rate exceeded for shard %s in stream %s under account %s.",
            shard.shardId, streamName, account));
  }
}
