package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.ShardLog;
import dev.freshet.kinesis.store.StreamMetadata.ShardMetadata;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.SequenceNumberRange;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardMetrics;
import java.io.IOException;
import java.math.BigInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One shard of a stream: its lineage and hash-key range, its log, its throttle and its counters.
 * The lineage fields never change; the shard closes once, under the stream's reshard lock, when
 * {@link #close} records the offset it ended at.
 */
final class ShardState {
  final int ordinal;
  final String shardId;
  final @Nullable Integer parent;
  final @Nullable Integer adjacentParent;
  final HashKeyRange hashKeyRange;
  final long createdMillis;
  final ShardLog log;
  final @Nullable ShardThrottle throttle;

  /** What each producer of idempotent writes wrote here; see {@link ProducerWindows}. */
  final ProducerWindows producers = new ProducerWindows();

  private volatile @Nullable Long endingOffset;
  private volatile @Nullable Long closedMillis;

  /** The first offset within retention, refreshed by the stream at most once a second. */
  volatile long trimOffset;

  volatile long trimComputedAtMillis = Long.MIN_VALUE;

  final LongAdder incomingRecords = new LongAdder();
  final LongAdder incomingBytes = new LongAdder();
  final LongAdder outgoingRecords = new LongAdder();
  final LongAdder outgoingBytes = new LongAdder();
  final LongAdder writeThrottled = new LongAdder();
  final LongAdder readThrottled = new LongAdder();
  volatile long iteratorAgeMillis;

  ShardState(ShardMetadata metadata, ShardLog log, @Nullable ShardThrottle throttle) {
    this.ordinal = metadata.ordinal();
    this.shardId = SequenceNumbers.shardId(ordinal);
    this.parent = metadata.parent();
    this.adjacentParent = metadata.adjacentParent();
    this.hashKeyRange =
        HashKeyRange.of(
            new BigInteger(metadata.startingHashKey()), new BigInteger(metadata.endingHashKey()));
    this.createdMillis = metadata.createdMillis();
    this.endingOffset = metadata.endingOffset();
    this.closedMillis = metadata.closedMillis();
    this.log = log;
    this.throttle = throttle;
    this.trimOffset = log.startOffset();
  }

  boolean isOpen() {
    return endingOffset == null;
  }

  /** The offset after the last record of a closed shard; null while open. */
  @Nullable Long endingOffset() {
    return endingOffset;
  }

  @Nullable Long closedMillis() {
    return closedMillis;
  }

  /** Closes the shard at its current end; the caller holds the stream's reshard lock. */
  void close(long nowMillis) {
    endingOffset = log.endOffset();
    closedMillis = nowMillis;
  }

  /** Undoes {@link #close} when the reshard that closed the shard could not be recorded. */
  void reopenAfterFailedReshard() {
    endingOffset = null;
    closedMillis = null;
  }

  /** Seals the log after the closing was recorded in the stream's metadata. */
  void sealLog() throws IOException {
    log.seal();
  }

  /**
   * The sequence number of the record at {@code offset}. Records are numbered from 1, so that the
   * shard's starting sequence number (number 0) sorts below its first record, as the service's does:
   * reading AFTER the starting number, or after a subscription's continuation number before any
   * record was seen, starts at the first record.
   */
  String sequenceNumber(long offset) {
    return SequenceNumbers.format(ordinal, offset + 1);
  }

  /** The offset of the record numbered {@code sequenceNumber}; -1 for the starting number. */
  long offsetOf(String sequenceNumber) {
    return SequenceNumbers.offset(sequenceNumber) - 1;
  }

  Shard toShard() {
    Long ending = endingOffset;
    String endingSequence = ending == null ? null : sequenceNumber(ending - 1);
    return Shard.of(
        shardId,
        parent == null ? null : SequenceNumbers.shardId(parent),
        adjacentParent == null ? null : SequenceNumbers.shardId(adjacentParent),
        hashKeyRange,
        SequenceNumberRange.of(SequenceNumbers.format(ordinal, 0), endingSequence));
  }

  ShardMetadata toMetadata() {
    return new ShardMetadata(
        ordinal,
        parent,
        adjacentParent,
        hashKeyRange.startingHashKey().toString(),
        hashKeyRange.endingHashKey().toString(),
        createdMillis,
        endingOffset,
        closedMillis);
  }

  /** Whether the shard was open at {@code millis}: created by then and not closed before it. */
  boolean wasOpenAt(long millis) {
    Long closed = closedMillis;
    return createdMillis <= millis && (closed == null || closed >= millis);
  }

  /** Whether the shard was open at {@code millis} or any time after. */
  boolean openAtOrAfter(long millis) {
    Long closed = closedMillis;
    return closed == null || closed >= millis;
  }

  ShardMetrics metrics() {
    return ShardMetrics.of(
        incomingRecords.sum(),
        incomingBytes.sum(),
        outgoingRecords.sum(),
        outgoingBytes.sum(),
        writeThrottled.sum(),
        readThrottled.sum(),
        iteratorAgeMillis);
  }
}
