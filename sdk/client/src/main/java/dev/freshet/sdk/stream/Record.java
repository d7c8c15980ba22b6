package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.time.Instant;

/** A record as read from a shard: sequence number, arrival time, partition key and data. */
@AutoValue
public abstract class Record {
  public static Record of(
      String sequenceNumber,
      Instant approximateArrivalTimestamp,
      String partitionKey,
      byte[] data,
      EncryptionType encryptionType) {
    return new AutoValue_Record(
        sequenceNumber, approximateArrivalTimestamp, partitionKey, data, encryptionType);
  }

  public abstract String sequenceNumber();

  public abstract Instant approximateArrivalTimestamp();

  public abstract String partitionKey();

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  /** KMS when the record was written while the stream was encrypted (reads decrypt it). */
  public abstract EncryptionType encryptionType();
}
