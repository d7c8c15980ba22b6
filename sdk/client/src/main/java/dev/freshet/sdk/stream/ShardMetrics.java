package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;

/**
 * Counters of one shard since the store opened: records and bytes in and out, requests refused by
 * throttling, and the iterator age (how far behind the newest record the last read was).
 */
@AutoValue
public abstract class ShardMetrics {
  public static ShardMetrics of(
      long incomingRecords,
      long incomingBytes,
      long outgoingRecords,
      long outgoingBytes,
      long writeProvisionedThroughputExceeded,
      long readProvisionedThroughputExceeded,
      long iteratorAgeMillis) {
    return new AutoValue_ShardMetrics(
        incomingRecords,
        incomingBytes,
        outgoingRecords,
        outgoingBytes,
        writeProvisionedThroughputExceeded,
        readProvisionedThroughputExceeded,
        iteratorAgeMillis);
  }

  public abstract long incomingRecords();

  public abstract long incomingBytes();

  public abstract long outgoingRecords();

  public abstract long outgoingBytes();

  public abstract long writeProvisionedThroughputExceeded();

  public abstract long readProvisionedThroughputExceeded();

  public abstract long iteratorAgeMillis();
}
