package dev.freshet.kinesis.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The connection pipeline: HTTP/1.1, and HTTP/2 in cleartext either with prior knowledge (as the
 * AWS SDK's Netty client speaks it to an http:// endpoint) or by upgrade; with TLS, HTTP/2 or
 * HTTP/1.1 as ALPN settles it. Each HTTP/2 stream gets a
 * child channel that turns frames back into HTTP messages, so one {@link ApiHandler} serves both.
 * Request bodies are aggregated up to the configured limit, except those an extension streams
 * ({@link StreamedRequestRouter}); a larger one is refused from its
 * Content-Length, in the service's error shape, before it is read.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private final ServerConfig config;
  private final ApiHandler api;
  private final @Nullable SslContext tls;
  private final @Nullable SignatureCheck signatureCheck;

  ServerInitializer(ServerConfig config, ApiHandler api, @Nullable SslContext tls,
      @Nullable SignatureCheck signatureCheck) {
    this.config = config;
    this.api = api;
    this.tls = tls;
    this.signatureCheck = signatureCheck;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    if (tls != null) {
      pipeline.addLast(tls.newHandler(channel.alloc()), new AlpnNegotiation(this));
      return;
    }
    HttpServerCodec http1 = new HttpServerCodec();
    HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
        AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(http2FrameCodec(), http2Multiplexer()) : null;
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(http1, upgrades, config.maxRequestBytes());
    pipeline.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel http2) {
        http2.pipeline().addLast(http2FrameCodec(), http2Multiplexer());
      }
    }));
    pipeline.addLast(streamedRequests(), new LimitedAggregator(config.maxRequestBytes()));
    addRequestHandlers(pipeline);
  }

  /** HTTP/1.1 on a connection whose protocol is settled (TLS with ALPN). */
  void configureHttp1(ChannelPipeline pipeline) {
    pipeline.addLast(new HttpServerCodec(), streamedRequests(), new LimitedAggregator(config.maxRequestBytes()));
    addRequestHandlers(pipeline);
  }

  /** HTTP/2 on a connection whose protocol is settled (TLS with ALPN). */
  void configureHttp2(ChannelPipeline pipeline) {
    pipeline.addLast(http2FrameCodec(), http2Multiplexer());
  }

  /** What serves a whole request: the signature check when keys are configured, then the API. */
  private void addRequestHandlers(ChannelPipeline pipeline) {
    pipeline.addLast(MalformedHttpGuard.INSTANCE);
    if (signatureCheck != null) {
      pipeline.addLast(signatureCheck);
    }
    pipeline.addLast(api);
  }

  /** Takes the requests whose bodies an extension streams, before the aggregator would. */
  private StreamedRequestRouter streamedRequests() {
    return new StreamedRequestRouter(api, signatureCheck == null ? null : signatureCheck.verifier());
  }

  private Http2FrameCodec http2FrameCodec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1000))
        .build();
  }

  private Http2MultiplexHandler http2Multiplexer() {
    return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
        stream.pipeline().addLast(streamedRequests(), new LimitedAggregator(config.maxRequestBytes()));
        addRequestHandlers(stream.pipeline());
      }
    });
  }

  /** Aggregates request bodies and answers an oversized one with the service's error shape. */
  static final class LimitedAggregator extends HttpObjectAggregator {
    /** How long an oversized request's connection keeps draining the body after the 413. */
    static final Duration LINGER = Duration.ofSeconds(10);

    private final int maxBytes;

    LimitedAggregator(int maxBytes) {
      super(maxBytes);
      this.maxBytes = maxBytes;
    }

    /**
     * No 100 Continue for a body over the limit: Netty's own answer would be a bare 413 without
     * the service's error body, so let {@link #handleOversizedMessage} answer instead.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      try {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
          return null;
        }
      } catch (NumberFormatException e) {
        // A Content-Length that is not a number fails decoding; MalformedHttpGuard answers it.
        return null;
      }
      return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage message) {
      long length = HttpUtil.getContentLength(message, -1L);
      // In the request's own format, so that a CBOR client (the AWS SDK's default) reads the message.
      WireFormat format = WireFormat.ofContentType(message.headers().get(HttpHeaderNames.CONTENT_TYPE));
      FullHttpResponse response = Responses.error(ctx.alloc(), 413, "ValidationException",
          "The request body" + (length >= 0 ? " of " + length + " bytes" : "")
              + " exceeds the limit of " + maxBytes + " bytes", format != null ? format : WireFormat.JSON);
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
      ChannelFuture written = ctx.writeAndFlush(response);
      if (!(ctx.channel() instanceof SocketChannel socket)) {
        // An HTTP/2 stream: closing it resets only the stream, after the answer.
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      // A lingering close. The client may still be sending the body: closing now, with its bytes
      // unread, makes the kernel answer with a reset that can destroy the 413 before the client
      // reads it. Instead send the answer and FIN, keep reading (this aggregator drops the rest of
      // the body), and close when the client does or after LINGER at the latest.
      written.addListener((ChannelFutureListener) done -> {
        if (!done.isSuccess()) {
          ctx.close();
          return;
        }
        socket.shutdownOutput();
        ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      });
    }
  }
}
