package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayOutputStream;

/**
 * Writes the Matroska a producer sends to PutMedia: a header (EBML header, Segment of unknown
 * size, Info with a 1 ms TimecodeScale, Tracks with one video track), then one Cluster per
 * fragment. For programs that turn other containers into fragments, such as {@code freshet video
 * put} with an MP4 file.
 *
 * <pre>{@code
 * out.write(MkvWriter.header("V_MPEG4/ISO/AVC", avcC, 640, 360));
 * out.write(MkvWriter.cluster(0, new long[] {0, 40}, new boolean[] {true, false}, new byte[][] {key, delta}));
 * }</pre>
 */
public final class MkvWriter {
  private MkvWriter() {}

  /**
   * The stream's start: EBML header, Segment of unknown size, Info (TimecodeScale 1 ms) and Tracks
   * with track 1, video, {@code codecId} and {@code codecPrivate} (for H.264 the
   * AVCDecoderConfigurationRecord, the MP4 {@code avcC} box's payload).
   */
  public static byte[] header(String codecId, byte[] codecPrivate, int width, int height) {
    checkNotNull(codecId, "codecId");
    checkNotNull(codecPrivate, "codecPrivate");
    checkArgument(width > 0 && height > 0, "width and height must be positive, but were: %sx%s", width, height);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream ebml = new ByteArrayOutputStream();
    Ebml.element(ebml, 0x4286, Ebml.uint(1));
    Ebml.element(ebml, 0x42F7, Ebml.uint(1));
    Ebml.element(ebml, 0x42F2, Ebml.uint(4));
    Ebml.element(ebml, 0x42F3, Ebml.uint(8));
    Ebml.element(ebml, Ebml.DOC_TYPE, Ebml.string("matroska"));
    Ebml.element(ebml, 0x4287, Ebml.uint(4));
    Ebml.element(ebml, 0x4285, Ebml.uint(2));
    Ebml.element(out, Ebml.EBML, ebml.toByteArray());
    Ebml.writeId(out, Ebml.SEGMENT);
    Ebml.writeSize(out, Ebml.UNKNOWN_SIZE);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    Ebml.element(info, Ebml.TIMECODE_SCALE, Ebml.uint(1_000_000));
    Ebml.element(info, 0x4D80, Ebml.string("freshet")); // MuxingApp
    Ebml.element(info, 0x5741, Ebml.string("freshet")); // WritingApp
    Ebml.element(out, Ebml.INFO, info.toByteArray());
    ByteArrayOutputStream track = new ByteArrayOutputStream();
    Ebml.element(track, Ebml.TRACK_NUMBER, Ebml.uint(1));
    Ebml.element(track, 0x73C5, Ebml.uint(1)); // TrackUID
    Ebml.element(track, 0x83, Ebml.uint(1)); // TrackType: video
    Ebml.element(track, Ebml.CODEC_ID, Ebml.string(codecId));
    ByteArrayOutputStream video = new ByteArrayOutputStream();
    Ebml.element(video, 0xB0, Ebml.uint(width));
    Ebml.element(video, 0xBA, Ebml.uint(height));
    Ebml.element(track, 0xE0, video.toByteArray());
    if (codecPrivate.length > 0) {
      Ebml.element(track, Ebml.CODEC_PRIVATE, codecPrivate);
    }
    Ebml.element(out, Ebml.TRACKS, Ebml.element(Ebml.TRACK_ENTRY, track.toByteArray()));
    return out.toByteArray();
  }

  /**
   * One fragment: a Cluster at {@code timecodeMillis} (since the producer start, or the epoch for
   * absolute timecodes) with one SimpleBlock of track 1 per frame, at {@code frameMillis[i]}
   * (absolute, within ±32 s of the cluster's timecode).
   */
  public static byte[] cluster(long timecodeMillis, long[] frameMillis, boolean[] keyFrames, byte[][] frames) {
    checkArgument(frameMillis.length == frames.length && keyFrames.length == frames.length,
        "frameMillis, keyFrames and frames must have the same length");
    ByteArrayOutputStream children = new ByteArrayOutputStream();
    Ebml.element(children, Ebml.TIMECODE, Ebml.uint(timecodeMillis));
    for (int i = 0; i < frames.length; i++) {
      long relative = frameMillis[i] - timecodeMillis;
      checkArgument(relative >= Short.MIN_VALUE && relative <= Short.MAX_VALUE,
          "frame %s is %s ms from its cluster's start; at most 32767 ms fit a block", i, relative);
      byte[] block = new byte[4 + frames[i].length];
      block[0] = (byte) 0x81;
      block[1] = (byte) (relative >> 8);
      block[2] = (byte) relative;
      block[3] = (byte) (keyFrames[i] ? 0x80 : 0x00);
      System.arraycopy(frames[i], 0, block, 4, frames[i].length);
      Ebml.element(children, Ebml.SIMPLE_BLOCK, block);
    }
    return Ebml.element(Ebml.CLUSTER, children.toByteArray());
  }
}
