package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one entry of a batch write: its shard and sequence number, or the error code
 * (such as {@code ProvisionedThroughputExceededException}) and message of its failure. An
 * idempotent entry the store had already written is a success marked {@link #duplicate()}.
 */
@AutoValue
public abstract class PutRecordsResultEntry {
  public static PutRecordsResultEntry success(String shardId, String sequenceNumber) {
    return new AutoValue_PutRecordsResultEntry(shardId, sequenceNumber, null, null, false);
  }

  /**
   * An idempotent entry that was written before and not appended again: its shard and the original
   * record's sequence number (or, when the store no longer knows the original, the sequence number of
   * the producer's latest record the store knows in that shard, which is not smaller).
   */
  public static PutRecordsResultEntry duplicate(String shardId, String sequenceNumber) {
    return new AutoValue_PutRecordsResultEntry(shardId, sequenceNumber, null, null, true);
  }

  public static PutRecordsResultEntry failure(String errorCode, String errorMessage) {
    return new AutoValue_PutRecordsResultEntry(null, null, errorCode, errorMessage, false);
  }

  public abstract @Nullable String shardId();

  public abstract @Nullable String sequenceNumber();

  public abstract @Nullable String errorCode();

  public abstract @Nullable String errorMessage();

  /**
   * Whether the store recognised this idempotent entry as one it had written before (a Freshet
   * extension; always false for plain entries, and for clients that cannot see the flag).
   */
  public abstract boolean duplicate();

  public boolean isSuccessful() {
    return errorCode() == null;
  }
}
