package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.Map;

/** The counters of a stream's shards, by shard id, and their totals. */
@AutoValue
public abstract class StreamMetrics {
  public static StreamMetrics of(String streamName, Map<String, ShardMetrics> shards) {
    return new AutoValue_StreamMetrics(streamName, Map.copyOf(shards));
  }

  public abstract String streamName();

  public abstract Map<String, ShardMetrics> shards();

  public long incomingRecords() {
    return shards().values().stream().mapToLong(ShardMetrics::incomingRecords).sum();
  }

  public long incomingBytes() {
    return shards().values().stream().mapToLong(ShardMetrics::incomingBytes).sum();
  }

  public long outgoingRecords() {
    return shards().values().stream().mapToLong(ShardMetrics::outgoingRecords).sum();
  }

  public long outgoingBytes() {
    return shards().values().stream().mapToLong(ShardMetrics::outgoingBytes).sum();
  }

  public long throttledRequests() {
    return shards().values().stream()
        .mapToLong(m -> m.writeProvisionedThroughputExceeded() + m.readProvisionedThroughputExceeded())
        .sum();
  }

  /** The largest iterator age over the shards. */
  public long iteratorAgeMillis() {
    return shards().values().stream().mapToLong(ShardMetrics::iteratorAgeMillis).max().orElse(0);
  }
}
