package dev.freshet.kinesis.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Lets through only requests signed by a configured key (see {@link SignatureVerifier}); others are
 * answered with the service's authentication error in the request's body format. {@code GET
 * /health} stays open so that a supervisor can probe the server without keys, and so do the
 * requests an extension {@linkplain ServiceExtension#authenticatesItself authenticates itself}.
 */
@ChannelHandler.Sharable
final class SignatureCheck extends ChannelInboundHandlerAdapter {
  private final SignatureVerifier verifier;
  private final java.util.List<ServiceExtension> extensions;

  SignatureCheck(SignatureVerifier verifier, java.util.List<ServiceExtension> extensions) {
    this.verifier = verifier;
    this.extensions = java.util.List.copyOf(extensions);
  }

  private boolean authenticatedByExtension(FullHttpRequest request) {
    for (ServiceExtension extension : extensions) {
      if (extension.accepts(request)) {
        return extension.authenticatesItself(request);
      }
    }
    return false;
  }

  SignatureVerifier verifier() {
    return verifier;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof FullHttpRequest)) {
      ctx.fireChannelRead(message);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) message;
    if ((request.method().equals(HttpMethod.GET) && request.uri().split("\\?", 2)[0].equals("/health"))
        || authenticatedByExtension(request)) {
      ctx.fireChannelRead(message);
      return;
    }
    try {
      verifier.verify(request);
    } catch (ApiException e) {
      WireFormat format = WireFormat.ofContentType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      request.release();
      ApiHandler.send(ctx, Responses.error(ctx.alloc(), e.status(), e.errorType(), e.getMessage(),
          format == null ? WireFormat.JSON : format), keepAlive);
      return;
    }
    ctx.fireChannelRead(message);
  }
}
