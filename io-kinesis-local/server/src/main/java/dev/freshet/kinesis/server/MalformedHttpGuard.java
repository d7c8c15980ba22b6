package dev.freshet.kinesis.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;

/**
 * Answers a request that did not decode as HTTP (a broken request line or header, a bad
 * Content-Length) with a SerializationException and closes the connection. Without it the
 * decoder's placeholder request would reach the API as if it were real, and the connection would
 * stay open while the decoder silently discards everything that follows, so the client would wait
 * forever for its next answer.
 */
@ChannelHandler.Sharable
final class MalformedHttpGuard extends ChannelInboundHandlerAdapter {
  static final MalformedHttpGuard INSTANCE = new MalformedHttpGuard();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpObject && ((HttpObject) message).decoderResult().isFailure()) {
      Throwable cause = ((HttpObject) message).decoderResult().cause();
      io.netty.util.ReferenceCountUtil.release(message);
      FullHttpResponse response = Responses.error(ctx.alloc(), 400, "SerializationException",
          "The request is not valid HTTP: " + ApiRequest.abbreviate(String.valueOf(cause.getMessage())),
          WireFormat.JSON);
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(message);
  }
}
