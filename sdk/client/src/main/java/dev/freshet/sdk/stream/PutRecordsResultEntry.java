package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one entry of a batch write: its shard and sequence number, or the error code
 * (such as {@code ProvisionedThroughputExceededException}) and message of its failure.
 */
@AutoValue
public abstract class PutRecordsResultEntry {
  public static PutRecordsResultEntry success(String shardId, String sequenceNumber) {
    return new AutoValue_PutRecordsResultEntry(shardId, sequenceNumber, null, null);
  }

  public static PutRecordsResultEntry failure(String errorCode, String errorMessage) {
    return new AutoValue_PutRecordsResultEntry(null, null, errorCode, errorMessage);
  }

  public abstract @Nullable String shardId();

  public abstract @Nullable String sequenceNumber();

  public abstract @Nullable String errorCode();

  public abstract @Nullable String errorMessage();

  public boolean isSuccessful() {
    return errorCode() == null;
  }
}
