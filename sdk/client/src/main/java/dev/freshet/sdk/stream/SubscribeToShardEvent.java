package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;

/**
 * One push of an enhanced fan-out subscription: the records, the sequence number to resume after
 * ({@link #continuationSequenceNumber()}), how far behind the shard's newest record it is, and, in
 * the last event of a closed shard, its child shards.
 */
@AutoValue
public abstract class SubscribeToShardEvent {
  public static SubscribeToShardEvent of(
      List<Record> records,
      String continuationSequenceNumber,
      long millisBehindLatest,
      List<ChildShard> childShards) {
    return new AutoValue_SubscribeToShardEvent(
        List.copyOf(records), continuationSequenceNumber, millisBehindLatest, List.copyOf(childShards));
  }

  public abstract List<Record> records();

  /** Resume a later subscription with {@code afterSequenceNumber} of this. */
  public abstract String continuationSequenceNumber();

  public abstract long millisBehindLatest();

  public abstract List<ChildShard> childShards();
}
