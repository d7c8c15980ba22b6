package dev.freshet.kinesis.video;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of EBML (the binary format of Matroska) that fragments need: element ids, variable
 * length integers, writing elements and walking the children of an element held in memory. The
 * format is small (an element is an id, a size and a payload, ids and sizes as variable-length
 * integers), so it is written here rather than taken from a library: see docs/video.md.
 */
final class Ebml {
  static final long EBML = 0x1A45DFA3L;
  static final long DOC_TYPE = 0x4282;
  static final long SEGMENT = 0x18538067L;
  static final long SEEK_HEAD = 0x114D9B74L;
  static final long INFO = 0x1549A966L;
  static final long TIMECODE_SCALE = 0x2AD7B1;
  static final long TRACKS = 0x1654AE6BL;
  static final long TRACK_ENTRY = 0xAE;
  static final long TRACK_NUMBER = 0xD7;
  static final long CODEC_ID = 0x86;
  static final long CODEC_PRIVATE = 0x63A2;
  static final long DEFAULT_DURATION = 0x23E383;
  static final long CLUSTER = 0x1F43B675L;
  static final long TIMECODE = 0xE7;
  static final long SIMPLE_BLOCK = 0xA3;
  static final long BLOCK_GROUP = 0xA0;
  static final long BLOCK = 0xA1;
  static final long CUES = 0x1C53BB6BL;
  static final long CHAPTERS = 0x1043A770L;
  static final long ATTACHMENTS = 0x1941A469L;
  static final long TAGS = 0x1254C367L;
  static final long TAG = 0x7373;
  static final long SIMPLE_TAG = 0x67C8;
  static final long TAG_NAME = 0x45A3;
  static final long TAG_STRING = 0x4487;

  /** The size field of an element of unknown size, in its 8-byte form. */
  static final long UNKNOWN_SIZE = -1;

  private Ebml() {}

  /** Elements that, met inside a Cluster of unknown size, end it (they live at segment level or above). */
  static boolean endsUnknownCluster(long id) {
    return id == CLUSTER || id == TAGS || id == CUES || id == INFO || id == TRACKS || id == SEEK_HEAD
        || id == CHAPTERS || id == ATTACHMENTS || id == EBML || id == SEGMENT;
  }

  // ---- writing ----

  static void writeId(ByteArrayOutputStream out, long id) {
    int bytes = id > 0xFFFFFFL ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (id >>> (8 * i)));
    }
  }

  static void writeSize(ByteArrayOutputStream out, long size) {
    if (size == UNKNOWN_SIZE) {
      out.write(0x01);
      for (int i = 0; i < 7; i++) {
        out.write(0xFF);
      }
      return;
    }
    int length = 1;
    // A size of all ones in its length is reserved for "unknown": take one byte more then.
    while (size >= (1L << (7 * length)) - 1) {
      length++;
    }
    long value = size | (1L << (7 * length));
    for (int i = length - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)));
    }
  }

  static void element(ByteArrayOutputStream out, long id, byte[] payload) {
    writeId(out, id);
    writeSize(out, payload.length);
    out.write(payload, 0, payload.length);
  }

  static byte[] element(long id, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 12);
    element(out, id, payload);
    return out.toByteArray();
  }

  static byte[] uint(long value) {
    int bytes = 1;
    while (bytes < 8 && (value >>> (8 * bytes)) != 0) {
      bytes++;
    }
    byte[] payload = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      payload[i] = (byte) (value >>> (8 * (bytes - 1 - i)));
    }
    return payload;
  }

  static byte[] string(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  // ---- reading in memory ----

  /** One element found in a buffer: its id, and where its payload is. */
  record Element(long id, int payloadStart, int payloadLength) {}

  /**
   * The children of a payload held in {@code data[from, to)}.
   *
   * @throws MkvException if an element runs past the end or has an unknown size
   */
  static List<Element> children(byte[] data, int from, int to) {
    List<Element> elements = new ArrayList<>();
    int at = from;
    while (at < to) {
      long[] id = readVint(data, at, to, true);
      at += (int) id[1];
      long[] size = readVint(data, at, to, false);
      at += (int) size[1];
      if (size[0] == UNKNOWN_SIZE || size[0] > to - at) {
        throw new MkvException(PutMediaError.INVALID_MKV_DATA, "element 0x" + Long.toHexString(id[0])
            + " of " + (size[0] == UNKNOWN_SIZE ? "unknown size" : size[0] + " bytes")
            + " does not fit in its parent (" + (to - at) + " bytes left)");
      }
      elements.add(new Element(id[0], at, (int) size[0]));
      at += (int) size[0];
    }
    return elements;
  }

  /** {value, length}; a size of all ones reads as {@link #UNKNOWN_SIZE}. */
  static long[] readVint(byte[] data, int at, int to, boolean keepMarker) {
    if (at >= to) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "an element header is cut off");
    }
    int first = data[at] & 0xff;
    int length = Integer.numberOfLeadingZeros(first) - 23;
    if (first == 0 || length > 8 || at + length > to) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "invalid EBML variable-length integer 0x"
          + Integer.toHexString(first));
    }
    long value = keepMarker ? first : first & (0xFF >>> length);
    boolean allOnes = value == (0xFF >>> length);
    for (int i = 1; i < length; i++) {
      int b = data[at + i] & 0xff;
      allOnes &= b == 0xff;
      value = (value << 8) | b;
    }
    return new long[] {!keepMarker && allOnes ? UNKNOWN_SIZE : value, length};
  }

  static long readUint(byte[] data, Element element) {
    long value = 0;
    for (int i = 0; i < element.payloadLength(); i++) {
      value = (value << 8) | (data[element.payloadStart() + i] & 0xff);
    }
    return value;
  }

  static String readString(byte[] data, Element element) {
    int end = element.payloadStart() + element.payloadLength();
    while (end > element.payloadStart() && data[end - 1] == 0) {
      end--;
    }
    return new String(data, element.payloadStart(), end - element.payloadStart(), StandardCharsets.UTF_8);
  }
}
