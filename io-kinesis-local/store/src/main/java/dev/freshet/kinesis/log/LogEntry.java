package dev.freshet.kinesis.log;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;

/**
 * One key and value to append to a {@link ShardLog}. The arrays are not copied: do not change them
 * until the append has returned. Internal to the store.
 */
@AutoValue
public abstract class LogEntry {
  /** Largest key, in bytes. */
  public static final int MAX_KEY_BYTES = 64 * 1024;

  /** Largest value, in bytes. */
  public static final int MAX_VALUE_BYTES = 2 * 1024 * 1024;

  /**
   * Returns an entry; the key may be at most {@value #MAX_KEY_BYTES} bytes and the value at most
   * {@value #MAX_VALUE_BYTES} bytes.
   */
  public static LogEntry of(byte[] key, byte[] value) {
    checkNotNull(key, "key");
    checkNotNull(value, "value");
    checkArgument(
        key.length <= MAX_KEY_BYTES,
        "key must be at most %s bytes, but was: %s bytes",
        MAX_KEY_BYTES,
        key.length);
    checkArgument(
        value.length <= MAX_VALUE_BYTES,
        "value must be at most %s bytes, but was: %s bytes",
        MAX_VALUE_BYTES,
        value.length);
    return new AutoValue_LogEntry(key, value);
  }

  @SuppressWarnings("mutable")
  public abstract byte[] key();

  @SuppressWarnings("mutable")
  public abstract byte[] value();
}
