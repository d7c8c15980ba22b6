package dev.freshet.transforms.firehose;

import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import org.joda.time.Instant;

/** One record in a {@link RecordTransformer}'s batch: the Lambda input record. */
@AutoValue
public abstract class TransformationRecord {
  public static TransformationRecord of(String recordId, byte[] data, Instant approximateArrivalTimestamp) {
    return new AutoValue_TransformationRecord(recordId, data, approximateArrivalTimestamp);
  }

  public abstract String recordId();

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  public abstract Instant approximateArrivalTimestamp();

  /** The data as UTF-8 text. */
  public String dataAsString() {
    return new String(data(), StandardCharsets.UTF_8);
  }
}
