package dev.freshet.kinesis.log;

import java.nio.ByteBuffer;

/**
 * Reads the fields of one frame where it lies in a read buffer (see {@link ShardLog#frames}), for
 * a reader that copies key and value somewhere else once instead of into arrays of their own. The
 * frame was checked (checksum, lengths) before it was handed out.
 */
public final class LogFrame {
  private LogFrame() {}

  /** The record's offset in its log. */
  public static long offset(ByteBuffer buf, int at) {
    return buf.getLong(at + RecordFormat.OFFSET_AT);
  }

  /** The record's timestamp, epoch milliseconds. */
  public static long timestamp(ByteBuffer buf, int at) {
    return buf.getLong(at + RecordFormat.TIMESTAMP_AT);
  }

  /** The attribute bits its writer gave the record's batch. */
  public static byte attributes(ByteBuffer buf, int at) {
    return buf.get(at + RecordFormat.ATTRIBUTES_AT);
  }

  /** Where the key starts in {@code buf}. */
  public static int keyAt(int at) {
    return at + RecordFormat.KEY_AT;
  }

  /** The key's length in bytes. */
  public static int keyLength(ByteBuffer buf, int at) {
    return buf.getInt(at + RecordFormat.KEY_LENGTH_AT);
  }

  /** Where the value starts in {@code buf}. */
  public static int valueAt(ByteBuffer buf, int at) {
    return at + RecordFormat.KEY_AT + keyLength(buf, at) + 4;
  }

  /** The value's length in bytes. */
  public static int valueLength(ByteBuffer buf, int at) {
    return buf.getInt(at + RecordFormat.KEY_AT + keyLength(buf, at));
  }
}
