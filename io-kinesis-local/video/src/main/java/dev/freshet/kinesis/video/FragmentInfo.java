package dev.freshet.kinesis.video;

import com.google.auto.value.AutoValue;

/** What is known of a stored fragment without reading its media (ListFragments' answer). */
@AutoValue
public abstract class FragmentInfo {
  static FragmentInfo of(String fragmentNumber, long producerTimestampMillis, long serverTimestampMillis,
      long fragmentTimecode, long durationMillis, long sizeInBytes) {
    return new AutoValue_FragmentInfo(fragmentNumber, producerTimestampMillis, serverTimestampMillis,
        fragmentTimecode, durationMillis, sizeInBytes);
  }

  /** Increasing decimal string, unique within the stream. */
  public abstract String fragmentNumber();

  /** When the producer recorded the fragment's start (milliseconds since the epoch). */
  public abstract long producerTimestampMillis();

  /** When the server received the whole fragment (milliseconds since the epoch). */
  public abstract long serverTimestampMillis();

  /** The fragment's Cluster Timecode as the producer sent it (in its TimecodeScale units). */
  public abstract long fragmentTimecode();

  /** From the first frame to the end of the last one. */
  public abstract long durationMillis();

  /** Bytes of the fragment's Cluster element. */
  public abstract long sizeInBytes();
}
