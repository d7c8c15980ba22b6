package dev.freshet.kinesis.video;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.codecs.h264.mp4.AvcCBox;

/**
 * A stored fragment's H.264 video track, read from its segment header (the track's codec private
 * data, an {@code avcC} record with SPS and PPS) and its cluster (one sample per block), for
 * GetImages and GetClip. Lacing is not used for video and is refused.
 */
record H264Track(AvcCBox avcC, ByteBuffer codecPrivate, List<Sample> samples) {
  static final String H264 = "V_MPEG4/ISO/AVC";

  /** One frame: milliseconds after the fragment's start (its cluster timecode), key or not, and its AVCC bytes. */
  record Sample(long offsetMillis, boolean key, ByteBuffer data) {}

  /**
   * Reads the H.264 track of {@code fragment}.
   *
   * @throws MkvException if the fragment has no H.264 track with codec private data, or its blocks are broken
   */
  static H264Track of(Fragment fragment) {
    byte[] header = fragment.segmentHeader();
    long timecodeScaleNs = 1_000_000L;
    long track = -1;
    byte[] codecPrivate = null;
    for (Ebml.Element element : Ebml.children(header, 0, header.length)) {
      if (element.id() == Ebml.INFO) {
        for (Ebml.Element info : children(header, element)) {
          if (info.id() == Ebml.TIMECODE_SCALE) {
            timecodeScaleNs = Ebml.readUint(header, info);
          }
        }
      } else if (element.id() == Ebml.TRACKS && track < 0) {
        for (Ebml.Element entry : children(header, element)) {
          if (entry.id() != Ebml.TRACK_ENTRY) {
            continue;
          }
          long number = -1;
          String codecId = null;
          byte[] privateData = null;
          for (Ebml.Element field : children(header, entry)) {
            if (field.id() == Ebml.TRACK_NUMBER) {
              number = Ebml.readUint(header, field);
            } else if (field.id() == Ebml.CODEC_ID) {
              codecId = Ebml.readString(header, field);
            } else if (field.id() == Ebml.CODEC_PRIVATE) {
              privateData = java.util.Arrays.copyOfRange(header, field.payloadStart(),
                  field.payloadStart() + field.payloadLength());
            }
          }
          if (H264.equals(codecId) && privateData != null && privateData.length > 0) {
            track = number;
            codecPrivate = privateData;
            break;
          }
        }
      }
    }
    if (track < 0) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "fragment " + fragment.info().fragmentNumber()
          + " has no H.264 track (" + H264 + ") with codec private data");
    }
    AvcCBox avcC;
    try {
      avcC = AvcCBox.parseAvcCBox(ByteBuffer.wrap(codecPrivate));
    } catch (RuntimeException e) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "the codec private data of fragment "
          + fragment.info().fragmentNumber() + " is not an avcC record: " + e);
    }
    byte[] cluster = fragment.cluster();
    List<Sample> samples = new ArrayList<>();
    for (Ebml.Element top : Ebml.children(cluster, 0, cluster.length)) {
      if (top.id() != Ebml.CLUSTER) {
        continue;
      }
      for (Ebml.Element child : children(cluster, top)) {
        if (child.id() == Ebml.SIMPLE_BLOCK) {
          block(cluster, child, true, track, timecodeScaleNs, samples);
        } else if (child.id() == Ebml.BLOCK_GROUP) {
          Ebml.Element block = null;
          boolean referenced = false;
          for (Ebml.Element inGroup : children(cluster, child)) {
            if (inGroup.id() == Ebml.BLOCK) {
              block = inGroup;
            } else if (inGroup.id() == 0xFB) { // ReferenceBlock: the frame depends on another
              referenced = true;
            }
          }
          if (block != null) {
            int before = samples.size();
            block(cluster, block, false, track, timecodeScaleNs, samples);
            if (samples.size() > before && !referenced) {
              Sample s = samples.get(before);
              samples.set(before, new Sample(s.offsetMillis(), true, s.data()));
            }
          }
        }
      }
    }
    return new H264Track(avcC, ByteBuffer.wrap(codecPrivate).asReadOnlyBuffer(), List.copyOf(samples));
  }

  private static void block(byte[] data, Ebml.Element block, boolean simple, long track, long timecodeScaleNs,
      List<Sample> samples) {
    int at = block.payloadStart();
    int end = at + block.payloadLength();
    long[] number = Ebml.readVint(data, at, end, false);
    at += (int) number[1];
    if (number[0] != track) {
      return;
    }
    if (end - at < 3) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "a block of track " + track + " is cut off");
    }
    short relative = (short) (((data[at] & 0xff) << 8) | (data[at + 1] & 0xff));
    int flags = data[at + 2] & 0xff;
    at += 3;
    if ((flags & 0x06) != 0) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "a block of video track " + track
          + " uses lacing, which video frames do not");
    }
    long offsetMillis = relative * timecodeScaleNs / 1_000_000L;
    samples.add(new Sample(offsetMillis, simple && (flags & 0x80) != 0,
        ByteBuffer.wrap(data, at, end - at).slice().asReadOnlyBuffer()));
  }

  private static List<Ebml.Element> children(byte[] data, Ebml.Element parent) {
    return Ebml.children(data, parent.payloadStart(), parent.payloadStart() + parent.payloadLength());
  }
}
