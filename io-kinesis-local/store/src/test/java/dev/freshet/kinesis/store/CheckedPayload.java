package dev.freshet.kinesis.store;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Test payloads that carry their own identity and checksum, so a reader can tell a whole record
 * from a torn, mixed-up or corrupt one without asking the writer: three int fields that name the
 * record, a filler whose length and bytes follow from those fields, and a CRC32C of all of it.
 *
 * <p>Because the bytes follow from the fields, a test that knows only a record's fields (from an
 * acknowledgement printed by another process, say) can rebuild it and compare byte for byte.
 */
final class CheckedPayload {
  private static final int FIELDS_BYTES = 3 * Integer.BYTES;
  private static final int MAX_FILLER = 64;

  final int a;
  final int b;
  final int c;

  CheckedPayload(int a, int b, int c) {
    this.a = a;
    this.b = b;
    this.c = c;
  }

  /** The payload's bytes: fields, filler of 0 to 63 bytes, CRC32C of both. */
  byte[] encode() {
    SplittableRandom random = new SplittableRandom(seed());
    int fillerLength = random.nextInt(MAX_FILLER);
    ByteBuffer buf = ByteBuffer.allocate(FIELDS_BYTES + fillerLength + Integer.BYTES);
    buf.putInt(a).putInt(b).putInt(c);
    for (int i = 0; i < fillerLength; i++) {
      buf.put((byte) random.nextInt(256));
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * Decodes and checks a payload: its checksum must match and its bytes must be exactly those
   * {@link #encode} makes for its fields.
   *
   * @throws IllegalArgumentException describing what is wrong
   */
  static CheckedPayload decode(byte[] bytes) {
    if (bytes.length < FIELDS_BYTES + Integer.BYTES) {
      throw new IllegalArgumentException("payload of " + bytes.length + " bytes is too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - Integer.BYTES);
    int stored = ByteBuffer.wrap(bytes, bytes.length - Integer.BYTES, Integer.BYTES).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IllegalArgumentException("payload checksum mismatch: stored " + stored
          + ", computed " + (int) crc.getValue());
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    CheckedPayload payload = new CheckedPayload(buf.getInt(), buf.getInt(), buf.getInt());
    if (!java.util.Arrays.equals(bytes, payload.encode())) {
      throw new IllegalArgumentException("payload " + payload + " has a valid checksum but not "
          + "the bytes its fields imply");
    }
    return payload;
  }

  /** A partition key that follows from the fields, one of {@code keySpace}. */
  String partitionKey(int keySpace) {
    return "key-" + Math.floorMod(new SplittableRandom(seed() ^ 0x5DEECE66DL).nextInt(), keySpace);
  }

  private long seed() {
    return ((long) a << 42) ^ ((long) b << 21) ^ c ^ 0x9E3779B97F4A7C15L;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckedPayload p && p.a == a && p.b == b && p.c == c;
  }

  @Override
  public int hashCode() {
    return (a * 31 + b) * 31 + c;
  }

  @Override
  public String toString() {
    return "(" + a + "," + b + "," + c + ")";
  }
}
