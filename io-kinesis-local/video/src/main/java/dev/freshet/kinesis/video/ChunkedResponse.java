package dev.freshet.kinesis.video;

import dev.freshet.kinesis.server.HttpExchange;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * A 200 answer written as it is produced (chunked on HTTP/1.1, data frames on HTTP/2): PutMedia's
 * acknowledgements, GetMedia's fragments. Each write waits until the bytes are handed to the
 * socket, so a slow reader slows the writer down instead of filling memory.
 */
final class ChunkedResponse {
  private final HttpExchange exchange;
  private boolean ended;

  private ChannelFuture last;

  ChunkedResponse(HttpExchange exchange, String contentType) {
    this.exchange = exchange;
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    head.headers().set(HttpHeaderNames.CONNECTION, exchange.keepAlive() ? HttpHeaderValues.KEEP_ALIVE
        : HttpHeaderValues.CLOSE);
    last = exchange.context().writeAndFlush(head);
  }

  /** Writes {@code bytes} and waits until they are on their way. */
  void write(byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return;
    }
    ChannelFuture written = exchange.context().writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    last = written;
    try {
      written.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while answering");
    }
    if (!written.isSuccess()) {
      throw new IOException("The client went away: " + written.cause(), written.cause());
    }
  }

  boolean isOpen() {
    return exchange.context().channel().isActive();
  }

  /** Ends the answer (and the connection, if the client asked for that). */
  void end() {
    if (ended) {
      return;
    }
    ended = true;
    ChannelFuture done = exchange.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!exchange.keepAlive()) {
      done.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
