package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkNotNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * One request handed to a {@link ServiceExtension}, and the way to answer it. An extension answers
 * with {@link #respond} (one whole response, with the connection kept alive or closed as the
 * request asked); one that streams its answer (chunked HTTP/1.1, HTTP/2 data frames) writes to
 * {@link #context()} itself and honours {@link #keepAlive()}.
 *
 * <p>The body is read with {@link #body()}: the aggregated content, or, for an extension that
 * {@linkplain ServiceExtension#streamsRequestBody streams request bodies}, the body as it arrives
 * (then {@link #request()} carries the headers only).
 */
public final class HttpExchange {
  private final ChannelHandlerContext context;
  private final FullHttpRequest request;
  private final boolean keepAlive;
  private final @Nullable RequestBodyStream streamedBody;

  HttpExchange(ChannelHandlerContext context, FullHttpRequest request) {
    this(context, request, null);
  }

  HttpExchange(ChannelHandlerContext context, FullHttpRequest request, @Nullable RequestBodyStream streamedBody) {
    this.context = context;
    this.request = request;
    this.keepAlive = HttpUtil.isKeepAlive(request);
    this.streamedBody = streamedBody;
  }

  /**
   * The request body. For a streamed body, reads block until bytes arrive and end at the end of
   * the request; a connection lost on the way fails the read with an {@link java.io.IOException}.
   * Closing it discards what has not been read (the server reads and drops the rest of the
   * request), which the server also does once {@link ServiceExtension#serve} returns.
   */
  public InputStream body() {
    return streamedBody != null ? streamedBody : new ByteBufInputStream(request.content().duplicate());
  }

  /** Whether {@link #body()} streams the body as it arrives (see {@link ServiceExtension#streamsRequestBody}). */
  public boolean isBodyStreamed() {
    return streamedBody != null;
  }

  /** The request, with its whole body; valid until {@link ServiceExtension#serve} returns. */
  public FullHttpRequest request() {
    return request;
  }

  /** The request's path without its query string. */
  public String path() {
    String uri = request.uri();
    int question = uri.indexOf('?');
    return question < 0 ? uri : uri.substring(0, question);
  }

  /** The channel the request came on, for extensions that stream their answer. */
  public ChannelHandlerContext context() {
    return context;
  }

  /** Whether the client asked to keep the connection open after the answer. */
  public boolean keepAlive() {
    return keepAlive;
  }

  public ByteBufAllocator alloc() {
    return context.alloc();
  }

  /** Sends a whole response, then keeps the connection or closes it as the request asked. */
  public void respond(FullHttpResponse response) {
    checkNotNull(response, "response");
    ApiHandler.send(context, response, keepAlive);
  }

  /** Sends {@code body} with {@code status} and {@code contentType}. */
  public void respond(int status, String contentType, byte[] body) {
    checkNotNull(contentType, "contentType");
    checkNotNull(body, "body");
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    respond(response);
  }
}
