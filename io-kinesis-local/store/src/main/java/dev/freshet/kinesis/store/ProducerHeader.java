package dev.freshet.kinesis.store;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The producer id and sequence of an idempotent write, stored in front of the record's value in its
 * log frame, so that the log itself is the durable record of what each producer wrote (see {@link
 * ProducerWindows}). Only batches with at least one idempotent entry carry headers, marked by the
 * {@link StreamState#PRODUCER} attribute bit; a plain entry in such a batch has an empty header.
 *
 * <pre>
 * producer id length u16 (0: no producer) | producer id (UTF-8)
 *   | sequence length u8 | sequence (unsigned big-endian magnitude)   -- only with a producer id
 *   | value (the data, or the sealed record when encrypted)
 * </pre>
 */
final class ProducerHeader {
  private ProducerHeader() {}

  /** What a value with a header holds. */
  record Parsed(@Nullable String producerId, @Nullable BigInteger sequence, int valueAt) {}

  static byte[] wrap(@Nullable String producerId, @Nullable BigInteger sequence, byte[] value) {
    if (producerId == null || sequence == null) {
      byte[] out = new byte[2 + value.length];
      System.arraycopy(value, 0, out, 2, value.length);
      return out;
    }
    byte[] id = producerId.getBytes(StandardCharsets.UTF_8);
    byte[] magnitude = magnitude(sequence);
    ByteBuffer out = ByteBuffer.allocate(2 + id.length + 1 + magnitude.length + value.length);
    out.putShort((short) id.length).put(id).put((byte) magnitude.length).put(magnitude).put(value);
    return out.array();
  }

  static Parsed parse(byte[] stored) {
    ByteBuffer in = ByteBuffer.wrap(stored);
    int idLength = in.getShort() & 0xFFFF;
    if (idLength == 0) {
      return new Parsed(null, null, 2);
    }
    byte[] id = new byte[idLength];
    in.get(id);
    byte[] magnitude = new byte[in.get() & 0xFF];
    in.get(magnitude);
    return new Parsed(new String(id, StandardCharsets.UTF_8), new BigInteger(1, magnitude), in.position());
  }

  /** The length of the header at the start of a stored value lying in {@code buf} at {@code at}. */
  static int length(ByteBuffer buf, int at) {
    int idLength = buf.getShort(at) & 0xFFFF;
    return idLength == 0 ? 2 : 2 + idLength + 1 + (buf.get(at + 2 + idLength) & 0xFF);
  }

  /** The value behind the header. */
  static byte[] value(byte[] stored) {
    int at = parse(stored).valueAt();
    byte[] value = new byte[stored.length - at];
    System.arraycopy(stored, at, value, 0, value.length);
    return value;
  }

  private static byte[] magnitude(BigInteger sequence) {
    byte[] twos = sequence.toByteArray();
    if (twos.length > 1 && twos[0] == 0) {
      byte[] trimmed = new byte[twos.length - 1];
      System.arraycopy(twos, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return twos;
  }
}
