package dev.freshet.kinesis.server;

import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.StreamException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one accepted subscription to its client as an {@code application/vnd.amazon.eventstream}
 * response: the 200 headers and an {@code initial-response} event, then one {@code
 * SubscribeToShardEvent} message per store event, and at the end either nothing (the subscription
 * completed: lifetime reached, or the last event of a closed shard) or an exception message, then
 * the end of the response. Over HTTP/1.1 that is a chunked body; over HTTP/2, DATA frames of the
 * request's stream (the stream's child channel turns the same HTTP objects into frames).
 *
 * <p>Back-pressure: it asks the store for one event at a time, and only while the channel is
 * writable, so a client that reads slowly (a full TCP buffer, or an HTTP/2 flow-control window that
 * is not replenished) stops the store rather than growing the server's outbound buffer. When the
 * client goes away (connection closed, HTTP/2 stream reset) the store subscription is cancelled.
 *
 * <p>Threads: store signals arrive on the subscription's own thread; everything that touches the
 * channel or this object's state runs on the channel's event loop.
 */
final class EventStreamWriter extends ChannelInboundHandlerAdapter
    implements Flow.Subscriber<SubscribeToShardEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreamWriter.class);

  private final ChannelHandlerContext api;
  private final Channel channel;
  private final WireFormat format;
  private final boolean keepAlive;
  private final ServerMetrics metrics;

  // Confined to the event loop, except that a closing server cancels the subscription from elsewhere.
  private boolean started;
  private boolean ended;
  private boolean requested;
  private volatile Flow.@Nullable Subscription subscription;

  EventStreamWriter(ChannelHandlerContext api, WireFormat format, boolean keepAlive, ServerMetrics metrics) {
    this.api = api;
    this.channel = api.channel();
    this.format = format;
    this.keepAlive = keepAlive;
    this.metrics = metrics;
  }

  static String protocol(Channel channel) {
    return channel instanceof Http2StreamChannel ? "HTTP/2" : "HTTP/1.1";
  }

  /** The store took the subscription: send the response headers and the initial response. */
  void accepted() {
    metrics.recordSubscription(protocol(channel));
    onLoop(this::start);
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    boolean queued = onLoop(() -> {
      this.subscription = subscription;
      if (ended) {
        subscription.cancel();
      } else {
        requestIfWritable();
      }
    });
    if (!queued) {
      subscription.cancel();
    }
  }

  @Override
  public void onNext(SubscribeToShardEvent event) {
    // Encoded here, on the store's thread, to keep the event loop free for other connections.
    ByteBuf frame = EventStreamEncoder.event(channel.alloc(), "SubscribeToShardEvent",
        format.contentType(), SubscribeToShardHandler.eventBody(format, event));
    boolean queued = onLoop(() -> {
      requested = false;
      start();
      if (ended) {
        frame.release();
        return;
      }
      api.writeAndFlush(new DefaultHttpContent(frame));
      requestIfWritable();
    });
    if (!queued) {
      frame.release();
    }
  }

  @Override
  public void onError(Throwable error) {
    onLoop(() -> end(error));
  }

  @Override
  public void onComplete() {
    onLoop(() -> end(null));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    requestIfWritable();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!ended) {
      LOG.debug("Client of a {} stream on {} went away; cancelling the subscription",
          SubscribeToShardHandler.OPERATION, channel);
      cancel();
    }
    ctx.fireChannelInactive();
  }

  private void start() {
    if (started) {
      return;
    }
    started = true;
    if (!channel.isActive()) {
      cancel();
      return;
    }
    channel.pipeline().addLast(this);
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, EventStreamEncoder.CONTENT_TYPE)
        .set("x-amzn-RequestId", Responses.requestId());
    if (!(channel instanceof Http2StreamChannel)) {
      response.headers()
          .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
          .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
    api.write(response);
    api.writeAndFlush(new DefaultHttpContent(EventStreamEncoder.event(channel.alloc(), "initial-response",
        format.contentType(), SubscribeToShardHandler.initialResponseBody(format))));
    requestIfWritable();
  }

  private void requestIfWritable() {
    Flow.Subscription current = subscription;
    if (started && !ended && !requested && current != null && channel.isWritable()) {
      requested = true;
      current.request(1);
    }
  }

  /** The store ended the subscription: write why (for an error), then end the response. */
  private void end(@Nullable Throwable error) {
    start();
    if (ended) {
      return;
    }
    ended = true;
    if (error != null) {
      String type = exceptionType(error);
      if (type.equals("InternalFailureException")) {
        LOG.warn("A {} stream on {} failed; sent InternalFailureException to the client",
            SubscribeToShardHandler.OPERATION, channel, error);
      }
      api.write(new DefaultHttpContent(EventStreamEncoder.exception(channel.alloc(), type,
          format.contentType(), SubscribeToShardHandler.exceptionBody(format, String.valueOf(error.getMessage())))));
    }
    ChannelFuture last = api.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive && !(channel instanceof Http2StreamChannel)) {
      last.addListener(ChannelFutureListener.CLOSE);
    }
    release();
  }

  /** The client went away, or the channel closed before the stream began: stop the store. */
  private void cancel() {
    ended = true;
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
    release();
  }

  private void release() {
    metrics.activeSubscriptions.decrementAndGet();
    if (channel.pipeline().context(this) != null) {
      channel.pipeline().remove(this);
    }
  }

  /** The {@code :exception-type} of an error: the member of SubscribeToShard's event stream union. */
  static String exceptionType(Throwable error) {
    if (error instanceof StreamException) {
      String code = ((StreamException) error).errorCode();
      return code.equals("InternalFailure") ? "InternalFailureException" : code;
    }
    return "InternalFailureException";
  }

  /** Runs {@code task} on the event loop; false when the loop is shutting down (the server is closing). */
  private boolean onLoop(Runnable task) {
    try {
      channel.eventLoop().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      Flow.Subscription current = subscription;
      if (current != null) {
        current.cancel();
      }
      return false;
    }
  }
}
