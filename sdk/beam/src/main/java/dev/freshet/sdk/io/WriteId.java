package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.freshet.sdk.stream.PutRecordsEntry;
import java.math.BigInteger;

/**
 * The identity of one written record for {@link StreamIO.Write#withIdempotentIds idempotent
 * writes}: a producer id and a sequence within that producer. The target store writes each
 * producer's sequence into a shard once, so an element written again with the same id (after a
 * retry or a Flink restart from a checkpoint) is not stored twice.
 *
 * <p>An id must be a pure function of the element's position in the input, the same in every run:
 * for records read by {@link StreamIO#read()}, {@link #fromSource(StreamRecord)}. Within one
 * producer, sequences must increase in the order the writer sees the elements (a replay repeats
 * them in the same order); the store keeps the last 2,048 per producer and shard exactly and treats
 * anything older than those as already written.
 */
@AutoValue
public abstract class WriteId {
  /** Outputs one source record may give: {@link #fromSource(StreamRecord, int)}'s index is below this. */
  public static final int MAX_OUTPUTS_PER_RECORD = 1 << 16;

  private static final long MAX_SUB_SEQUENCE = (1L << 32) - 1;

  /**
   * An id of producer {@code producerId} (1 to 256 characters) at {@code sequence} (0 to 10^128 -
   * 1).
   */
  public static WriteId of(String producerId, BigInteger sequence) {
    checkNotNull(producerId, "producerId");
    checkNotNull(sequence, "sequence");
    int chars = producerId.codePointCount(0, producerId.length());
    checkArgument(chars >= 1 && chars <= PutRecordsEntry.MAX_PRODUCER_ID_CHARS,
        "producerId must have 1 to %s characters, but had: %s", PutRecordsEntry.MAX_PRODUCER_ID_CHARS, chars);
    checkArgument(sequence.signum() >= 0 && sequence.compareTo(PutRecordsEntry.MAX_PRODUCER_SEQUENCE) <= 0,
        "sequence must be between 0 and 10^128 - 1, but was: %s", sequence);
    return new AutoValue_WriteId(producerId, sequence);
  }

  /**
   * The id of the one output written for {@code record}, read by {@link StreamIO#read()}: the
   * producer is the record's stream and shard, the sequence its sequence and sub-sequence number. A
   * shard is read in order by one reader, so these ids increase in the order a writer fed straight
   * from the read (through maps and filters, without a shuffle) sees them.
   */
  public static WriteId fromSource(StreamRecord record) {
    return fromSource(record, 0);
  }

  /**
   * The id of output number {@code index} (0 to {@value #MAX_OUTPUTS_PER_RECORD} - 1) written for
   * {@code record}, for steps that turn one read record into several; number the outputs the same
   * way in every run.
   */
  public static WriteId fromSource(StreamRecord record, int index) {
    checkNotNull(record, "record");
    checkArgument(index >= 0 && index < MAX_OUTPUTS_PER_RECORD,
        "index must be between 0 and %s, but was: %s", MAX_OUTPUTS_PER_RECORD - 1, index);
    checkArgument(record.subSequenceNumber() >= 0 && record.subSequenceNumber() <= MAX_SUB_SEQUENCE,
        "subSequenceNumber must be between 0 and 2^32 - 1, but was: %s", record.subSequenceNumber());
    // sequence number | 32-bit sub-sequence number | 16-bit output index: increasing in read order.
    BigInteger sequence = new BigInteger(record.sequenceNumber()).shiftLeft(48)
        .or(BigInteger.valueOf(record.subSequenceNumber()).shiftLeft(16))
        .or(BigInteger.valueOf(index));
    return of(record.streamName() + "/" + record.shardId(), sequence);
  }

  /** Groups the writes of one producer; several writers may share it only for the same records. */
  public abstract String producerId();

  /** The record's place in its producer's sequence. */
  public abstract BigInteger sequence();

  /** This id with {@code prefix} before the producer id, to keep two jobs' ids apart. */
  public WriteId withProducerPrefix(String prefix) {
    return of(prefix + producerId(), sequence());
  }
}
