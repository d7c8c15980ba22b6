package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.common.model.Packet;
import org.jcodec.containers.mp4.MP4TrackType;
import org.jcodec.containers.mp4.muxer.MP4Muxer;
import org.jcodec.containers.mp4.muxer.MP4MuxerTrack;

/**
 * A clip of a video stream as one MP4 file: the stored H.264 frames of the fragments that overlap
 * a time range, remuxed with JCodec's {@link MP4Muxer} without re-encoding (what GetClip answers).
 *
 * <pre>{@code
 * byte[] mp4 = VideoClips.clip(store, "door", true, fromMillis, toMillis);
 * }</pre>
 *
 * <p>Whole fragments go in (a fragment starts with a key frame, so the clip does too), at most
 * {@value #MAX_FRAGMENTS} of them and {@value #MAX_BYTES} bytes of media, as the service limits a
 * clip. Frame times come from the producer timestamps, counted from the first fragment's start.
 */
public final class VideoClips {
  /** The most fragments a clip holds. */
  public static final int MAX_FRAGMENTS = 200;
  /** The most bytes of stored media a clip holds. */
  public static final long MAX_BYTES = 100L * 1024 * 1024;

  private VideoClips() {}

  /**
   * The MP4 clip of the fragments of {@code streamName} overlapping {@code [fromMillis, toMillis]}
   * (producer timestamps if {@code producerTimestamps}, else server timestamps).
   *
   * @throws VideoException {@code ResourceNotFoundException} if the stream is missing or no fragment
   *     is in the range; {@code InvalidArgumentException} if the range is reversed, holds too much, or
   *     its media is not H.264 with codec private data
   */
  public static byte[] clip(VideoFragmentStore store, String streamName, boolean producerTimestamps, long fromMillis,
      long toMillis) {
    checkNotNull(store, "store");
    if (toMillis < fromMillis) {
      throw VideoException.invalid("EndTimestamp must not be before StartTimestamp");
    }
    List<FragmentInfo> chosen = new ArrayList<>();
    long bytes = 0;
    for (FragmentInfo info : store.listFragments(streamName)) {
      long start = VideoImages.at(info, producerTimestamps);
      if (start <= toMillis && start + Math.max(1, info.durationMillis()) > fromMillis) {
        chosen.add(info);
        bytes += info.sizeInBytes();
      }
    }
    if (chosen.isEmpty()) {
      throw new VideoException("ResourceNotFoundException", 404, "No fragments of " + streamName
          + " are in the timestamp range asked for");
    }
    if (chosen.size() > MAX_FRAGMENTS || bytes > MAX_BYTES) {
      throw VideoException.invalid("The clip would hold " + chosen.size() + " fragments and " + bytes
          + " bytes; a clip holds at most " + MAX_FRAGMENTS + " fragments and " + MAX_BYTES + " bytes");
    }
    chosen.sort(Comparator.comparingLong(FragmentInfo::producerTimestampMillis));
    List<H264Track> tracks = new ArrayList<>();
    for (FragmentInfo info : chosen) {
      try {
        tracks.add(H264Track.of(store.readFragment(streamName, info.fragmentNumber())));
      } catch (MkvException e) {
        throw VideoException.invalid("Fragment " + info.fragmentNumber() + " cannot go into an MP4 clip: "
            + e.getMessage());
      }
    }
    return mux(chosen, tracks, bytes);
  }

  private static byte[] mux(List<FragmentInfo> fragments, List<H264Track> tracks, long mediaBytes) {
    H264Track first = tracks.get(0);
    if (first.avcC().getSpsList().isEmpty() || first.avcC().getPpsList().isEmpty()) {
      throw VideoException.invalid("The codec private data of fragment " + fragments.get(0).fragmentNumber()
          + " has no SPS or PPS");
    }
    long samples = tracks.stream().mapToLong(t -> t.samples().size()).sum();
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16,
        mediaBytes + 64 * samples + 1024 * 1024));
    try {
      ByteBufferSeekableByteChannel channel = ByteBufferSeekableByteChannel.writeToByteBuffer(buffer);
      MP4Muxer muxer = MP4Muxer.createMP4MuxerToChannel(channel);
      // The samples go in as stored (length-prefixed NAL units), under the first fragment's avcC.
      MP4MuxerTrack video = muxer.addTrack(new MP4MuxerTrack(muxer.getNextTrackId(), MP4TrackType.VIDEO));
      video.addSampleEntry(H264Utils.createMOVSampleEntryFromAvcC(first.avcC()));
      long origin = fragments.get(0).producerTimestampMillis();
      long frameNo = 0;
      long lastDuration = 33;
      for (int f = 0; f < tracks.size(); f++) {
        H264Track track = tracks.get(f);
        if (!track.codecPrivate().equals(first.codecPrivate())) {
          throw VideoException.invalid("Fragment " + fragments.get(f).fragmentNumber() + " has other codec private "
              + "data than fragment " + fragments.get(0).fragmentNumber() + " (the producer changed its encoding): "
              + "ask for a clip on either side of it");
        }
        long fragmentStart = fragments.get(f).producerTimestampMillis() - origin;
        long fragmentEnd = fragmentStart + fragments.get(f).durationMillis();
        List<H264Track.Sample> list = track.samples();
        for (int i = 0; i < list.size(); i++) {
          H264Track.Sample sample = list.get(i);
          long pts = fragmentStart + sample.offsetMillis();
          long next = i + 1 < list.size() ? fragmentStart + list.get(i + 1).offsetMillis()
              : f + 1 < tracks.size() ? fragments.get(f + 1).producerTimestampMillis() - origin : fragmentEnd;
          long duration = next > pts ? next - pts : lastDuration;
          lastDuration = duration;
          video.addFrame(Packet.createPacket(sample.data().duplicate(), pts, 1000, duration, frameNo++,
              sample.key() ? Packet.FrameType.KEY : Packet.FrameType.INTER, null));
        }
      }
      muxer.finish();
      byte[] mp4 = new byte[(int) channel.size()];
      buffer.duplicate().position(0).limit(mp4.length).get(mp4);
      return mp4;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
