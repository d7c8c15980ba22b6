package dev.freshet.kinesis.video;

import com.google.auto.value.AutoValue;

/**
 * One stored fragment: its {@link FragmentInfo}, the Matroska segment header it came with (the
 * Info, Tracks and Tags elements before its first Cluster, which say the codec and carry its
 * private data) and its Cluster element. {@link MkvOutput} writes it as one Matroska document.
 */
@AutoValue
public abstract class Fragment {
  static Fragment of(FragmentInfo info, byte[] segmentHeader, byte[] cluster) {
    return new AutoValue_Fragment(info, segmentHeader, cluster);
  }

  public abstract FragmentInfo info();

  /** The segment-level elements before the cluster (Info, Tracks, Tags), as sent. */
  @SuppressWarnings("mutable")
  public abstract byte[] segmentHeader();

  /** The whole Cluster element (id, size, children); a cluster sent with an unknown size gets its size. */
  @SuppressWarnings("mutable")
  public abstract byte[] cluster();
}
