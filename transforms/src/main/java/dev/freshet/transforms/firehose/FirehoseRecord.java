package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.freshet.sdk.io.StreamRecord;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.joda.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One record handed to {@link FirehoseDelivery}: its data, the time it arrived (which names the
 * object it lands in), and optionally a partition key and an id.
 *
 * <p>The id is the {@code recordId} a {@link RecordTransformer} sees; records without one get a
 * fresh id when they are transformed. Records read by {@code StreamIO.read()} become Firehose
 * records with {@link #fromStreamRecord}, keeping their partition key and using their sequence
 * number as id.
 */
@AutoValue
@DefaultCoder(FirehoseRecordCoder.class)
public abstract class FirehoseRecord {
  /** The largest record the service takes: 1,000 KiB of data. */
  public static final int MAX_DATA_BYTES = 1000 * 1024;

  /** A record of {@code data} that arrived at {@code approximateArrivalTimestamp}. */
  public static FirehoseRecord of(byte[] data, Instant approximateArrivalTimestamp) {
    return of(data, approximateArrivalTimestamp, null, null);
  }

  /** A record with a partition key and an id, either of which may be null. */
  public static FirehoseRecord of(byte[] data, Instant approximateArrivalTimestamp,
      @Nullable String partitionKey, @Nullable String recordId) {
    checkNotNull(data, "data");
    checkNotNull(approximateArrivalTimestamp, "approximateArrivalTimestamp");
    checkArgument(data.length <= MAX_DATA_BYTES,
        "a record's data must be at most %s bytes, but was: %s bytes", MAX_DATA_BYTES, data.length);
    return new AutoValue_FirehoseRecord(data, approximateArrivalTimestamp, partitionKey, recordId);
  }

  /** A UTF-8 text record. */
  public static FirehoseRecord ofText(String text, Instant approximateArrivalTimestamp) {
    return of(text.getBytes(StandardCharsets.UTF_8), approximateArrivalTimestamp);
  }

  /**
   * The record read from a stream: same data, arrival time and partition key; the id is the
   * sequence number (with the sub-sequence number of a de-aggregated KPL user record).
   */
  public static FirehoseRecord fromStreamRecord(StreamRecord record) {
    String id = record.subSequenceNumber() == 0
        ? record.sequenceNumber()
        : record.sequenceNumber() + "-" + record.subSequenceNumber();
    return new AutoValue_FirehoseRecord(record.data(), record.approximateArrivalTimestamp(),
        record.partitionKey(), id);
  }

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  public abstract Instant approximateArrivalTimestamp();

  public abstract @Nullable String partitionKey();

  public abstract @Nullable String recordId();

  /** A record of data that may exceed the service's record limit (error lines carry base64). */
  static FirehoseRecord unchecked(byte[] data, Instant approximateArrivalTimestamp) {
    return new AutoValue_FirehoseRecord(data, approximateArrivalTimestamp, null, null);
  }

  /** This record with other data, same arrival time, key and id. */
  FirehoseRecord withData(byte[] newData) {
    return new AutoValue_FirehoseRecord(newData, approximateArrivalTimestamp(), partitionKey(), recordId());
  }

  /** This record with an id. */
  FirehoseRecord withRecordId(String id) {
    return new AutoValue_FirehoseRecord(data(), approximateArrivalTimestamp(), partitionKey(), id);
  }
}
