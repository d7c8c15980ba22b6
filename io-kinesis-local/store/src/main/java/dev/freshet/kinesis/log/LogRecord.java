package dev.freshet.kinesis.log;

import com.google.auto.value.AutoValue;

/** A record read back from a {@link ShardLog}. Internal to the store. */
@AutoValue
public abstract class LogRecord {
  static LogRecord of(
      long offset, long timestampMillis, byte attributes, byte[] key, byte[] value) {
    return new AutoValue_LogRecord(offset, timestampMillis, attributes, key, value);
  }

  /** Position in the shard, from 0, consecutive. */
  public abstract long offset();

  /** Append time; never smaller than the previous record's. */
  public abstract long timestampMillis();

  /** The attributes given to {@link ShardLog#append}; opaque to the log. */
  public abstract byte attributes();

  @SuppressWarnings("mutable")
  public abstract byte[] key();

  @SuppressWarnings("mutable")
  public abstract byte[] value();

  /** Key length plus value length: what {@code maxBytes} of {@link ShardLog#read} counts. */
  public int sizeInBytes() {
    return key().length + value().length;
  }
}
