package dev.freshet.kinesis.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The two body encodings of the Kinesis API. They differ in more than syntax: JSON carries blobs
 * as base64 strings and timestamps as epoch seconds (with a fraction); CBOR carries blobs as byte
 * strings and timestamps as epoch milliseconds under CBOR tag 1, as the AWS SDKs write them.
 */
enum WireFormat {
  // Trailing tokens fail: a body is exactly one value, so "{...} }" or "{...}{...}" is malformed
  // rather than silently cut to its first value. CBOR checks this by byte offset in parse().
  JSON("application/x-amz-json-1.1", new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)),
  CBOR("application/x-amz-cbor-1.1", new ObjectMapper(new CBORFactory()));

  private final String contentType;
  private final ObjectMapper mapper;

  WireFormat(String contentType, ObjectMapper mapper) {
    this.contentType = contentType;
    this.mapper = mapper;
  }

  String contentType() {
    return contentType;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  ObjectNode newObject() {
    return mapper.createObjectNode();
  }

  /** The format of a request's Content-Type; JSON when absent. Null for one this API does not speak. */
  static @Nullable WireFormat ofContentType(@Nullable String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return JSON;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    switch (type) {
      case "application/x-amz-json-1.1":
      case "application/x-amz-json-1.0":
      case "application/json":
        return JSON;
      case "application/x-amz-cbor-1.1":
        return CBOR;
      default:
        return null;
    }
  }

  JsonNode parse(byte[] body) throws IOException {
    if (body.length == 0) {
      return mapper.createObjectNode();
    }
    if (this == JSON) {
      checkUtf8(body);
      return mapper.readTree(body);
    }
    // Jackson's CBOR parser reads a stray break or a dangling tag after the value as the end of
    // input, so FAIL_ON_TRAILING_TOKENS cannot see them; instead the value must end where the body does.
    try (com.fasterxml.jackson.core.JsonParser parser = mapper.createParser(body)) {
      JsonNode node = mapper.readTree(parser);
      long end = parser.currentLocation().getByteOffset();
      if (node == null || end != body.length) {
        throw new IOException("the CBOR value ends at byte " + end + " of " + body.length);
      }
      return node;
    }
  }

  /**
   * Jackson's decoder lets overlong forms such as C0 AF through as the characters they spell; the
   * JDK's is strict, so a body that is not UTF-8 is refused before it is parsed.
   */
  private static void checkUtf8(byte[] body) throws IOException {
    java.nio.ByteBuffer input = java.nio.ByteBuffer.wrap(body);
    java.nio.charset.CoderResult result = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
        .decode(input, java.nio.CharBuffer.allocate(body.length), true);
    if (result.isError()) {
      throw new IOException("invalid UTF-8 at byte " + input.position());
    }
  }

  /** Writes a timestamp in this format's way into {@code node} under {@code field}. */
  void putTimestamp(ObjectNode node, String field, Instant instant) {
    if (this == JSON) {
      node.put(field, BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3));
    } else {
      node.putPOJO(field, new CborTimestamp(instant.toEpochMilli()));
    }
  }

  /** Writes a blob in this format's way. */
  void putBlob(ObjectNode node, String field, byte[] data) {
    if (this == JSON) {
      node.put(field, Base64.getEncoder().encodeToString(data));
    } else {
      node.put(field, data);
    }
  }

  /** Reads a timestamp written by a client in this format (numbers; ISO-8601 text is accepted too). */
  Instant timestamp(JsonNode node) {
    if (node.isTextual()) {
      return Instant.parse(node.asText());
    }
    if (!node.isNumber()) {
      throw new IllegalArgumentException("not a timestamp");
    }
    if (this == JSON) {
      return Instant.ofEpochMilli(
          node.decimalValue().movePointRight(3).setScale(0, java.math.RoundingMode.FLOOR).longValueExact());
    }
    // longValue() would wrap a bignum or saturate a non-finite float into a plausible instant.
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw new IllegalArgumentException("timestamp out of range");
      }
      return Instant.ofEpochMilli(node.longValue());
    }
    return Instant.ofEpochMilli(node.decimalValue().setScale(0, java.math.RoundingMode.FLOOR).longValueExact());
  }

  void write(JsonNode node, OutputStream out) throws IOException {
    mapper.writeValue(out, node);
  }

  /** A CBOR timestamp: tag 1 and epoch milliseconds, as the AWS SDKs' CBOR protocol reads them. */
  static final class CborTimestamp implements com.fasterxml.jackson.databind.JsonSerializable {
    private final long epochMillis;

    CborTimestamp(long epochMillis) {
      this.epochMillis = epochMillis;
    }

    @Override
    public void serialize(com.fasterxml.jackson.core.JsonGenerator generator,
        com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
      if (generator instanceof CBORGenerator) {
        ((CBORGenerator) generator).writeTag(1);
      }
      generator.writeNumber(epochMillis);
    }

    @Override
    public void serializeWithType(com.fasterxml.jackson.core.JsonGenerator generator,
        com.fasterxml.jackson.databind.SerializerProvider provider,
        com.fasterxml.jackson.databind.jsontype.TypeSerializer typeSerializer) throws IOException {
      serialize(generator, provider);
    }
  }
}
