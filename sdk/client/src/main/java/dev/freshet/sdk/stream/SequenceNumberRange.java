package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/** The sequence numbers of a shard: its first, and its last once the shard is closed. */
@AutoValue
public abstract class SequenceNumberRange {
  public static SequenceNumberRange of(String starting, @Nullable String ending) {
    return new AutoValue_SequenceNumberRange(starting, ending);
  }

  public abstract String startingSequenceNumber();

  /** The last sequence number of a closed shard; null while the shard is open. */
  public abstract @Nullable String endingSequenceNumber();
}
