package dev.freshet.transforms.video;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.coders.Coder;

/** A fragment {@link DecodeVideo} could not decode, and why: its dead-letter output. */
@AutoValue
public abstract class UndecodableFragment {
  public abstract String streamName();

  public abstract String fragmentNumber();

  /** What was wrong, such as "no H.264 codec private data in the track" or the decoder's error. */
  public abstract String reason();

  public static UndecodableFragment of(String streamName, String fragmentNumber, String reason) {
    return new AutoValue_UndecodableFragment(streamName, fragmentNumber, reason);
  }

  public static Coder<UndecodableFragment> coder() {
    return VideoCoders.FailureCoder.INSTANCE;
  }
}
