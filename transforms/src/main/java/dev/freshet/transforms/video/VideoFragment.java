package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.time.Instant;
import org.apache.beam.sdk.coders.Coder;

/**
 * One Kinesis Video fragment as GetMedia returns it: a whole Matroska document (EBML header and a
 * segment with tracks, the fragment's cluster of frames and the service's {@code
 * AWS_KINESISVIDEO_*} tags), with the fragment's number and timestamps read from those tags.
 * {@link VideoFragments#split} cuts GetMedia's output into these.
 */
@AutoValue
public abstract class VideoFragment {
  /** The video stream the fragment belongs to. */
  public abstract String streamName();

  /** The fragment number: a decimal string, increasing within a stream. */
  public abstract String fragmentNumber();

  /** The producer's timestamp of the fragment's start. */
  public abstract Instant producerTimestamp();

  /** When the service received the fragment. */
  public abstract Instant serverTimestamp();

  /** The fragment's Matroska document, byte for byte. */
  @SuppressWarnings("mutable")
  public abstract byte[] mkv();

  public static VideoFragment of(String streamName, String fragmentNumber, Instant producerTimestamp,
      Instant serverTimestamp, byte[] mkv) {
    checkArgument(!fragmentNumber.isEmpty() && fragmentNumber.chars().allMatch(Character::isDigit),
        "fragmentNumber must be a decimal string, but was: %s", fragmentNumber);
    checkArgument(mkv.length > 0, "the fragment %s has no bytes", fragmentNumber);
    return new AutoValue_VideoFragment(streamName, fragmentNumber, producerTimestamp, serverTimestamp, mkv);
  }

  /** The coder of {@link VideoFragment}s (deterministic). */
  public static Coder<VideoFragment> coder() {
    return VideoCoders.FragmentCoder.INSTANCE;
  }

  @Override
  public final String toString() {
    return "VideoFragment{" + streamName() + " #" + fragmentNumber() + " at " + producerTimestamp() + ", "
        + mkv().length + " bytes}";
  }
}
