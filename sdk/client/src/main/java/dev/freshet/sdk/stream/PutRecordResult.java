package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;

/** Where a written record went: its shard and sequence number (PutRecord). */
@AutoValue
public abstract class PutRecordResult {
  public static PutRecordResult of(String shardId, String sequenceNumber, EncryptionType encryptionType) {
    return new AutoValue_PutRecordResult(shardId, sequenceNumber, encryptionType);
  }

  public abstract String shardId();

  public abstract String sequenceNumber();

  public abstract EncryptionType encryptionType();
}
