package dev.freshet.agent;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One flow of the agent: the files of a glob into one stream ({@code kinesisStream}) or one
 * delivery stream ({@code deliveryStream}), with the Kinesis Agent's keys and defaults. See
 * docs/agent.md for each key.
 */
@AutoValue
public abstract class FlowConfig {
  /** Where a flow starts in the files it finds when it has no checkpoint yet. */
  public enum InitialPosition {
    START_OF_FILE,
    END_OF_FILE
  }

  /** How a record's partition key is chosen (streams only). */
  public enum PartitionKeyOption {
    /** A key spread evenly over the hash range, derived from the record's file and position. */
    RANDOM,
    /** A key from the record's data (its MD5), so equal records land on the same shard. */
    DETERMINISTIC
  }

  /** Where a flow's records go. */
  public enum DestinationType {
    STREAM,
    DELIVERY_STREAM
  }

  /** Largest record a stream takes: 1 MiB. */
  public static final int MAX_STREAM_RECORD_BYTES = 1024 * 1024;
  /** Largest record a delivery stream takes: 1,000 KiB. */
  public static final int MAX_DELIVERY_RECORD_BYTES = 1000 * 1024;
  /** PutRecords takes 500 records, and 5 MiB. */
  public static final int MAX_STREAM_BUFFER_BYTES = 5 * 1024 * 1024;
  /** PutRecordBatch takes 500 records, and 4 MiB. */
  public static final int MAX_DELIVERY_BUFFER_BYTES = 4 * 1024 * 1024;
  /** Records per buffer, for both destinations. */
  public static final int MAX_BUFFER_RECORDS = 500;
  /** The longest {@code maxBufferAgeMillis}: 15 minutes. */
  public static final long MAX_BUFFER_AGE_MILLIS = 15 * 60 * 1000;

  /** The glob of the files to tail, an absolute path whose last parts may hold {@code * ? [..] {..}}. */
  public abstract String filePattern();

  public abstract DestinationType destinationType();

  /** The stream or delivery stream name. */
  public abstract String destination();

  public abstract InitialPosition initialPosition();

  public abstract PartitionKeyOption partitionKeyOption();

  /** How long a buffer may wait for more records before it is sent; default 60,000 ms, 1 to 900,000. */
  public abstract long maxBufferAgeMillis();

  /** Records per buffer (one PutRecords or PutRecordBatch); default and maximum 500. */
  public abstract int maxBufferSizeRecords();

  /** Bytes per buffer; default and maximum 5 MiB for a stream, 4 MiB for a delivery stream. */
  public abstract int maxBufferSizeBytes();

  /** The pause when no file has new data; default 100 ms. */
  public abstract long minTimeBetweenFilePollsMillis();

  /** A record starts at a line matching this; the lines up to the next match belong to it. */
  public abstract @Nullable Pattern multiLineStartPattern();

  /** Lines skipped at the start of every file (CSV headers); default 0. */
  public abstract int skipHeaderLines();

  /** Ends a record cut to the destination's record limit; default {@code \n}. */
  public abstract String truncatedRecordTerminator();

  /** The first wait before sending a failed record again, doubling; default 100 ms. */
  public abstract long retryInitialBackoffMillis();

  /** The longest wait between attempts; default 10,000 ms. */
  public abstract long retryMaxBackoffMillis();

  public abstract ImmutableList<DataProcessingOption> dataProcessingOptions();

  /** The id that names this flow in the checkpoint file and the status line. */
  public String id() {
    return (destinationType() == DestinationType.STREAM ? "kinesis:" : "firehose:") + destination() + ":" + filePattern();
  }

  /** The destination's largest record, in bytes. */
  public int maxRecordBytes() {
    return destinationType() == DestinationType.STREAM ? MAX_STREAM_RECORD_BYTES : MAX_DELIVERY_RECORD_BYTES;
  }

