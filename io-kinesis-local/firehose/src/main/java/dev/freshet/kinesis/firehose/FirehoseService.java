package dev.freshet.kinesis.firehose;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.server.HttpExchange;
import dev.freshet.kinesis.server.ServiceExtension;
import dev.freshet.sdk.stream.StreamClient;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Firehose API ({@code X-Amz-Target: Firehose_20150804.<Operation>}, JSON 1.1, signing name
 * {@code firehose}) on the port of {@code freshet server}. Delivery streams take records by PutRecord
 * and PutRecordBatch (DirectPut) or read a Freshet stream (KinesisStreamAsSource), and deliver them
 * from inside the server to an S3 API (ExtendedS3), an HTTP endpoint, or PostgreSQL (Redshift).
 *
 * <pre>{@code
 * try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dataDir).build());
 *     FirehoseService firehose = FirehoseService.open(FirehoseServiceConfig.builder(dataDir).build(), store);
 *     KinesisServer server = KinesisServer.start(serverConfig, store, List.of(firehose))) {
 *   // FirehoseClient.builder().endpointOverride(server.endpoint())...
 * }
 * }</pre>
 *
 * <p>Configuration lives in {@code <data-dir>/firehose/streams/}; a DirectPut stream's records are
 * kept, until delivered, in an internal stream of the store named {@code __firehose-NAME}; and each
 * delivery's position is checkpointed in {@code <data-dir>/firehose/checkpoints/}. So a stream
 * reopened on the same data folder delivers whatever it had accepted and not yet delivered
 * (at-least-once). Errors have the service's types and shape ({@code {"__type":…,"message":…}}); a
 * refused request changes nothing.
 */
public final class FirehoseService implements ServiceExtension {
  private static final Logger LOG = LoggerFactory.getLogger(FirehoseService.class);
  static final String TARGET_PREFIX = "Firehose_20150804.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeliveryStreams streams;
  /** The S3 API this service started (and closes), if any. */
  private final Optional<S3Server> ownS3;

  private FirehoseService(DeliveryStreams streams, Optional<S3Server> ownS3) {
    this.streams = streams;
    this.ownS3 = ownS3;
  }

  /**
   * Opens the service on {@code store}: starts the S3 API if the configuration asks for one, loads
   * the delivery streams under {@code <data-dir>/firehose} and starts their deliveries.
   */
  public static FirehoseService open(FirehoseServiceConfig config, StreamClient store) throws IOException {
    checkNotNull(config, "config");
    if (config.s3Port().isEmpty()) {
      return open(config, store, Optional.empty());
    }
    S3Server s3 = S3Server.start(config.dataDir().resolve("s3"), config.s3Host().orElseThrow(), config.s3Port().get());
    try {
      FirehoseService service = open(config, store, config.s3Endpoint().isPresent() ? Optional.empty()
          : Optional.of(s3));
      return new FirehoseService(service.streams, Optional.of(s3));
    } catch (IOException | RuntimeException e) {
      closeQuietly(s3, e);
      throw e;
    }
  }

  /** The S3 API this service serves, if it started one. */
  public Optional<URI> s3Endpoint() {
    return ownS3.map(S3Server::endpoint);
  }

  /**
   * Every delivery stream as DescribeDeliveryStream describes it, plus {@code SourceStream} (the
   * stream its delivery reads) and {@code Delivery}: what it delivered since the server started
   * ({@code deliveries}, {@code records}, {@code bytes}, {@code lastDeliveryMillis}, {@code
   * failures}, {@code lastFailure}, the newest {@code objects} and {@code errors}, the error records
   * as JSON). For the console.
   */
  public com.fasterxml.jackson.databind.node.ArrayNode deliveryStatus() {
    return streams.status();
  }

  private static void closeQuietly(S3Server s3, Exception cause) {
    try {
      s3.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * As {@link #open(FirehoseServiceConfig, StreamClient)}, with the S3 server whose buckets S3
   * destinations deliver into (buckets are created there on first use).
   */
  public static FirehoseService open(FirehoseServiceConfig config, StreamClient store, Optional<S3Server> s3)
      throws IOException {
    checkNotNull(config, "config");
    checkNotNull(store, "store");
    checkNotNull(s3, "s3");
    DeliveryStreams streams = new DeliveryStreams(config, store, s3,
        new Transformers(Thread.currentThread().getContextClassLoader()));
    streams.load();
    return new FirehoseService(streams, Optional.empty());
  }

  @Override
  public String signingName() {
    return "firehose";
  }

  @Override
  public boolean accepts(HttpRequest request) {
    String target = request.headers().get("X-Amz-Target");
    return request.method().equals(HttpMethod.POST) && target != null && target.startsWith(TARGET_PREFIX);
  }

  @Override
  public void serve(HttpExchange exchange) {
    String operation = exchange.request().headers().get("X-Amz-Target").substring(TARGET_PREFIX.length());
    ObjectNode response;
    try {
      response = handle(operation, body(exchange));
    } catch (FirehoseException e) {
      LOG.debug("Firehose {} refused: {} {}", operation, e.type(), e.getMessage());
      respond(exchange, e.status(), error(e.type(), e.getMessage()));
      return;
    }
    respond(exchange, 200, response);
  }

  private static ObjectNode body(HttpExchange exchange) {
    byte[] bytes = ByteBufUtil.getBytes(exchange.request().content());
    JsonNode node;
    try {
      node = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    } catch (IOException e) {
      throw new FirehoseException(FirehoseException.SERIALIZATION, "The request body is not JSON: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode object)) {
      throw new FirehoseException(FirehoseException.SERIALIZATION, "The request body must be a JSON object");
    }
    return object;
  }

  /** Runs one operation; visible for the CLI-free tests of the operations. */
  ObjectNode handle(String operation, ObjectNode request) {
    return switch (operation) {
      case "CreateDeliveryStream" -> streams.create(request);
      case "DescribeDeliveryStream" -> streams.describe(request);
      case "ListDeliveryStreams" -> streams.list(request);
      case "DeleteDeliveryStream" -> streams.delete(request);
      case "PutRecord" -> streams.putRecord(request);
      case "PutRecordBatch" -> streams.putRecordBatch(request);
      case "UpdateDestination" -> streams.updateDestination(request);
      case "StartDeliveryStreamEncryption" -> streams.encryption(request, true);
      case "StopDeliveryStreamEncryption" -> streams.encryption(request, false);
      case "TagDeliveryStream" -> streams.tag(request);
      case "UntagDeliveryStream" -> streams.untag(request);
      case "ListTagsForDeliveryStream" -> streams.listTags(request);
      default -> throw new FirehoseException(FirehoseException.UNKNOWN_OPERATION,
          "Firehose operation " + operation + " is not supported by Freshet");
    };
  }

  private static ObjectNode error(String type, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("__type", type);
    node.put("message", message);
    return node;
  }

  private static void respond(HttpExchange exchange, int status, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    exchange.respond(status, CONTENT_TYPE, bytes);
  }

  /** Stops every delivery thread; what was not delivered is delivered after the next open. */
  @Override
  public void close() throws Exception {
    try {
      streams.close();
    } finally {
      if (ownS3.isPresent()) {
        ownS3.get().close();
      }
    }
  }
}
