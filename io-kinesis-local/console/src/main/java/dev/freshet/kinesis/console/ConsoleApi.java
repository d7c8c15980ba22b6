package dev.freshet.kinesis.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.SubscriptionLag;
import dev.freshet.kinesis.video.FragmentInfo;
import dev.freshet.kinesis.video.VideoException;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoImage;
import dev.freshet.kinesis.video.VideoImages;
import dev.freshet.kinesis.video.VideoStreamInfo;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardMetrics;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.StreamException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's JSON endpoints ({@code /console/api/…}), documented in {@code docs/console.md}.
 * Each answer is built from the components in process; bad input is a 400 and an unknown stream a
 * 404, both as {@code {"error": "…"}}.
 */
final class ConsoleApi {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "application/json; charset=utf-8";
  private static final int MAX_RECORDS = 1000;
  private static final int MAX_FRAGMENTS = 2000;
  private static final int MAX_SQL_ROWS = 10_000;

  /** One answer: status, content type and body. */
  record Answer(int status, String contentType, byte[] body) {
    static Answer json(int status, JsonNode node) {
      try {
        return new Answer(status, JSON_TYPE, JSON.writeValueAsBytes(node));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Answer error(int status, String message) {
      return json(status, JSON.createObjectNode().put("error", message));
    }
  }

  /** An input the endpoint refuses, answered with its status. */
  static final class Refusal extends RuntimeException {
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final LocalStreamStore store;
  private final RateSampler rates;
  private final Optional<FirehoseService> firehose;
  private final Optional<VideoFragmentStore> video;
  private final Optional<ConsoleSql> sql;

  ConsoleApi(LocalStreamStore store, RateSampler rates, Optional<FirehoseService> firehose,
      Optional<VideoFragmentStore> video, Optional<ConsoleSql> sql) {
    this.store = store;
    this.rates = rates;
    this.firehose = firehose;
    this.video = video;
    this.sql = sql;
  }

  /** Answers {@code method path} ({@code path} after {@code /console/api}); {@code uri} carries the query. */
  Answer answer(HttpMethod method, String path, String uri, byte[] body) {
    QueryStringDecoder query = new QueryStringDecoder(uri);
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      }
    }
    try {
      return route(method, parts, query, body);
    } catch (Refusal e) {
      return Answer.error(e.status, e.getMessage());
    } catch (ResourceNotFoundException e) {
      return Answer.error(404, e.getMessage());
    } catch (StreamException | IllegalArgumentException e) {
      return Answer.error(400, e.getMessage());
    } catch (VideoException e) {
      return Answer.error(e.status(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Console: {} {} failed", method, path, e);
      return Answer.error(500, e.toString());
    }
  }

  private Answer route(HttpMethod method, List<String> parts, QueryStringDecoder query, byte[] body) {
    boolean get = method.equals(HttpMethod.GET);
    boolean post = method.equals(HttpMethod.POST);
    String first = parts.isEmpty() ? "" : parts.get(0);
    int n = parts.size();
    switch (first) {
      case "overview" -> {
        if (get && n == 1) {
          return Answer.json(200, overview());
        }
      }
      case "streams" -> {
        if (get && n == 1) {
          return Answer.json(200, streams());
        }
        if (get && n == 2) {
          return Answer.json(200, stream(parts.get(1)));
        }
        if (get && n == 3 && parts.get(2).equals("rates")) {
          return Answer.json(200, rates(parts.get(1)));
        }
        if (get && n == 3 && parts.get(2).equals("records")) {
          return Answer.json(200, records(parts.get(1), query));
        }
      }
      case "firehose" -> {
        if (get && n == 1) {
          return Answer.json(200, deliveryStreams());
        }
      }
      case "video" -> {
        if (get && n == 1) {
          return Answer.json(200, videoStreams());
        }
        if (get && n == 3 && parts.get(2).equals("fragments")) {
          return Answer.json(200, fragments(parts.get(1)));
        }
        if (get && n == 3 && parts.get(2).equals("thumbnail")) {
          return thumbnail(parts.get(1), query);
        }
      }
      case "sql" -> {
        return sql(method, parts, body);
      }
      default -> {
        // Answered below.
      }
    }
    if (!get && !post) {
      throw new Refusal(405, "The console API takes GET and POST");
    }
    throw new Refusal(404, "No console endpoint " + method + " /console/api/" + String.join("/", parts));
  }

  // ---- overview ----

  private ObjectNode overview() {
    ObjectNode node = JSON.createObjectNode();
    node.put("streams", streamSummaries().size());
    node.put("firehose", firehose.isPresent());
    firehose.ifPresent(f -> node.put("deliveryStreams", f.deliveryStatus().size()));
    firehose.flatMap(FirehoseService::s3Endpoint).ifPresent(s3 -> node.put("s3Endpoint", s3.toString()));
    node.put("video", video.isPresent());
    video.ifPresent(v -> node.put("videoStreams", v.listStreams().size()));
    node.put("sql", sql.isPresent());
    return node;
  }

  // ---- streams ----

  private List<StreamSummary> streamSummaries() {
    List<StreamSummary> all = new ArrayList<>();
    String token = null;
    do {
      ListStreamsResult page = store.listStreams(token, 10_000);
      all.addAll(page.streams());
      token = page.nextToken();
    } while (token != null);
    all.sort(Comparator.comparing(StreamSummary::streamName));
    return all;
  }

  private ArrayNode streams() {
    ArrayNode array = JSON.createArrayNode();
    for (StreamSummary summary : streamSummaries()) {
      ObjectNode node = summary(summary);
      RateSampler.Point latest = rates.latest(summary.streamName());
      node.put("incomingRecordsPerSecond", latest == null ? 0 : latest.incoming());
      node.put("outgoingRecordsPerSecond", latest == null ? 0 : latest.outgoing());
      array.add(node);
    }
    return array;
  }

  private static ObjectNode summary(StreamSummary summary) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", summary.streamName());
    node.put("arn", summary.streamArn());
    node.put("status", summary.streamStatus().toString());
    node.put("mode", summary.streamMode().toString());
    node.put("openShards", summary.openShardCount());
    node.put("retentionHours", summary.retentionPeriodHours());
    node.put("encryption", summary.encryptionType().toString());
    if (summary.keyId() != null) {
      node.put("keyId", summary.keyId());
    }
    node.put("consumers", summary.consumerCount());
    node.put("createdMillis", summary.creationTimestamp().toEpochMilli());
    return node;
  }

  private List<Shard> shards(String stream) {
    List<Shard> all = new ArrayList<>();
    ListShardsResult page = store.listShards(ListShardsRequest.of(stream));
    all.addAll(page.shards());
    while (page.nextToken() != null) {
      page = store.listShards(ListShardsRequest.next(page.nextToken()));
      all.addAll(page.shards());
    }
    return all;
  }

  private ObjectNode stream(String name) {
    StreamSummary summary = store.describeStreamSummary(name);
    ObjectNode node = summary(summary);
    StreamMetrics metrics = store.metrics(name);
    ArrayNode shards = node.putArray("shards");
    for (Shard shard : shards(name)) {
      ObjectNode s = shards.addObject();
      s.put("shardId", shard.shardId());
      s.put("open", shard.isOpen());
      if (shard.parentShardId() != null) {
        s.put("parentShardId", shard.parentShardId());
      }
      if (shard.adjacentParentShardId() != null) {
        s.put("adjacentParentShardId", shard.adjacentParentShardId());
      }
      s.put("startingHashKey", shard.hashKeyRange().startingHashKey().toString());
      s.put("endingHashKey", shard.hashKeyRange().endingHashKey().toString());
      s.put("startingSequenceNumber", shard.sequenceNumberRange().startingSequenceNumber());
      if (shard.sequenceNumberRange().endingSequenceNumber() != null) {
        s.put("endingSequenceNumber", shard.sequenceNumberRange().endingSequenceNumber());
      }
      ShardMetrics counters = metrics.shards().get(shard.shardId());
      if (counters != null) {
        s.put("incomingRecords", counters.incomingRecords());
        s.put("outgoingRecords", counters.outgoingRecords());
        s.put("incomingBytes", counters.incomingBytes());
      }
    }
    List<SubscriptionLag> lags = store.subscriptionLag(name);
    ArrayNode consumers = node.putArray("consumerList");
    for (Consumer consumer : store.listStreamConsumers(name)) {
      ObjectNode c = consumers.addObject();
      c.put("name", consumer.consumerName());
      c.put("arn", consumer.consumerArn());
      c.put("status", consumer.consumerStatus().toString());
      c.put("createdMillis", consumer.consumerCreationTimestamp().toEpochMilli());
      ArrayNode subscriptions = c.putArray("subscriptions");
      for (SubscriptionLag lag : lags) {
        if (lag.consumerName().equals(consumer.consumerName())) {
          subscriptions.addObject().put("shardId", lag.shardId())
              .put("millisBehindLatest", lag.millisBehindLatest()).put("recordsBehind", lag.recordsBehind());
        }
      }
    }
    node.put("incomingRecords", metrics.incomingRecords());
    node.put("outgoingRecords", metrics.outgoingRecords());
    return node;
  }

  private ObjectNode rates(String name) {
    String stream = store.describeStreamSummary(name).streamName();
    ObjectNode node = JSON.createObjectNode();
    node.put("stream", stream);
    node.put("intervalSeconds", 1);
    ArrayNode points = node.putArray("points");
    for (RateSampler.Point point : rates.points(stream)) {
      points.addObject().put("millis", point.millis()).put("incoming", point.incoming())
          .put("outgoing", point.outgoing());
    }
    return node;
  }

  /**
   * Records of one shard from a position (or from an iterator of an earlier page), or of every
   * shard from the position, merged by arrival time.
   */
  private ObjectNode records(String name, QueryStringDecoder query) {
    String stream = store.describeStreamSummary(name).streamName();
    int limit = intParameter(query, "limit", 100, 1, MAX_RECORDS);
    String shard = parameter(query, "shard");
    String iterator = parameter(query, "iterator");
    ObjectNode node = JSON.createObjectNode();
    node.put("stream", stream);
    List<Record> records = new ArrayList<>();
    List<String> shardOf = new ArrayList<>();
    if (iterator != null || shard != null) {
      if (iterator == null) {
        iterator = store.getShardIterator(stream, shard, position(query));
      }
      GetRecordsResult result = store.getRecords(iterator, limit);
      records.addAll(result.records());
      result.records().forEach(r -> shardOf.add(shard));
      if (result.nextShardIterator() != null) {
        node.put("nextIterator", result.nextShardIterator());
      }
      node.put("millisBehindLatest", result.millisBehindLatest());
    } else {
      StartingPosition position = position(query);
      for (Shard each : shards(stream)) {
        GetRecordsResult result = store.getRecords(store.getShardIterator(stream, each.shardId(), position), limit);
        records.addAll(result.records());
        result.records().forEach(r -> shardOf.add(each.shardId()));
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      order.add(i);
    }
    if (iterator == null) {
      order.sort(Comparator.comparing((Integer i) -> records.get(i).approximateArrivalTimestamp())
          .thenComparing(i -> records.get(i).sequenceNumber()));
    }
    ArrayNode array = node.putArray("records");
    for (int i : order.subList(0, Math.min(limit, order.size()))) {
      Record record = records.get(i);
      ObjectNode r = array.addObject();
      if (shardOf.get(i) != null) {
        r.put("shardId", shardOf.get(i));
      }
      r.put("sequenceNumber", record.sequenceNumber());
      r.put("partitionKey", record.partitionKey());
      r.put("arrivalMillis", record.approximateArrivalTimestamp().toEpochMilli());
      r.put("size", record.data().length);
      r.put("data", record.data());
    }
    return node;
  }

  private static StartingPosition position(QueryStringDecoder query) {
    String from = Optional.ofNullable(parameter(query, "from")).orElse("TRIM_HORIZON");
    String at = parameter(query, "at");
    switch (from) {
      case "TRIM_HORIZON":
        return StartingPosition.trimHorizon();
      case "LATEST":
        return StartingPosition.latest();
      case "AT_SEQUENCE_NUMBER":
        if (at == null) {
          throw new Refusal(400, "from=AT_SEQUENCE_NUMBER needs at=<sequence number>");
        }
        return StartingPosition.atSequenceNumber(at);
      case "AT_TIMESTAMP":
        if (at == null) {
          throw new Refusal(400, "from=AT_TIMESTAMP needs at=<ISO-8601 instant or epoch milliseconds>");
        }
        try {
          return StartingPosition.atTimestamp(at.chars().allMatch(Character::isDigit)
              ? Instant.ofEpochMilli(Long.parseLong(at)) : Instant.parse(at));
        } catch (DateTimeParseException | NumberFormatException e) {
          throw new Refusal(400, "at must be an ISO-8601 instant (2024-05-01T12:00:00Z) or epoch milliseconds, "
              + "but was: " + at);
        }
      default:
        throw new Refusal(400, "from must be TRIM_HORIZON, LATEST, AT_TIMESTAMP or AT_SEQUENCE_NUMBER, but was: "
            + from);
    }
  }

  // ---- Firehose ----

  private ObjectNode deliveryStreams() {
    ObjectNode node = JSON.createObjectNode();
    node.put("available", firehose.isPresent());
    ArrayNode array = node.putArray("deliveryStreams");
    if (firehose.isEmpty()) {
      return node;
    }
    Optional<URI> s3 = firehose.get().s3Endpoint();
    s3.ifPresent(endpoint -> node.put("s3Endpoint", endpoint.toString()));
    for (JsonNode description : firehose.get().deliveryStatus()) {
      ObjectNode d = array.addObject();
      d.put("name", description.path("DeliveryStreamName").asText());
      d.put("status", description.path("DeliveryStreamStatus").asText());
      d.put("type", description.path("DeliveryStreamType").asText());
      d.put("source", description.path("SourceStream").asText());
      JsonNode destinations = description.path("Destinations").path(0);
      String kind = "";
      JsonNode destination = JSON.createObjectNode();
      for (Map.Entry<String, JsonNode> field : iterable(destinations.fields())) {
        if (field.getKey().endsWith("DestinationDescription") && !field.getKey().equals("S3DestinationDescription")) {
          kind = field.getKey().substring(0, field.getKey().length() - "DestinationDescription".length());
          destination = field.getValue();
        }
      }
      d.put("destinationKind", kind);
      String bucket = bucket(destination.path("BucketARN").asText(
          destination.path("S3DestinationDescription").path("BucketARN").asText("")));
      switch (kind) {
        case "ExtendedS3" -> d.put("destination", "s3://" + bucket + "/" + destination.path("Prefix").asText(""));
        case "HttpEndpoint" -> d.put("destination", destination.path("EndpointConfiguration").path("Url").asText());
        case "Redshift" -> d.put("destination", destination.path("ClusterJDBCURL").asText() + " table "
            + destination.path("CopyCommand").path("DataTableName").asText());
        default -> d.put("destination", kind);
      }
      JsonNode hints = destination.path("BufferingHints");
      d.putObject("buffering").put("sizeInMBs", hints.path("SizeInMBs").asInt(5))
          .put("intervalInSeconds", hints.path("IntervalInSeconds").asInt(300));
      ObjectNode delivery = (ObjectNode) description.path("Delivery").deepCopy();
      if (s3.isPresent() && !bucket.isEmpty()) {
        d.put("bucket", bucket);
        d.put("objectsUrl", s3.get() + "/" + encode(bucket) + "?list-type=2");
        for (JsonNode object : delivery.path("objects")) {
          ((ObjectNode) object).put("url", s3.get() + "/" + encode(bucket) + "/"
              + encode(object.path("key").asText()).replace("%2F", "/"));
        }
      }
      d.set("delivery", delivery);
      d.set("description", description);
    }
    return node;
  }

  private static String bucket(String arn) {
    return arn.startsWith("arn:aws:s3:::") ? arn.substring("arn:aws:s3:::".length()) : "";
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
    return () -> iterator;
  }

  // ---- video ----

  private VideoFragmentStore videos() {
    return video.orElseThrow(() -> new Refusal(404, "Kinesis Video is not served by this server"));
  }

  private ObjectNode videoStreams() {
    ObjectNode node = JSON.createObjectNode();
    node.put("available", video.isPresent());
    ArrayNode array = node.putArray("videoStreams");
    if (video.isEmpty()) {
      return node;
    }
    for (VideoStreamInfo info : video.get().listStreams()) {
      ObjectNode v = array.addObject();
      v.put("name", info.streamName());
      v.put("arn", info.streamArn());
      v.put("status", info.status());
      if (info.mediaType() != null) {
        v.put("mediaType", info.mediaType());
      }
      if (info.deviceName() != null) {
        v.put("deviceName", info.deviceName());
      }
      v.put("retentionHours", info.dataRetentionInHours());
      v.put("createdMillis", info.creationTimeMillis());
      List<FragmentInfo> fragments = video.get().listFragments(info.streamName());
      v.put("fragments", fragments.size());
      long bytes = 0;
      for (FragmentInfo fragment : fragments) {
        bytes += fragment.sizeInBytes();
      }
      v.put("bytes", bytes);
      if (!fragments.isEmpty()) {
        v.put("firstProducerMillis", fragments.stream().mapToLong(FragmentInfo::producerTimestampMillis).min().getAsLong());
        v.put("lastServerMillis", fragments.stream().mapToLong(FragmentInfo::serverTimestampMillis).max().getAsLong());
      }
    }
    return node;
  }

  private ObjectNode fragments(String name) {
    VideoFragmentStore store = videos();
    String stream = store.describeStream(name).streamName();
    List<FragmentInfo> fragments = new ArrayList<>(store.listFragments(stream));
    fragments.sort(Comparator.comparingLong(FragmentInfo::producerTimestampMillis));
    ObjectNode node = JSON.createObjectNode();
    node.put("stream", stream);
    node.put("total", fragments.size());
    ArrayNode array = node.putArray("fragments");
    for (FragmentInfo f : fragments.subList(Math.max(0, fragments.size() - MAX_FRAGMENTS), fragments.size())) {
      array.addObject().put("fragmentNumber", f.fragmentNumber()).put("producerMillis", f.producerTimestampMillis())
          .put("serverMillis", f.serverTimestampMillis()).put("durationMillis", f.durationMillis())
          .put("bytes", f.sizeInBytes());
    }
    return node;
  }

  /** A JPEG of the stream's newest fragment (its first frame), by GetImages' code; 404 if there is none. */
  private Answer thumbnail(String name, QueryStringDecoder query) {
    VideoFragmentStore store = videos();
    String stream = store.describeStream(name).streamName();
    int width = intParameter(query, "width", 320, 16, 1920);
    FragmentInfo newest = store.listFragments(stream).stream()
        .max(Comparator.comparingLong(FragmentInfo::serverTimestampMillis)).orElse(null);
    if (newest == null) {
      return Answer.error(404, "Video stream " + stream + " has no fragments yet");
    }
    VideoImage image = VideoImages.images(store, stream, false, new long[] {newest.serverTimestampMillis()},
        VideoImages.Format.JPEG, 80, width, null).get(0);
    if (image.content() == null) {
      return Answer.error(404, "No picture in the newest fragment of " + stream + ": " + image.error());
    }
    return new Answer(200, "image/jpeg", image.content());
  }

  // ---- SQL ----

  private Answer sql(HttpMethod method, List<String> parts, byte[] body) {
    if (sql.isEmpty()) {
      return Answer.json(404, JSON.createObjectNode().put("available", false).put("error", "SQL not available"));
    }
    ConsoleSql workspace = sql.get();
    boolean get = method.equals(HttpMethod.GET);
    boolean post = method.equals(HttpMethod.POST);
    String what = parts.size() > 1 ? parts.get(1) : "";
    if (get && parts.size() == 2 && what.equals("tables")) {
      return Answer.json(200, workspace.tables());
    }
    if (get && parts.size() == 2 && what.equals("jobs")) {
      return Answer.json(200, workspace.jobs());
    }
    if (post && parts.size() == 2 && what.equals("query")) {
      JsonNode request = body(body);
      int maxRows = request.path("maxRows").asInt(100);
      if (maxRows < 1 || maxRows > MAX_SQL_ROWS) {
        throw new Refusal(400, "maxRows must be between 1 and " + MAX_SQL_ROWS + ", but was: " + maxRows);
      }
      return Answer.json(200, workspace.query(statement(request), maxRows));
    }
    if (post && parts.size() == 2 && what.equals("jobs")) {
      return Answer.json(200, workspace.submit(statement(request(body))));
    }
    if (post && parts.size() == 4 && what.equals("jobs") && parts.get(3).equals("stop")) {
      workspace.stop(parts.get(2));
      return Answer.json(200, JSON.createObjectNode().put("stopped", parts.get(2)));
    }
    throw new Refusal(404, "No console endpoint " + method + " /console/api/" + String.join("/", parts));
  }

  private static JsonNode request(byte[] body) {
    return body(body);
  }

  private static JsonNode body(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new Refusal(400, "The request body must be a JSON object such as {\"sql\": \"SELECT …\"}");
      }
      return node;
    } catch (IOException e) {
      throw new Refusal(400, "The request body is not JSON: " + e.getMessage());
    }
  }

  private static String statement(JsonNode request) {
    String statement = request.path("sql").asText("").trim();
    if (statement.isEmpty()) {
      throw new Refusal(400, "The request body needs \"sql\": the statement to run");
    }
    return statement;
  }

  // ---- parameters ----

  private static String parameter(QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }

  private static int intParameter(QueryStringDecoder query, String name, int fallback, int min, int max) {
    String value = parameter(query, name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        throw new Refusal(400, name + " must be between " + min + " and " + max + ", but was: " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new Refusal(400, name + " must be a number, but was: " + value);
    }
  }
}
