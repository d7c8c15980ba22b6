package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A stream without its shard list (DescribeStreamSummary, ListStreams). */
@AutoValue
public abstract class StreamSummary {
  public static Builder builder() {
    return new AutoValue_StreamSummary.Builder()
        .setEncryptionType(EncryptionType.NONE)
        .setEnhancedMonitoring(Set.of())
        .setConsumerCount(0);
  }

  public abstract String streamName();

  /** {@code arn:aws:kinesis:<region>:<account>:stream/<name>}. */
  public abstract String streamArn();

  public abstract StreamStatus streamStatus();

  public abstract StreamMode streamMode();

  public abstract int retentionPeriodHours();

  public abstract Instant creationTimestamp();

  public abstract EncryptionType encryptionType();

  /** The key id records are encrypted with; null when encryption is off. */
  public abstract @Nullable String keyId();

  public abstract int openShardCount();

  public abstract int consumerCount();

  /** The shard-level metrics enabled with EnableEnhancedMonitoring. */
  public abstract Set<String> enhancedMonitoring();

  public abstract Builder toBuilder();

  /** Builder for {@link StreamSummary}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setStreamName(String value);

    public abstract Builder setStreamArn(String value);

    public abstract Builder setStreamStatus(StreamStatus value);

    public abstract Builder setStreamMode(StreamMode value);

    public abstract Builder setRetentionPeriodHours(int value);

    public abstract Builder setCreationTimestamp(Instant value);

    public abstract Builder setEncryptionType(EncryptionType value);

    public abstract Builder setKeyId(@Nullable String value);

    public abstract Builder setOpenShardCount(int value);

    public abstract Builder setConsumerCount(int value);

    public abstract Builder setEnhancedMonitoring(Set<String> value);

    public abstract StreamSummary build();
  }
}
