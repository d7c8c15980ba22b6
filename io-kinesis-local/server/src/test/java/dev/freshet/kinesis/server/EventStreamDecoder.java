package dev.freshet.kinesis.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads AWS event stream messages from bytes that arrive in arbitrary pieces, checking both CRCs
 * and every length. Written from the format's description independently of {@link
 * EventStreamEncoder}, so that the two check each other.
 */
final class EventStreamDecoder {
  /** One decoded message: its string headers and its payload. */
  record Frame(Map<String, String> headers, byte[] payload) {
    String header(String name) {
      return headers.get(name);
    }

    String payloadText() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** Adds bytes and returns the messages they complete. */
  List<Frame> feed(byte[] bytes) {
    pending.writeBytes(bytes);
    byte[] all = pending.toByteArray();
    ByteBuffer buffer = ByteBuffer.wrap(all);
    List<Frame> frames = new ArrayList<>();
    while (buffer.remaining() >= 12) {
      int start = buffer.position();
      int total = buffer.getInt(start);
      int headersLength = buffer.getInt(start + 4);
      int preludeCrc = buffer.getInt(start + 8);
      check(crc(all, start, 8) == preludeCrc, "prelude CRC mismatch");
      check(total >= 16 + headersLength, "total length " + total + " too small for headers " + headersLength);
      if (buffer.remaining() < total) {
        break;
      }
      int messageCrc = buffer.getInt(start + total - 4);
      check(crc(all, start, total - 4) == messageCrc, "message CRC mismatch");
      Map<String, String> headers = new LinkedHashMap<>();
      int at = start + 12;
      int headersEnd = at + headersLength;
      while (at < headersEnd) {
        int nameLength = all[at++] & 0xff;
        String name = new String(all, at, nameLength, StandardCharsets.UTF_8);
        at += nameLength;
        int type = all[at++];
        check(type == 7, "header " + name + " has type " + type + ", expected 7 (string)");
        int valueLength = ((all[at] & 0xff) << 8) | (all[at + 1] & 0xff);
        at += 2;
        headers.put(name, new String(all, at, valueLength, StandardCharsets.UTF_8));
        at += valueLength;
      }
      check(at == headersEnd, "headers overran their length");
      byte[] payload = Arrays.copyOfRange(all, headersEnd, start + total - 4);
      frames.add(new Frame(headers, payload));
      buffer.position(start + total);
    }
    pending.reset();
    pending.write(all, buffer.position(), buffer.remaining());
    return frames;
  }

  /** Bytes received but not yet a whole message. */
  int pendingBytes() {
    return pending.size();
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException("Malformed event stream message: " + message);
    }
  }
}
