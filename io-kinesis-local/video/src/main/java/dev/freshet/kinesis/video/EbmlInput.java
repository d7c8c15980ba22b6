package dev.freshet.kinesis.video;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads EBML element headers and payloads from a stream as it arrives (PutMedia's body), with one
 * header of look-ahead so that a Cluster of unknown size can end where the next top-level element
 * begins.
 */
final class EbmlInput {
  /** An element header: its id, payload size ({@link Ebml#UNKNOWN_SIZE} if unknown), and its bytes. */
  record Header(long id, long size, byte[] bytes) {}

  private final InputStream in;
  private long position;
  private @Nullable Header peeked;

  EbmlInput(InputStream in) {
    this.in = in;
  }

  /** Bytes consumed so far. */
  long position() {
    return position;
  }

  /** The next header without consuming it, or null at the end of the stream. */
  @Nullable Header peek() throws IOException {
    if (peeked == null) {
      peeked = readHeader();
    }
    return peeked;
  }

  /** The next header, or null at the end of the stream. */
  @Nullable Header next() throws IOException {
    Header header = peek();
    peeked = null;
    return header;
  }

  private @Nullable Header readHeader() throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    position++;
    byte[] bytes = new byte[12];
    int length = vintLength(first, 4, "element id");
    bytes[0] = (byte) first;
    long id = first;
    for (int i = 1; i < length; i++) {
      int b = readByte();
      bytes[i] = (byte) b;
      id = (id << 8) | b;
    }
    int sizeFirst = readByte();
    int sizeLength = vintLength(sizeFirst, 8, "element size");
    bytes[length] = (byte) sizeFirst;
    long size = sizeFirst & (0xFF >>> sizeLength);
    boolean allOnes = size == (0xFF >>> sizeLength);
    for (int i = 1; i < sizeLength; i++) {
      int b = readByte();
      bytes[length + i] = (byte) b;
      allOnes &= b == 0xFF;
      size = (size << 8) | b;
    }
    byte[] exact = new byte[length + sizeLength];
    System.arraycopy(bytes, 0, exact, 0, exact.length);
    return new Header(id, allOnes ? Ebml.UNKNOWN_SIZE : size, exact);
  }

  private int vintLength(int first, int max, String what) {
    int length = Integer.numberOfLeadingZeros(first) - 23;
    if (first == 0 || length > max) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "invalid EBML " + what + " (first byte 0x"
          + Integer.toHexString(first) + ") at byte " + (position - 1));
    }
    return length;
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the media ends inside an element header at byte " + position);
    }
    position++;
    return b;
  }

  /** Reads a whole payload of {@code size} bytes. */
  byte[] readPayload(long size) throws IOException {
    byte[] payload = in.readNBytes((int) size);
    position += payload.length;
    if (payload.length < size) {
      throw new EOFException("the media ends inside an element at byte " + position + " ("
          + (size - payload.length) + " bytes missing)");
    }
    return payload;
  }

  void skip(long size) throws IOException {
    long left = size;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("the media ends inside an element at byte " + position);
        }
        skipped = 1;
      }
      left -= skipped;
      position += skipped;
    }
  }
}
