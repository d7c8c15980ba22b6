package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Encodes messages of the AWS event stream format ({@code application/vnd.amazon.eventstream}),
 * which carries SubscribeToShard's events. A message is a 12-byte prelude (total length, headers
 * length, CRC32 of those 8 bytes), the headers, the payload, and a CRC32 of everything before it;
 * all integers big-endian. Headers here are only strings (type 7: 2-byte length and UTF-8), which
 * is all the service sends: {@code :message-type}, {@code :event-type} or {@code :exception-type},
 * and {@code :content-type}.
 */
final class EventStreamEncoder {
  static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";
  private static final int PRELUDE_BYTES = 12;
  private static final int CRC_BYTES = 4;
  private static final byte STRING_TYPE = 7;
  /** The format's limits: payloads up to 24 MiB, encoded headers up to 128 KiB. */
  static final int MAX_PAYLOAD_BYTES = 24 << 20;
  static final int MAX_HEADER_BYTES = 128 << 10;

  private EventStreamEncoder() {}

  /** An event message: {@code :message-type event} with the given event type. */
  static ByteBuf event(ByteBufAllocator alloc, String eventType, String contentType, byte[] payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":message-type", "event");
    headers.put(":event-type", eventType);
    headers.put(":content-type", contentType);
    return encode(alloc, headers, payload);
  }

  /** A modeled error message: {@code :message-type exception} naming the error shape. */
  static ByteBuf exception(ByteBufAllocator alloc, String exceptionType, String contentType, byte[] payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":message-type", "exception");
    headers.put(":exception-type", exceptionType);
    headers.put(":content-type", contentType);
    return encode(alloc, headers, payload);
  }

  /** One message with string headers, in the order given. */
  static ByteBuf encode(ByteBufAllocator alloc, Map<String, String> headers, byte[] payload) {
    checkArgument(payload.length <= MAX_PAYLOAD_BYTES,
        "an event stream payload must be at most %s bytes, but was: %s bytes", MAX_PAYLOAD_BYTES, payload.length);
    byte[] encodedHeaders = encodeHeaders(headers);
    int total = PRELUDE_BYTES + encodedHeaders.length + payload.length + CRC_BYTES;
    byte[] message = new byte[total];
    putInt(message, 0, total);
    putInt(message, 4, encodedHeaders.length);
    putInt(message, 8, crc(message, 0, 8));
    System.arraycopy(encodedHeaders, 0, message, PRELUDE_BYTES, encodedHeaders.length);
    System.arraycopy(payload, 0, message, PRELUDE_BYTES + encodedHeaders.length, payload.length);
    putInt(message, total - CRC_BYTES, crc(message, 0, total - CRC_BYTES));
    ByteBuf buffer = alloc.buffer(total);
    buffer.writeBytes(message);
    return buffer;
  }

  private static byte[] encodeHeaders(Map<String, String> headers) {
    int size = 0;
    byte[][] names = new byte[headers.size()][];
    byte[][] values = new byte[headers.size()][];
    int i = 0;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      names[i] = header.getKey().getBytes(StandardCharsets.UTF_8);
      values[i] = header.getValue().getBytes(StandardCharsets.UTF_8);
      checkArgument(names[i].length >= 1 && names[i].length <= 255,
          "an event stream header name must be 1 to 255 bytes, but %s was %s", header.getKey(), names[i].length);
      checkArgument(values[i].length <= Short.MAX_VALUE,
          "an event stream string header must be at most %s bytes, but %s was %s",
          Short.MAX_VALUE, header.getKey(), values[i].length);
      size += 1 + names[i].length + 1 + 2 + values[i].length;
      i++;
    }
    checkArgument(size <= MAX_HEADER_BYTES,
        "event stream headers must be at most %s bytes, but were: %s", MAX_HEADER_BYTES, size);
    byte[] out = new byte[size];
    int at = 0;
    for (i = 0; i < names.length; i++) {
      out[at++] = (byte) names[i].length;
      System.arraycopy(names[i], 0, out, at, names[i].length);
      at += names[i].length;
      out[at++] = STRING_TYPE;
      out[at++] = (byte) (values[i].length >>> 8);
      out[at++] = (byte) values[i].length;
      System.arraycopy(values[i], 0, out, at, values[i].length);
      at += values[i].length;
    }
    return out;
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  private static void putInt(byte[] bytes, int at, int value) {
    bytes[at] = (byte) (value >>> 24);
    bytes[at + 1] = (byte) (value >>> 16);
    bytes[at + 2] = (byte) (value >>> 8);
    bytes[at + 3] = (byte) value;
  }
}
