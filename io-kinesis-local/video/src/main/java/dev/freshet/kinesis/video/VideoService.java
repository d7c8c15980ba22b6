package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.server.HttpExchange;
import dev.freshet.kinesis.server.ServiceExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kinesis Video Streams API on the server's port, over a {@link VideoFragmentStore}: the
 * control plane ({@code POST /createStream}, {@code /describeStream}, {@code /listStreams}, {@code
 * /deleteStream}, {@code /updateDataRetention}, {@code /getDataEndpoint}, which answers with this
 * server's own endpoint), the media plane ({@code /putMedia}, {@code /getMedia}) and the archived
 * media plane ({@code /listFragments}, {@code /getMediaForFragmentList}, {@code /getImages}: JPEG or PNG
 * decoded from the stored H.264 by {@link VideoImages}, {@code /getClip}: MP4 remuxed by {@link
 * VideoClips}, {@code /getHLSStreamingSessionURL} and {@code /getDASHStreamingSessionURL}: sessions whose
 * playlists and fragmented MP4 segments are fetched from this server with {@code GET}, see {@code
 * docs/video.md}), with the service's JSON
 * shapes and errors, so the AWS SDKs' Kinesis Video clients and {@code aws kinesisvideo} work with
 * only the endpoint changed.
 *
 * <pre>{@code
 * VideoFragmentStore videos = VideoFragmentStore.open(dataDir.resolve("video"), Durability.OS);
 * KinesisServer server = KinesisServer.start(config, store, List.of(new VideoService(videos)));
 * }</pre>
 *
 * <p>PutMedia's body streams in (it is not bound by the server's request size limit) and its
 * acknowledgements stream out as each fragment is buffered, received and persisted. GetMedia
 * streams fragments as they are stored and ends once none has come for {@link #idleTimeout()}.
 * These two, GetMediaForFragmentList, GetImages and GetClip run on threads of their own, not the
 * server's workers. Closing the service closes the store.
 */
public final class VideoService implements ServiceExtension {
  private static final Logger LOG = LoggerFactory.getLogger(VideoService.class);
  static final String SIGNING_NAME = "kinesisvideo";
  private static final Set<String> PATHS = Set.of("/createStream", "/describeStream", "/listStreams",
      "/deleteStream", "/updateDataRetention", "/getDataEndpoint", "/putMedia", "/getMedia", "/listFragments",
      "/getMediaForFragmentList", "/getImages", "/getClip", "/getHLSStreamingSessionURL",
      "/getDASHStreamingSessionURL");
  private static final Set<String> STREAMED = Set.of("/putMedia", "/getMedia", "/getMediaForFragmentList", "/getImages",
      "/getClip");
  private static final Set<String> API_NAMES = Set.of("PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS",
      "GET_MEDIA_FOR_FRAGMENT_LIST", "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL",
      "GET_CLIP", "GET_IMAGES");

  private final VideoFragmentStore store;
  private final Duration idleTimeout;
  private final Playback playback;

  /** Serves {@code store}, ending a GetMedia after 3 s without a new fragment. */
  public VideoService(VideoFragmentStore store) {
    this(store, Duration.ofSeconds(3));
  }

  /** Serves {@code store}, ending a GetMedia after {@code idleTimeout} without a new fragment. */
  public VideoService(VideoFragmentStore store, Duration idleTimeout) {
    this.store = checkNotNull(store, "store");
    checkArgument(!idleTimeout.isNegative() && !idleTimeout.isZero(), "idleTimeout must be positive, but was: %s",
        idleTimeout);
    this.idleTimeout = idleTimeout;
    this.playback = new Playback(store);
  }

  public VideoFragmentStore store() {
    return store;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  @Override
  public String signingName() {
    return SIGNING_NAME;
  }

  @Override
  public boolean accepts(HttpRequest request) {
    String path = path(request.uri());
    return request.method().equals(HttpMethod.POST) ? PATHS.contains(path)
        : request.method().equals(HttpMethod.GET) && Playback.GET_PATHS.contains(path);
  }

  /** HLS and DASH playlists and segments: players fetch them with the session token, unsigned. */
  @Override
  public boolean authenticatesItself(HttpRequest request) {
    return request.method().equals(HttpMethod.GET) && Playback.GET_PATHS.contains(path(request.uri()));
  }

  @Override
  public boolean streamsRequestBody(HttpRequest request) {
    // PutMedia for its endless body; the GetMedia kinds so that they stream out on threads of
    // their own rather than holding the server's workers.
    return request.method().equals(HttpMethod.POST) && STREAMED.contains(path(request.uri()));
  }

  private static String path(String uri) {
    int question = uri.indexOf('?');
    return question < 0 ? uri : uri.substring(0, question);
  }

  @Override
  public void serve(HttpExchange exchange) throws Exception {
    String path = exchange.path();
    try {
      if (exchange.request().method().equals(HttpMethod.GET)) {
        playback.serve(exchange);
        return;
      }
      if (path.equals("/putMedia")) {
        MediaPlane.putMedia(store, exchange);
        return;
      }
      ObjectNode request = Json.parse(exchange.body().readAllBytes());
      switch (path) {
        case "/getMedia" -> MediaPlane.getMedia(store, exchange, request, idleTimeout);
        case "/getMediaForFragmentList" -> MediaPlane.getMediaForFragmentList(store, exchange, request);
        case "/getClip" -> exchange.respond(200, "video/mp4", ArchivedMedia.getClip(store, streamName(request), request));
        default -> respond(exchange, 200, controlPlane(exchange, path, request));
      }
    } catch (VideoException e) {
      error(exchange, e);
    } catch (IllegalStateException e) {
      // The store closed under the request: the server is stopping.
      error(exchange, new VideoException("ServiceUnavailableException", 503, e.getMessage()));
    }
  }

  private ObjectNode controlPlane(HttpExchange exchange, String path, ObjectNode request) {
    ObjectNode result = Json.MAPPER.createObjectNode();
    switch (path) {
      case "/createStream" -> {
        Integer retention = Json.integer(request, "DataRetentionInHours", 0, VideoFragmentStore.MAX_RETENTION_HOURS);
        String deviceName = Json.text(request, "DeviceName");
        String mediaType = Json.text(request, "MediaType");
        VideoStreamInfo info = store.createStream(Json.requiredText(request, "StreamName"), deviceName, mediaType,
            Json.text(request, "KmsKeyId"), retention == null ? 0 : retention);
        result.put("StreamARN", info.streamArn());
      }
      case "/describeStream" -> result.set("StreamInfo", Json.streamInfo(store.describeStream(streamName(request))));
      case "/listStreams" -> listStreams(request, result);
      case "/deleteStream" -> store.deleteStream(streamName(request), Json.text(request, "CurrentVersion"));
      case "/updateDataRetention" -> {
        String operation = Json.requiredText(request, "Operation");
        Integer change = Json.integer(request, "DataRetentionChangeInHours", 1, VideoFragmentStore.MAX_RETENTION_HOURS);
        if (change == null) {
          throw VideoException.invalid("DataRetentionChangeInHours is required");
        }
        int signed = switch (operation) {
          case "INCREASE_DATA_RETENTION" -> change;
          case "DECREASE_DATA_RETENTION" -> -change;
          default -> throw VideoException.invalid("Operation must be INCREASE_DATA_RETENTION or "
              + "DECREASE_DATA_RETENTION, but was: " + FragmentNumbers.abbreviate(operation));
        };
        store.updateDataRetention(streamName(request), Json.requiredText(request, "CurrentVersion"), signed);
      }
      case "/getDataEndpoint" -> {
        String apiName = Json.requiredText(request, "APIName");
        if (!API_NAMES.contains(apiName)) {
          throw VideoException.invalid("APIName must be one of " + API_NAMES + ", but was: "
              + FragmentNumbers.abbreviate(apiName));
        }
        store.describeStream(streamName(request));
        result.put("DataEndpoint", endpoint(exchange));
      }
      case "/listFragments" -> listFragments(request, result);
      case "/getImages" -> result = ArchivedMedia.getImages(store, streamName(request), request);
      case "/getHLSStreamingSessionURL" -> result = playback.createSession(endpoint(exchange), streamName(request),
          request, false);
      case "/getDASHStreamingSessionURL" -> result = playback.createSession(endpoint(exchange), streamName(request),
          request, true);
      default -> throw new IllegalStateException("no operation for " + path);
    }
    return result;
  }

  private void listStreams(ObjectNode request, ObjectNode result) {
    Integer max = Json.integer(request, "MaxResults", 1, 10_000);
    String after = Json.text(request, "NextToken");
    String prefix = null;
    JsonNode condition = request.get("StreamNameCondition");
    if (condition != null && !condition.isNull()) {
      String operator = Json.text(condition, "ComparisonOperator");
      if (operator != null && !operator.equals("BEGINS_WITH")) {
        throw VideoException.invalid("ComparisonOperator must be BEGINS_WITH, but was: "
            + FragmentNumbers.abbreviate(operator));
      }
      prefix = Json.text(condition, "ComparisonValue");
    }
    ArrayNode list = result.putArray("StreamInfoList");
    int limit = max == null ? 10_000 : max;
    String last = null;
    for (VideoStreamInfo info : store.listStreams()) {
      if ((after != null && info.streamName().compareTo(after) <= 0)
          || (prefix != null && !info.streamName().startsWith(prefix))) {
        continue;
      }
      if (list.size() == limit) {
        result.put("NextToken", last);
        break;
      }
      list.add(Json.streamInfo(info));
      last = info.streamName();
    }
  }

  private void listFragments(ObjectNode request, ObjectNode result) {
    String name = streamName(request);
    Integer max = Json.integer(request, "MaxResults", 1, 1000);
    String after = Json.text(request, "NextToken");
    long afterOffset = after == null ? -1 : FragmentNumbers.offset(after);
    String selectorType = null;
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    JsonNode selector = request.get("FragmentSelector");
    if (selector != null && !selector.isNull()) {
      selectorType = Json.requiredText(selector, "FragmentSelectorType");
      if (!selectorType.equals("PRODUCER_TIMESTAMP") && !selectorType.equals("SERVER_TIMESTAMP")) {
        throw VideoException.invalid("FragmentSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP, "
            + "but was: " + FragmentNumbers.abbreviate(selectorType));
      }
      JsonNode range = selector.get("TimestampRange");
      if (range == null || !range.isObject()) {
        throw VideoException.invalid("FragmentSelector.TimestampRange is required");
      }
      from = Json.timestampMillis(range, "StartTimestamp");
      to = Json.timestampMillis(range, "EndTimestamp");
      if (to < from) {
        throw VideoException.invalid("EndTimestamp must not be before StartTimestamp");
      }
    }
    ArrayNode fragments = result.putArray("Fragments");
    int limit = max == null ? 1000 : max;
    String last = null;
    for (FragmentInfo info : store.listFragments(name)) {
      if (FragmentNumbers.offset(info.fragmentNumber()) <= afterOffset) {
        continue;
      }
      long at = "PRODUCER_TIMESTAMP".equals(selectorType) ? info.producerTimestampMillis() : info.serverTimestampMillis();
      if (selectorType != null && (at < from || at > to)) {
        continue;
      }
      if (fragments.size() == limit) {
        result.put("NextToken", last);
        break;
      }
      fragments.add(Json.fragment(info));
      last = info.fragmentNumber();
    }
  }

  /** The stream a request names by StreamName or StreamARN (exactly one). */
  String streamName(JsonNode request) {
    String name = Json.text(request, "StreamName");
    String arn = Json.text(request, "StreamARN");
    if ((name == null) == (arn == null)) {
      throw VideoException.invalid("Exactly one of StreamName and StreamARN is required");
    }
    return name != null ? name : store.streamNameOf(arn);
  }

  /** This server as the client reached it: the data endpoint is the same port. */
  static String endpoint(HttpExchange exchange) {
    String host = exchange.request().headers().get(HttpHeaderNames.HOST);
    Channel channel = exchange.context().channel();
    Channel connection = channel.parent() != null ? channel.parent() : channel;
    boolean tls = connection.pipeline().get(SslHandler.class) != null;
    if (host == null) {
      host = exchange.request().headers().get(":authority", connection.localAddress().toString().replace("/", ""));
    }
    return (tls ? "https://" : "http://") + host;
  }

  static void respond(HttpExchange exchange, int status, ObjectNode body) {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.respond(status, "application/json", bytes);
  }

  /** The service's error shape: the type in {@code x-amzn-ErrorType} and the body's {@code __type}. */
  static void error(HttpExchange exchange, VideoException e) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("__type", e.errorType());
    body.put("message", e.getMessage());
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(e.status()), Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().set("x-amzn-ErrorType", e.errorType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    exchange.respond(response);
  }

  /** Closes the store. */
  @Override
  public void close() {
    store.close();
  }

  static void logClientGone(String operation, String stream, IOException e) {
    LOG.debug("{} on {} ended: the client went away", operation, stream, e);
  }
}
