package dev.freshet.kinesis.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of a segment file.
 *
 * <pre>
 * header (32 bytes): magic "FSLG" | version u16 | reserved u16 | base offset i64
 *                    | base timestamp i64 (newest timestamp of the log when the segment began)
 *                    | reserved i32 | CRC32C of the preceding 28 bytes
 * frame:  length i32 (bytes after this field) | CRC32C i32 (over the bytes after this field)
 *         | offset i64 | timestamp i64 | flags u8 | attributes u8
 *         | key length i32 | key | value length i32 | value
 * </pre>
 *
 * <p>Big-endian. The last frame of every appended batch carries {@link #FLAG_END_OF_BATCH}, so
 * that recovery keeps or drops a batch as a whole.
 */
final class RecordFormat {
  static final int MAGIC = 0x46534C47; // "FSLG"
  static final short VERSION = 1;
  static final int HEADER_SIZE = 32;

  static final int CRC_AT = 4;
  static final int OFFSET_AT = 8;
  static final int TIMESTAMP_AT = 16;
  static final int FLAGS_AT = 24;
  static final int ATTRIBUTES_AT = 25;
  static final int KEY_LENGTH_AT = 26;
  static final int KEY_AT = 30;
  /** Bytes of a frame besides key and value. */
  static final int FRAME_OVERHEAD = 34;
  static final int MIN_FRAME = FRAME_OVERHEAD;
  static final int MAX_FRAME =
      FRAME_OVERHEAD + LogEntry.MAX_KEY_BYTES + LogEntry.MAX_VALUE_BYTES;

  static final byte FLAG_END_OF_BATCH = 1;

  private RecordFormat() {}

  static ByteBuffer header(long baseOffset, long baseTimestamp) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    header.putInt(MAGIC).putShort(VERSION).putShort((short) 0);
    header.putLong(baseOffset).putLong(baseTimestamp).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, HEADER_SIZE - 4);
    header.putInt((int) crc.getValue());
    header.flip();
    return header;
  }

  /** Checks a header read from {@code file}; returns its base timestamp. */
  static long checkHeader(ByteBuffer header, String file, long expectedBaseOffset)
      throws IOException {
    if (header.remaining() < HEADER_SIZE) {
      throw new IOException("Segment " + file + " is shorter than its header");
    }
    int at = header.position();
    CRC32C crc = new CRC32C();
    ByteBuffer body = header.duplicate();
    body.limit(at + HEADER_SIZE - 4);
    crc.update(body);
    if (header.getInt(at) != MAGIC || (int) crc.getValue() != header.getInt(at + 28)) {
      throw new IOException("Segment " + file + " has no valid header (magic or checksum)");
    }
    short version = header.getShort(at + 4);
    if (version != VERSION) {
      throw new IOException(
          "Segment " + file + " has format version " + version + "; this build reads " + VERSION);
    }
    long base = header.getLong(at + 8);
    if (base != expectedBaseOffset) {
      throw new IOException(
          "Segment " + file + " has base offset " + base + " but its name says "
              + expectedBaseOffset);
    }
    return header.getLong(at + 16);
  }

  static int frameSize(LogEntry entry) {
    return FRAME_OVERHEAD + entry.key().length + entry.value().length;
  }

  /** Writes one frame at the buffer's position and advances it. */
  static void writeFrame(
      ByteBuffer buf,
      CRC32C crc,
      long offset,
      long timestamp,
      byte flags,
      byte attributes,
      byte[] key,
      byte[] value) {
    int start = buf.position();
    int size = FRAME_OVERHEAD + key.length + value.length;
    buf.putInt(size - 4).putInt(0).putLong(offset).putLong(timestamp);
    buf.put(flags).put(attributes);
    buf.putInt(key.length).put(key).putInt(value.length).put(value);
    int end = buf.position();
    int limit = buf.limit();
    buf.position(start + OFFSET_AT).limit(end);
    crc.reset();
    crc.update(buf);
    buf.limit(limit).position(end);
    buf.putInt(start + CRC_AT, (int) crc.getValue());
  }

  /**
   * Checks the frame at {@code at} whose whole length is in {@code buf}: checksum and the lengths
   * inside. Returns null if it is sound, else what is wrong.
   */
  static String checkFrame(ByteBuffer buf, int at, int frameSize, CRC32C crc) {
    int position = buf.position();
    int limit = buf.limit();
    buf.limit(at + frameSize).position(at + OFFSET_AT);
    crc.reset();
    crc.update(buf);
    buf.limit(limit).position(position);
    if ((int) crc.getValue() != buf.getInt(at + CRC_AT)) {
      return "checksum mismatch";
    }
    int keyLength = buf.getInt(at + KEY_LENGTH_AT);
    if (keyLength < 0 || keyLength > frameSize - FRAME_OVERHEAD) {
      return "bad key length " + keyLength;
    }
    int valueLength = buf.getInt(at + KEY_AT + keyLength);
    if (valueLength != frameSize - FRAME_OVERHEAD - keyLength) {
      return "bad value length " + valueLength;
    }
    return null;
  }

  static LogRecord decode(ByteBuffer buf, int at) {
    int keyLength = buf.getInt(at + KEY_LENGTH_AT);
    byte[] key = new byte[keyLength];
    buf.get(at + KEY_AT, key);
    int valueAt = at + KEY_AT + keyLength;
    byte[] value = new byte[buf.getInt(valueAt)];
    buf.get(valueAt + 4, value);
    return LogRecord.of(
        buf.getLong(at + OFFSET_AT),
        buf.getLong(at + TIMESTAMP_AT),
        buf.get(at + ATTRIBUTES_AT),
        key,
        value);
  }
}
