package dev.freshet.kinesis.log;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;

/** Settings of a {@link ShardLog}. Internal to the store. */
@AutoValue
public abstract class LogConfig {
  /** Smallest {@link #segmentBytes()} accepted; small values are for tests. */
  public static final long MIN_SEGMENT_BYTES = 1024;

  /** When an append is acknowledged. Default {@link Durability#OS}. */
  public abstract Durability durability();

  /**
   * A new segment is started before an append that would take the active one past this size (a
   * single batch larger than this still goes whole into one segment). Default 128 MiB, at least
   * {@value #MIN_SEGMENT_BYTES}.
   */
  public abstract long segmentBytes();

  /**
   * A new segment is started before an append whose timestamp is more than this after the active
   * segment's first record. Default one hour; positive.
   */
  public abstract long segmentMaxAgeMillis();

  /** Bytes of records between two entries of the in-memory sparse index. Default 4096; positive. */
  public abstract int indexIntervalBytes();

  /**
   * The file operations the log goes through. Default {@link LogFiles#system()}; power-loss tests
   * pass one that simulates losing the page cache.
   */
  public abstract LogFiles files();

  public static Builder builder() {
    return new AutoValue_LogConfig.Builder()
        .setFiles(LogFiles.system())
        .setDurability(Durability.OS)
        .setSegmentBytes(128L * 1024 * 1024)
        .setSegmentMaxAgeMillis(60L * 60 * 1000)
        .setIndexIntervalBytes(4096);
  }

  public static LogConfig defaults() {
    return builder().build();
  }

  public abstract Builder toBuilder();

  /** Builder of {@link LogConfig}; {@link #build()} checks the ranges. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDurability(Durability durability);

    public abstract Builder setSegmentBytes(long segmentBytes);

    public abstract Builder setSegmentMaxAgeMillis(long segmentMaxAgeMillis);

    public abstract Builder setIndexIntervalBytes(int indexIntervalBytes);

    public abstract Builder setFiles(LogFiles files);

    abstract LogConfig autoBuild();

    public LogConfig build() {
      LogConfig config = autoBuild();
      checkArgument(
          config.segmentBytes() >= MIN_SEGMENT_BYTES,
          "segmentBytes must be at least %s, but was: %s",
          MIN_SEGMENT_BYTES,
          config.segmentBytes());
      checkArgument(
          config.segmentMaxAgeMillis() > 0,
          "segmentMaxAgeMillis must be positive, but was: %s",
          config.segmentMaxAgeMillis());
      checkArgument(
          config.indexIntervalBytes() > 0,
          "indexIntervalBytes must be positive, but was: %s",
          config.indexIntervalBytes());
      return config;
    }
  }
}
