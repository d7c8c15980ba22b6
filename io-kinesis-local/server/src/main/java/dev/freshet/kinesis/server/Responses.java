package dev.freshet.kinesis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import com.fasterxml.jackson.core.JacksonException;
import dev.freshet.sdk.stream.errors.StreamException;
import dev.freshet.sdk.wire.RecordsAnswer;
import java.nio.ByteBuffer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Builds HTTP responses in the service's shape: bodies, request ids and error types. */
final class Responses {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Responses.class);

  private Responses() {}

  static FullHttpResponse body(ByteBufAllocator alloc, HttpResponseStatus status, WireFormat format, JsonNode node) {
    ByteBuf buffer = alloc.buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buffer)) {
      format.write(node, out);
    } catch (IOException e) {
      buffer.release();
      throw new UncheckedIOException("could not encode a response", e);
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buffer);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, format.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, buffer.readableBytes())
        .set("x-amzn-RequestId", requestId());
    return response;
  }

  /** A GetRecords answer in Freshet's binary layout ({@link RecordsAnswer}). */
  static FullHttpResponse records(ByteBuffer[] answer) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(answer));
    int length = response.content().readableBytes();
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, RecordsAnswer.CONTENT_TYPE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
        .set("x-amzn-RequestId", requestId());
    return response;
  }

  /**
   * A new request id in the service's form (a version 4 UUID). It only has to be unique, not
   * unguessable, so it comes from {@link java.util.concurrent.ThreadLocalRandom} rather than {@link
   * UUID#randomUUID()}, whose shared {@code SecureRandom} takes a lock and reads {@code
   * /dev/urandom} on every request.
   */
  static String requestId() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** An error as the service sends it: {@code __type} and {@code message}, and the type in a header. */
  static FullHttpResponse error(ByteBufAllocator alloc, int status, String type, String message, WireFormat format) {
    ObjectNode node = format.newObject();
    node.put("__type", type);
    node.put("message", message);
    FullHttpResponse response = body(alloc, HttpResponseStatus.valueOf(status), format, node);
    response.headers().set("x-amzn-ErrorType", type);
    return response;
  }

  /**
   * The error response for a failed request, as the service shapes it: a stream error keeps its
   * name (500 only for InternalFailure), a protocol error its name and status, an unreadable body
   * is a SerializationException, and anything unexpected an InternalFailure (logged).
   */
  static FullHttpResponse failure(ByteBufAllocator alloc, String operation, Exception failure, WireFormat format) {
    if (failure instanceof StreamException) {
      StreamException e = (StreamException) failure;
      int status = e.errorCode().equals("InternalFailure") ? 500 : 400;
      return error(alloc, status, e.errorCode(), String.valueOf(e.getMessage()), format);
    }
    if (failure instanceof ApiException) {
      ApiException e = (ApiException) failure;
      return error(alloc, e.status(), e.errorType(), e.getMessage(), format);
    }
    if (failure instanceof JacksonException) {
      return error(alloc, 400, "SerializationException",
          "The request body is not valid " + format + ": " + ((JacksonException) failure).getOriginalMessage(), format);
    }
    if (failure instanceof IOException) {
      return error(alloc, 400, "SerializationException",
          "The request body could not be read as " + format + ": " + failure.getMessage(), format);
    }
    LOG.warn("{} failed unexpectedly; answered InternalFailure", operation, failure);
    return error(alloc, 500, "InternalFailure", operation + " failed: " + failure, format);
  }

  static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String contentType, String text) {
    ByteBuf buffer = alloc.buffer();
    buffer.writeCharSequence(text, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buffer);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, buffer.readableBytes());
    return response;
  }
}
