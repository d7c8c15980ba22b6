package dev.freshet.sdk.aggregation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * The few pieces of the protobuf wire format the aggregation messages use: varints and
 * length-delimited fields. Hand-written so that the SDK does not pull in protobuf-java.
 */
final class ProtoWire {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private ProtoWire() {}

  static int varintSize(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  /** The bytes a length-delimited field of {@code length} bytes takes, with its one-byte tag. */
  static int lengthDelimitedSize(int length) {
    return 1 + varintSize(length) + length;
  }

  static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  static void writeTag(ByteArrayOutputStream out, int field, int wireType) {
    writeVarint(out, ((long) field << 3) | wireType);
  }

  static void writeBytes(ByteArrayOutputStream out, int field, byte[] bytes) {
    writeTag(out, field, LENGTH_DELIMITED);
    writeVarint(out, bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  /** Reads one message's fields from a slice of a byte array; every error names what was wrong. */
  static final class Reader {
    private final byte[] buffer;
    private int position;
    private final int limit;
    private final String what;

    Reader(byte[] buffer, int offset, int limit, String what) {
      this.buffer = buffer;
      this.position = offset;
      this.limit = limit;
      this.what = what;
    }

    boolean hasMore() {
      return position < limit;
    }

    long readVarint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= limit) {
          throw corrupt("truncated varint");
        }
        byte b = buffer[position++];
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw corrupt("varint longer than 10 bytes");
    }

    /** A length-delimited field's value as a sub-reader; the position moves past it. */
    Reader readDelimited(String fieldName) {
      int length = readLength(fieldName);
      Reader sub = new Reader(buffer, position, position + length, fieldName);
      position += length;
      return sub;
    }

    byte[] readBytes(String fieldName) {
      int length = readLength(fieldName);
      byte[] bytes = new byte[length];
      System.arraycopy(buffer, position, bytes, 0, length);
      position += length;
      return bytes;
    }

    String readString(String fieldName) {
      int length = readLength(fieldName);
      try {
        String value = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(buffer, position, length))
            .toString();
        position += length;
        return value;
      } catch (CharacterCodingException e) {
        throw corrupt(fieldName + " is not valid UTF-8");
      }
    }

    private int readLength(String fieldName) {
      long length = readVarint();
      if (length < 0 || length > limit - position) {
        throw corrupt("truncated " + fieldName + ": it claims " + length + " bytes but "
            + (limit - position) + " remain");
      }
      return (int) length;
    }

    /** Skips a field this decoder does not use, as protobuf parsers do with unknown fields. */
    void skip(int wireType) {
      switch (wireType) {
        case VARINT:
          readVarint();
          break;
        case FIXED64:
          advance(8);
          break;
        case LENGTH_DELIMITED:
          advance(readLength("unknown field"));
          break;
        case FIXED32:
          advance(4);
          break;
        default:
          throw corrupt("unsupported wire type " + wireType);
      }
    }

    private void advance(int bytes) {
      if (bytes > limit - position) {
        throw corrupt("truncated field");
      }
      position += bytes;
    }

    IllegalArgumentException corrupt(String problem) {
      return new IllegalArgumentException("Corrupt aggregated record: " + problem + " in " + what);
    }
  }
}
