package dev.freshet.kinesis.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code SubscribeToShard}: reads the request (ConsumerARN, ShardId, StartingPosition), asks the
 * store for the subscription, and hands it to an {@link EventStreamWriter} that streams the events.
 * A request the store refuses (unknown consumer or shard, bad position) is answered like any other
 * operation's error; only an accepted subscription gets the 200 event stream.
 */
final class SubscribeToShardHandler {
  static final String OPERATION = "SubscribeToShard";

  private final StreamClient client;
  private final ServerMetrics metrics;

  SubscribeToShardHandler(StreamClient client, ServerMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /** Starts the subscription of one request; runs on a worker thread, never a network thread. */
  void subscribe(ChannelHandlerContext ctx, WireFormat format, byte[] body, boolean keepAlive) {
    long start = System.nanoTime();
    EventStreamWriter writer = new EventStreamWriter(ctx, format, keepAlive, metrics);
    FullHttpResponse refusal;
    metrics.activeSubscriptions.incrementAndGet();
    try {
      ApiRequest request = new ApiRequest(format.parse(body), format);
      String consumerArn = request.string("ConsumerARN", 1, 2048);
      String shardId = request.string("ShardId", 1, 128);
      StartingPosition position = startingPosition(request);
      client.subscribeToShard(consumerArn, shardId, position, writer);
      metrics.recordRequest(OPERATION, 200, System.nanoTime() - start);
      writer.accepted();
      return;
    } catch (IOException | RuntimeException e) {
      refusal = Responses.failure(ctx.alloc(), OPERATION, e, format);
    }
    // Refused before the store took the subscriber: it will never be signalled, so uncount it here.
    metrics.activeSubscriptions.decrementAndGet();
    metrics.recordRequest(OPERATION, refusal.status().code(), System.nanoTime() - start);
    ApiHandler.send(ctx, refusal, keepAlive);
  }

  private static StartingPosition startingPosition(ApiRequest request) {
    ApiRequest position = request.optObject("StartingPosition");
    if (position == null) {
      throw ApiException.validation("1 validation error detected: Value null at 'startingPosition' "
          + "failed to satisfy constraint: Member must not be null");
    }
    String type = position.string("Type");
    ShardIteratorType iteratorType;
    try {
      iteratorType = ShardIteratorType.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.format("1 validation error detected: Value '%s' at "
          + "'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: %s",
          ApiRequest.abbreviate(type), List.of(ShardIteratorType.values())));
    }
    return Operations.startingPosition(iteratorType, position.optString("SequenceNumber", 1, 128),
        position.optTimestamp("Timestamp"));
  }

  /**
   * The body of a {@code SubscribeToShardEvent} message, in the request's format: the Record and
   * ChildShard shapes are those of GetRecords.
   */
  static byte[] eventBody(WireFormat format, SubscribeToShardEvent event) {
    ObjectNode body = format.newObject();
    ArrayNode records = body.putArray("Records");
    for (Record record : event.records()) {
      records.add(Operations.recordNode(format, record));
    }
    body.put("ContinuationSequenceNumber", event.continuationSequenceNumber());
    body.put("MillisBehindLatest", event.millisBehindLatest());
    if (!event.childShards().isEmpty()) {
      Operations.putChildShards(body, event.childShards());
    }
    return bytes(format, body);
  }

  /** The body of an exception message: the error's message, as the service sends it. */
  static byte[] exceptionBody(WireFormat format, String message) {
    ObjectNode body = format.newObject();
    body.put("message", message);
    return bytes(format, body);
  }

  /** The body of the {@code initial-response} event: SubscribeToShard's output has no members. */
  static byte[] initialResponseBody(WireFormat format) {
    return bytes(format, format.newObject());
  }

  private static byte[] bytes(WireFormat format, ObjectNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      format.write(node, out);
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode a " + OPERATION + " event", e);
    }
    return out.toByteArray();
  }
}
