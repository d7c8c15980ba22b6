package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A stream with all of its shards, open and closed, oldest first (DescribeStream). */
@AutoValue
public abstract class StreamDescription {
  public static StreamDescription of(StreamSummary summary, List<Shard> shards) {
    return new AutoValue_StreamDescription(summary, List.copyOf(shards));
  }

  public abstract StreamSummary summary();

  /** Every shard still within retention, open or closed, in creation order. */
  public abstract List<Shard> shards();

  public String streamName() {
    return summary().streamName();
  }

  public String streamArn() {
    return summary().streamArn();
  }

  public StreamStatus streamStatus() {
    return summary().streamStatus();
  }

  public StreamMode streamMode() {
    return summary().streamMode();
  }

  public int retentionPeriodHours() {
    return summary().retentionPeriodHours();
  }

  public Instant creationTimestamp() {
    return summary().creationTimestamp();
  }

  public EncryptionType encryptionType() {
    return summary().encryptionType();
  }

  public @Nullable String keyId() {
    return summary().keyId();
  }
}
