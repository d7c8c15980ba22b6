package dev.freshet.kinesis.log;

import static dev.freshet.kinesis.log.RecordFormat.MAX_FRAME;
import static dev.freshet.kinesis.log.RecordFormat.MIN_FRAME;
import static dev.freshet.kinesis.log.RecordFormat.OFFSET_AT;
import static dev.freshet.kinesis.log.RecordFormat.TIMESTAMP_AT;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.CRC32C;

/**
 * Walks the frames of a segment with few large positional reads into one buffer, checking each
 * frame's checksum and that offsets follow one another. Used by reads, recovery and index building.
 * Not thread-safe; one per scan at a time.
 */
final class FrameScanner {
  /** Receives each sound frame; returns false to stop before consuming it. */
  interface Visitor {
    boolean visit(ByteBuffer buf, int at, long position, long offset, long timestamp, int frameSize)
        throws IOException;

    /**
     * Asked before the frame that should have {@code offset} is checked: true stops the scan there,
     * so that a read never fails on a frame it would not have returned.
     */
    default boolean done(long offset, int frameSize) {
      return false;
    }
  }

  private static final int BUFFER_BYTES = 1 << 20;
  /** Buffers shared by all logs: bounded direct memory however many threads read. */
  private static final ArrayBlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(16);

  private final ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();

  /** Start of the first frame not consumed. */
  long position;
  /** Offset of the first frame not consumed. */
  long nextOffset;
  /** Null if the scan stopped at the limit or at the visitor's request; else what is wrong. */
  String corruption;

  FrameScanner(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** A scanner over a pooled 1 MiB direct buffer; {@link #release()} it when done. */
  static FrameScanner pooled() {
    ByteBuffer buffer = POOL.poll();
    return new FrameScanner(buffer != null ? buffer : ByteBuffer.allocateDirect(BUFFER_BYTES));
  }

  void release() {
    POOL.offer(buffer);
  }

  ByteBuffer buffer() {
    return buffer;
  }

  /**
   * Scans from {@code from} (the start of the frame with offset {@code fromOffset}) to {@code
   * limit}; the first read is about {@code firstRead} bytes, later ones fill the buffer.
   */
  void scan(
      Segment segment, long from, long fromOffset, long limit, long firstRead, Visitor visitor)
      throws IOException {
    ByteBuffer buf = buffer;
    long bufStart = from;
    int filled = 0;
    long pos = from;
    long expected = fromOffset;
    long want = Math.max(firstRead, 4096);
    corruption = null;
    while (pos < limit) {
      int at = (int) (pos - bufStart);
      long available = limit - pos;
      if (available < 4) {
        corruption = "incomplete frame of " + available + " bytes at the end";
        break;
      }
      if (filled - at < 4) {
        filled = fill(segment, buf, pos, (int) Math.min(Math.min(want, buf.capacity()), available));
        bufStart = pos;
        want = buf.capacity();
        continue;
      }
      int frameSize = buf.getInt(at) + 4;
      if (frameSize < MIN_FRAME || frameSize > MAX_FRAME) {
        corruption = "bad frame length " + (frameSize - 4);
        break;
      }
      if (frameSize > available) {
        corruption =
            "frame of " + frameSize + " bytes runs past the end (" + available + " bytes left)";
        break;
      }
      if (visitor.done(expected, frameSize)) {
        break;
      }
      if (filled - at < frameSize) {
        if (frameSize > buf.capacity()) {
          buf = ByteBuffer.allocate(frameSize);
        }
        int size = (int) Math.min(Math.max(frameSize, Math.min(want, buf.capacity())), available);
        filled = fill(segment, buf, pos, Math.min(size, buf.capacity()));
        bufStart = pos;
        want = buffer.capacity();
        continue;
      }
      String bad = RecordFormat.checkFrame(buf, at, frameSize, crc);
      if (bad != null) {
        corruption = bad;
        break;
      }
      long offset = buf.getLong(at + OFFSET_AT);
      if (offset != expected) {
        corruption = "offset " + offset + " where " + expected + " was expected";
        break;
      }
      if (!visitor.visit(buf, at, pos, offset, buf.getLong(at + TIMESTAMP_AT), frameSize)) {
        break;
      }
      pos += frameSize;
      expected++;
    }
    position = pos;
    nextOffset = expected;
  }

  /** Throws if the last scan found a problem. */
  void throwIfCorrupt(Segment segment) throws IOException {
    if (corruption != null) {
      throw new IOException(
          "Corrupt record in " + segment.file() + " at position " + position + ": " + corruption);
    }
  }

  private static int fill(Segment segment, ByteBuffer buf, long pos, int size) throws IOException {
    buf.clear().limit(size);
    segment.readFully(buf, pos);
    buf.flip();
    return size;
  }
}