  public static Builder builder(String filePattern, DestinationType type, String destination) {
    return new AutoValue_FlowConfig.Builder()
        .setFilePattern(filePattern)
        .setDestinationType(type)
        .setDestination(destination)
        .setInitialPosition(InitialPosition.END_OF_FILE)
        .setPartitionKeyOption(PartitionKeyOption.RANDOM)
        .setMaxBufferAgeMillis(60_000)
        .setMaxBufferSizeRecords(MAX_BUFFER_RECORDS)
        .setMaxBufferSizeBytes(type == DestinationType.STREAM ? MAX_STREAM_BUFFER_BYTES : MAX_DELIVERY_BUFFER_BYTES)
        .setMinTimeBetweenFilePollsMillis(100)
        .setMultiLineStartPattern(null)
        .setSkipHeaderLines(0)
        .setTruncatedRecordTerminator("\n")
        .setRetryInitialBackoffMillis(100)
        .setRetryMaxBackoffMillis(10_000)
        .setDataProcessingOptions(ImmutableList.of());
  }

  /** Builder for {@link FlowConfig}; {@code build()} checks every range and names the key. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setFilePattern(String value);

    public abstract Builder setDestinationType(DestinationType value);

    public abstract Builder setDestination(String value);

    public abstract Builder setInitialPosition(InitialPosition value);

    public abstract Builder setPartitionKeyOption(PartitionKeyOption value);

    public abstract Builder setMaxBufferAgeMillis(long value);

    public abstract Builder setMaxBufferSizeRecords(int value);

    public abstract Builder setMaxBufferSizeBytes(int value);

    public abstract Builder setMinTimeBetweenFilePollsMillis(long value);

    public abstract Builder setMultiLineStartPattern(@Nullable Pattern value);

    public abstract Builder setSkipHeaderLines(int value);

    public abstract Builder setTruncatedRecordTerminator(String value);

    public abstract Builder setRetryInitialBackoffMillis(long value);

    public abstract Builder setRetryMaxBackoffMillis(long value);

    public abstract Builder setDataProcessingOptions(List<DataProcessingOption> value);

    abstract FlowConfig autoBuild();

    public FlowConfig build() {
      FlowConfig c = autoBuild();
      checkArgument(!c.destination().isEmpty(), "the stream name of flow %s must not be empty", c.filePattern());
      java.nio.file.Path folder = java.nio.file.Path.of(c.filePattern()).getParent();
      checkArgument(folder != null && !folder.toString().matches(".*[*?\\[{].*"),
          "filePattern must be a path whose file name alone may hold wildcards, but was: %s", c.filePattern());
      checkArgument(c.maxBufferAgeMillis() >= 1 && c.maxBufferAgeMillis() <= MAX_BUFFER_AGE_MILLIS,
          "maxBufferAgeMillis must be between 1 and %s, but was: %s", MAX_BUFFER_AGE_MILLIS, c.maxBufferAgeMillis());
      checkArgument(c.maxBufferSizeRecords() >= 1 && c.maxBufferSizeRecords() <= MAX_BUFFER_RECORDS,
          "maxBufferSizeRecords must be between 1 and %s, but was: %s", MAX_BUFFER_RECORDS, c.maxBufferSizeRecords());
      int maxBytes = c.destinationType() == DestinationType.STREAM ? MAX_STREAM_BUFFER_BYTES : MAX_DELIVERY_BUFFER_BYTES;
      checkArgument(c.maxBufferSizeBytes() >= 1 && c.maxBufferSizeBytes() <= maxBytes,
          "maxBufferSizeBytes must be between 1 and %s, but was: %s", maxBytes, c.maxBufferSizeBytes());
      checkArgument(c.minTimeBetweenFilePollsMillis() >= 1 && c.minTimeBetweenFilePollsMillis() <= 60_000,
          "minTimeBetweenFilePollsMillis must be between 1 and 60000, but was: %s", c.minTimeBetweenFilePollsMillis());
      checkArgument(c.skipHeaderLines() >= 0, "skipHeaderLines must be at least 0, but was: %s", c.skipHeaderLines());
      checkArgument(c.truncatedRecordTerminator().length() <= 1024,
          "truncatedRecordTerminator must be at most 1024 characters, but had: %s", c.truncatedRecordTerminator().length());
      checkArgument(c.retryInitialBackoffMillis() >= 1 && c.retryInitialBackoffMillis() <= c.retryMaxBackoffMillis(),
          "retryInitialBackoffMillis must be between 1 and retryMaxBackoffMillis (%s), but was: %s",
          c.retryMaxBackoffMillis(), c.retryInitialBackoffMillis());
      checkArgument(c.retryMaxBackoffMillis() <= 600_000,
          "retryMaxBackoffMillis must be at most 600000, but was: %s", c.retryMaxBackoffMillis());
      return c;
    }
  }
}
