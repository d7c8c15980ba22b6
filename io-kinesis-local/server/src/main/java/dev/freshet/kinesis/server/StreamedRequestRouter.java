package dev.freshet.kinesis.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.jspecify.annotations.Nullable;

/**
 * Sits before the body aggregator and takes the requests whose bodies a {@link ServiceExtension}
 * {@linkplain ServiceExtension#streamsRequestBody streams}: it hands the extension the headers at
 * once, with a {@link RequestBodyStream} it then feeds chunk by chunk; every other request passes
 * on to be aggregated. One per channel (HTTP/1.1 connection or HTTP/2 stream).
 */
final class StreamedRequestRouter extends ChannelInboundHandlerAdapter {
  private final ApiHandler api;
  private final @Nullable SignatureVerifier verifier;
  /** The body of the streamed request in progress on this channel, if any. */
  private @Nullable RequestBodyStream body;

  StreamedRequestRouter(ApiHandler api, @Nullable SignatureVerifier verifier) {
    this.api = api;
    this.verifier = verifier;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (body != null && message instanceof HttpContent content) {
      boolean last = message instanceof LastHttpContent;
      body.offer(content.content(), last);
      if (last) {
        body = null;
      }
      return;
    }
    if (message instanceof HttpRequest request && !(message instanceof FullHttpRequest)
        && request.decoderResult().isSuccess()) {
      ServiceExtension extension = api.streamingExtension(request);
      if (extension != null) {
        start(ctx, extension, request);
        return;
      }
    }
    ctx.fireChannelRead(message);
  }

  private void start(ChannelHandlerContext ctx, ServiceExtension extension, HttpRequest request) {
    FullHttpRequest head = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
        request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
    RequestBodyStream stream = new RequestBodyStream(ctx.channel());
    body = stream;
    if (verifier != null) {
      try {
        verifier.verify(head, true);
      } catch (ApiException e) {
        stream.close(); // the rest of the body is read and dropped
        ApiHandler.send(ctx, Responses.error(ctx.alloc(), e.status(), e.errorType(), e.getMessage(),
            WireFormat.JSON), HttpUtil.isKeepAlive(request));
        return;
      }
    }
    if (HttpUtil.is100ContinueExpected(request)) {
      request.headers().remove(HttpHeaderNames.EXPECT);
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
    api.serveStreamed(ctx, extension, new HttpExchange(ctx, head, stream));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (body != null) {
      body.abort("The connection closed before the request body ended");
      body = null;
    }
    super.channelInactive(ctx);
  }
}
