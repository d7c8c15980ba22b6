package dev.freshet.kinesis.log;

import com.google.auto.value.AutoValue;
import java.util.List;

/** What {@link ShardLog#read} returns. Internal to the store. */
@AutoValue
public abstract class LogReadResult {
  static LogReadResult of(List<LogRecord> records, long nextOffset) {
    return new AutoValue_LogReadResult(records, nextOffset);
  }

  /** Records in offset order, without gaps; empty when nothing is available. */
  public abstract List<LogRecord> records();

  /** The offset to read from next: one past the last record returned, else the start offset used. */
  public abstract long nextOffset();
}
