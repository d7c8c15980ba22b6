package dev.freshet.kinesis.server;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.RecordsRead;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.wire.RecordsAnswer;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one HTTP request (HTTP/1.1, or one HTTP/2 stream): {@code GET /health}, {@code GET
 * /metrics}, and the Kinesis API as {@code POST} with {@code X-Amz-Target:
 * Kinesis_20131202.<Operation>}.
 *
 * <p>Store calls run on the worker pool, off the network threads, with one exception: when the
 * store never waits ({@link #INLINE_OPERATIONS} on a {@link LocalStreamStore} under {@link
 * Durability#OS}, where a write returns once it is in the page cache and a read comes from it), the
 * data-plane calls run on the network thread that read the request. That saves two thread
 * hand-offs per request (to a worker, and back to the event loop with the response), which is most
 * of a put-to-get round trip on a busy small machine. Under {@code fsync} a put waits for the
 * disk, so everything goes to the workers.
 */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String TARGET_PREFIX = "Kinesis_20131202.";

  /** The data-plane operations that may run on a network thread when the store never waits. */
  private static final String GET_RECORDS = "GetRecords";

  static final Set<String> INLINE_OPERATIONS =
      Set.of("PutRecord", "PutRecords", "GetRecords", "GetShardIterator");

  private final Operations operations;
  private final SubscribeToShardHandler subscriptions;
  private final ServerMetrics metrics;
  private final ExecutorService workers;
  private final boolean storeNeverWaits;
  private final List<ServiceExtension> extensions;
  /** Threads of streamed requests (see {@link ServiceExtension#streamsRequestBody}), one each. */
  private final ExecutorService streams;

  ApiHandler(StreamClient client, ServerMetrics metrics, ExecutorService workers,
      List<ServiceExtension> extensions) {
    this.extensions = List.copyOf(extensions);
    AtomicInteger streamCount = new AtomicInteger();
    this.streams = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "freshet-server-stream-" + streamCount.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.operations = new Operations(client);
    this.subscriptions = new SubscribeToShardHandler(client, metrics);
    this.metrics = metrics;
    this.workers = workers;
    this.storeNeverWaits = client instanceof LocalStreamStore store
        && store.config().durability() == Durability.OS;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String path = request.uri().split("\\?", 2)[0];
    if (request.method().equals(HttpMethod.GET) && path.equals("/health")) {
      send(ctx, Responses.text(ctx.alloc(), HttpResponseStatus.OK, "application/json", "{\"status\":\"ok\"}"), keepAlive);
      return;
    }
    if (request.method().equals(HttpMethod.GET) && path.equals("/metrics")) {
      workers.execute(() -> send(ctx, Responses.text(ctx.alloc(), HttpResponseStatus.OK,
          "text/plain; version=0.0.4; charset=utf-8", metrics.render()), keepAlive));
      return;
    }
    for (ServiceExtension extension : extensions) {
      if (extension.accepts(request)) {
        serveExtension(ctx, extension, request);
        return;
      }
    }
    WireFormat format = WireFormat.ofContentType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
    if (!request.method().equals(HttpMethod.POST)) {
      send(ctx, Responses.error(ctx.alloc(), 405, "UnknownOperationException",
          "The Kinesis API takes POST requests; " + request.method() + " " + path + " is not served",
          WireFormat.JSON), keepAlive);
      return;
    }
    if (format == null) {
      send(ctx, Responses.error(ctx.alloc(), 400, "SerializationException", "Content-Type "
          + request.headers().get(HttpHeaderNames.CONTENT_TYPE) + " is not supported; use "
          + "application/x-amz-json-1.1 or application/x-amz-cbor-1.1", WireFormat.JSON), keepAlive);
      return;
    }
    String target = request.headers().get("X-Amz-Target");
    String name = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : null;
    if (SubscribeToShardHandler.OPERATION.equals(name)) {
      subscribe(ctx, format, ByteBufUtil.getBytes(request.content()), keepAlive);
      return;
    }
    Operations.Operation operation = name == null ? null : operations.get(name);
    if (operation == null) {
      send(ctx, Responses.error(ctx.alloc(), 400, "UnknownOperationException",
          target == null ? "The request has no X-Amz-Target header naming the operation"
              : "Unknown operation " + ApiRequest.abbreviate(target), format), keepAlive);
      return;
    }
    byte[] body = ByteBufUtil.getBytes(request.content());
    boolean binaryRecords = GET_RECORDS.equals(name)
        && RecordsAnswer.VERSION.equals(request.headers().get(RecordsAnswer.HEADER));
    if (storeNeverWaits && INLINE_OPERATIONS.contains(name)) {
      send(ctx, execute(ctx, name, operation, format, body, binaryRecords), keepAlive);
      return;
    }
    try {
      workers.execute(() -> send(ctx, execute(ctx, name, operation, format, body, binaryRecords), keepAlive));
    } catch (RejectedExecutionException e) {
      send(ctx, Responses.error(ctx.alloc(), 503, "ServiceUnavailableException",
          "The server is shutting down", format), false);
    }
  }

  /** Hands the whole request to an extension on a worker thread; the request is released after. */
  private void serveExtension(ChannelHandlerContext ctx, ServiceExtension extension, FullHttpRequest request) {
    request.retain();
    HttpExchange exchange = new HttpExchange(ctx, request);
    dispatch(workers, ctx, extension, exchange, request::release);
  }

  /** The extension that answers {@code request} if it streams that request's body, else null. */
  @org.jspecify.annotations.Nullable ServiceExtension streamingExtension(HttpRequest request) {
    String path = request.uri().split("\\?", 2)[0];
    if (path.equals("/health") || path.equals("/metrics")) {
      return null;
    }
    for (ServiceExtension extension : extensions) {
      if (extension.accepts(request)) {
        return extension.streamsRequestBody(request) ? extension : null;
      }
    }
    return null;
  }

  /**
   * Hands a request whose body streams to {@code extension} on a thread of its own, for as long as
   * the upload lasts; what it leaves of the body is discarded after.
   */
  void serveStreamed(ChannelHandlerContext ctx, ServiceExtension extension, HttpExchange exchange) {
    dispatch(streams, ctx, extension, exchange, () -> {
      try {
        exchange.body().close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static void dispatch(ExecutorService executor, ChannelHandlerContext ctx, ServiceExtension extension,
      HttpExchange exchange, Runnable after) {
    try {
      executor.execute(() -> {
        try {
          extension.serve(exchange);
        } catch (Exception e) {
          LOG.warn("{} failed to answer {} {}", extension.signingName(), exchange.request().method(),
              exchange.path(), e);
          send(ctx, Responses.error(ctx.alloc(), 500, "InternalFailure",
              e.getClass().getSimpleName() + ": " + e.getMessage(), WireFormat.JSON), exchange.keepAlive());
        } finally {
          after.run();
        }
      });
    } catch (RejectedExecutionException e) {
      after.run();
      send(ctx, Responses.error(ctx.alloc(), 503, "ServiceUnavailableException",
          "The server is shutting down", WireFormat.JSON), false);
    }
  }

  /** Stops the threads of streamed requests (interrupting those still running). */
  void closeStreams() {
    streams.shutdownNow();
  }

  /** SubscribeToShard answers with a stream of events rather than one body. */
  private void subscribe(ChannelHandlerContext ctx, WireFormat format, byte[] body, boolean keepAlive) {
    try {
      workers.execute(() -> subscriptions.subscribe(ctx, format, body, keepAlive));
    } catch (RejectedExecutionException e) {
      send(ctx, Responses.error(ctx.alloc(), 503, "ServiceUnavailableException",
          "The server is shutting down", format), false);
    }
  }

  /**
   * Runs one operation. {@code binaryRecords}: a GetRecords call from a Freshet client that
   * accepts {@link RecordsAnswer}, answered in it when the read fits.
   */
  private FullHttpResponse execute(ChannelHandlerContext ctx, String name, Operations.Operation operation,
      WireFormat format, byte[] body, boolean binaryRecords) {
    long start = System.nanoTime();
    FullHttpResponse response;
    try {
      ApiRequest request = new ApiRequest(format.parse(body), format);
      if (binaryRecords) {
        RecordsRead read = operations.readRecordsBinary(request);
        response = read.binary() != null ? Responses.records(read.binary())
            : Responses.body(ctx.alloc(), HttpResponseStatus.OK, format,
                operations.getRecordsAnswer(request, read.records()));
      } else {
        response = Responses.body(ctx.alloc(), HttpResponseStatus.OK, format, operation.apply(request));
      }
    } catch (IOException | RuntimeException e) {
      response = Responses.failure(ctx.alloc(), name, e, format);
    }
    metrics.recordRequest(name, response.status().code(), System.nanoTime() - start);
    return response;
  }

  static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("Connection {} failed; closing it", ctx.channel(), cause);
    ctx.close();
  }
}
