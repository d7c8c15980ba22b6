package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.RecordPage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.jspecify.annotations.Nullable;
import org.joda.time.Instant;

/**
 * A record read by {@link StreamIO#read()}: where it came from (stream, shard, sequence number and,
 * for a record packed by the Kinesis Producer Library, its sub-sequence number), its partition key,
 * the time the stream received it, and its data.
 *
 * <p>A value type (equality over every field, the data compared by content) written by hand rather
 * than with AutoValue, for one reason: a record read through {@code freshet server} keeps its
 * sequence number as the answer's prefix and a number, and writes it out only when {@link
 * #sequenceNumber()} is first asked for. Most pipelines never ask, and writing out a 30-digit number
 * for every record was a tenth of a read's CPU.
 */
@DefaultCoder(StreamRecordCoder.class)
public final class StreamRecord {
  private final String streamName;
  private final String shardId;
  /** Written out on first use when the record was made from its parts; a benign race (String is immutable). */
  private @Nullable String sequenceNumber;
  private final @Nullable String sequencePrefix;
  private final long sequenceValue;
  private final int sequenceDigits;
  private final long subSequenceNumber;
  private final String partitionKey;
  private final Instant approximateArrivalTimestamp;
  private final byte[] data;

  private StreamRecord(String streamName, String shardId, @Nullable String sequenceNumber,
      @Nullable String sequencePrefix, long sequenceValue, int sequenceDigits, long subSequenceNumber,
      String partitionKey, Instant approximateArrivalTimestamp, byte[] data) {
    this.streamName = checkNotNull(streamName, "streamName");
    this.shardId = checkNotNull(shardId, "shardId");
    this.sequenceNumber = sequenceNumber;
    this.sequencePrefix = sequencePrefix;
    this.sequenceValue = sequenceValue;
    this.sequenceDigits = sequenceDigits;
    this.subSequenceNumber = subSequenceNumber;
    this.partitionKey = checkNotNull(partitionKey, "partitionKey");
    this.approximateArrivalTimestamp = checkNotNull(approximateArrivalTimestamp, "approximateArrivalTimestamp");
    this.data = checkNotNull(data, "data");
  }

  public static StreamRecord of(String streamName, String shardId, String sequenceNumber,
      long subSequenceNumber, String partitionKey, Instant approximateArrivalTimestamp, byte[] data) {
    return new StreamRecord(streamName, shardId, checkNotNull(sequenceNumber, "sequenceNumber"), null, 0, 0,
        subSequenceNumber, partitionKey, approximateArrivalTimestamp, data);
  }

  /**
   * A record whose sequence number is {@code sequencePrefix}, then {@code sequenceValue} zero-padded
   * to {@code sequenceDigits} digits (as {@link RecordPage#sequenceNumber(String, long, int)}),
   * written out when first asked for.
   */
  static StreamRecord withSequenceParts(String streamName, String shardId, String sequencePrefix,
      long sequenceValue, int sequenceDigits, long subSequenceNumber, String partitionKey,
      Instant approximateArrivalTimestamp, byte[] data) {
    return new StreamRecord(streamName, shardId, null, checkNotNull(sequencePrefix, "sequencePrefix"),
        sequenceValue, sequenceDigits, subSequenceNumber, partitionKey, approximateArrivalTimestamp, data);
  }

  public String streamName() {
    return streamName;
  }

  public String shardId() {
    return shardId;
  }

  public String sequenceNumber() {
    String number = sequenceNumber;
    if (number == null) {
      number = RecordPage.sequenceNumber(sequencePrefix, sequenceValue, sequenceDigits);
      sequenceNumber = number;
    }
    return number;
  }

  /** The position within a KPL aggregate; 0 for a record that was not aggregated. */
  public long subSequenceNumber() {
    return subSequenceNumber;
  }

  public String partitionKey() {
    return partitionKey;
  }

  public Instant approximateArrivalTimestamp() {
    return approximateArrivalTimestamp;
  }

  /** The data itself, not a copy. */
  @SuppressWarnings("mutable")
  public byte[] data() {
    return data;
  }

  /** The data as UTF-8 text. */
  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** A stable identity for deduplication: stream, shard, sequence and sub-sequence number. */
  public byte[] uniqueId() {
    return (streamName + '/' + shardId + '/' + sequenceNumber() + '/' + subSequenceNumber)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    return o instanceof StreamRecord that
        && streamName.equals(that.streamName)
        && shardId.equals(that.shardId)
        && subSequenceNumber == that.subSequenceNumber
        && sequenceNumber().equals(that.sequenceNumber())
        && partitionKey.equals(that.partitionKey)
        && approximateArrivalTimestamp.equals(that.approximateArrivalTimestamp)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(streamName, shardId, sequenceNumber(), subSequenceNumber, partitionKey,
        approximateArrivalTimestamp, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "StreamRecord{streamName=" + streamName + ", shardId=" + shardId + ", sequenceNumber=" + sequenceNumber()
        + ", subSequenceNumber=" + subSequenceNumber + ", partitionKey=" + partitionKey
        + ", approximateArrivalTimestamp=" + approximateArrivalTimestamp + ", data=" + Arrays.toString(data) + "}";
  }
}
