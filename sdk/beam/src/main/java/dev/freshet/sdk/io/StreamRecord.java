package dev.freshet.sdk.io;

import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.joda.time.Instant;

/**
 * A record read by {@link StreamIO#read()}: where it came from (stream, shard, sequence number and,
 * for a record packed by the Kinesis Producer Library, its sub-sequence number), its partition key,
 * the time the stream received it, and its data.
 */
@AutoValue
@DefaultCoder(StreamRecordCoder.class)
public abstract class StreamRecord {
  public static StreamRecord of(String streamName, String shardId, String sequenceNumber,
      long subSequenceNumber, String partitionKey, Instant approximateArrivalTimestamp, byte[] data) {
    return new AutoValue_StreamRecord(streamName, shardId, sequenceNumber, subSequenceNumber,
        partitionKey, approximateArrivalTimestamp, data);
  }

  public abstract String streamName();

  public abstract String shardId();

  public abstract String sequenceNumber();

  /** The position within a KPL aggregate; 0 for a record that was not aggregated. */
  public abstract long subSequenceNumber();

  public abstract String partitionKey();

  public abstract Instant approximateArrivalTimestamp();

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  /** The data as UTF-8 text. */
  public String dataAsString() {
    return new String(data(), StandardCharsets.UTF_8);
  }

  /** A stable identity for deduplication: stream, shard, sequence and sub-sequence number. */
  public byte[] uniqueId() {
    return (streamName() + '/' + shardId() + '/' + sequenceNumber() + '/' + subSequenceNumber())
        .getBytes(StandardCharsets.UTF_8);
  }
}
