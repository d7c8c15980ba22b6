package dev.freshet.kinesis.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.firehose.FirehoseServiceConfig;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoService;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.Processor;
import software.amazon.awssdk.services.firehose.model.ProcessorParameter;
import software.amazon.awssdk.services.firehose.model.ProcessorParameterName;
import software.amazon.awssdk.services.firehose.model.ProcessorType;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Every JSON endpoint of the console on its own, over HTTP, against a real store, Firehose service,
 * video fragment store and server on a loopback port, with data created through the AWS SDK and the
 * Kinesis Video REST API. The SQL endpoints run on a second server whose console has a small
 * in-test {@link ConsoleSql} (freshet-sql's workspace is wired in freshet-cli and tested there).
 */
class ConsoleApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path CAPTURES = Path.of(System.getProperty("kvs.testdata", "../../../shared/testdata/kvs"));

  @TempDir static Path dir;
  static LocalStreamStore store;
  static FirehoseService firehose;
  static VideoFragmentStore videos;
  static KinesisServer server;
  static KinesisServer sqlServer;
  static KinesisClient kinesis;
  static FirehoseClient firehoseClient;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<String> sqlCalls = new CopyOnWriteArrayList<>();
  static final List<SubscribeToShardEvent> events = new CopyOnWriteArrayList<>();
  static String firstSequence;
  static Instant beforeSecondBatch;

  @BeforeAll
  static void start() throws Exception {
    store = LocalStreamStore.open(StoreConfig.builder(dir.resolve("data")).setStatusDelay(Duration.ZERO).build());
    firehose = FirehoseService.open(FirehoseServiceConfig.builder(dir.resolve("data")).setS3Server("127.0.0.1", 0)
        .build(), store);
    videos = VideoFragmentStore.open(dir.resolve("data/video"), Durability.OS);
    ConsoleService console = ConsoleService.builder(store).setFirehose(firehose).setVideo(videos).build();
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store,
        List.of(firehose, new VideoService(videos), console));
    sqlServer = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store,
        List.of(ConsoleService.builder(store).setSql(new RecordingSql()).build()));

    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
    kinesis = KinesisClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    firehoseClient = FirehoseClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();

    // A stream with records, a split (three shards: a parent and two children) and a consumer.
    kinesis.createStream(b -> b.streamName("orders").shardCount(1));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("orders")).streamDescriptionSummary()
        .streamStatusAsString().equals("ACTIVE"), "orders ACTIVE");
    for (int i = 0; i < 10; i++) {
      String sequence = put("orders", "{\"order\":" + i + "}", "key-" + i);
      if (i == 0) {
        firstSequence = sequence;
      }
    }
    kinesis.splitShard(b -> b.streamName("orders").shardToSplit("shardId-000000000000")
        .newStartingHashKey("170141183460469231731687303715884105728"));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("orders")).streamDescriptionSummary()
        .openShardCount() == 2, "the split");
    Thread.sleep(5);
    beforeSecondBatch = Instant.now();
    for (int i = 10; i < 14; i++) {
      put("orders", "{\"order\":" + i + "}", "key-" + i);
    }
    // A stream of two shards merged into one: the child has a parent and an adjacent parent.
    kinesis.createStream(b -> b.streamName("merged").shardCount(2));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("merged")).streamDescriptionSummary()
        .streamStatusAsString().equals("ACTIVE"), "merged ACTIVE");
    kinesis.mergeShards(b -> b.streamName("merged").shardToMerge("shardId-000000000000")
        .adjacentShardToMerge("shardId-000000000001"));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("merged")).streamDescriptionSummary()
        .openShardCount() == 1, "the merge");
    String streamArn = kinesis.describeStreamSummary(b -> b.streamName("orders")).streamDescriptionSummary().streamARN();
    String consumerArn = kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName("billing"))
        .consumer().consumerARN();
    await(() -> kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn)).consumerDescription()
        .consumerStatusAsString().equals("ACTIVE"), "billing ACTIVE");
    // A subscription that takes one event and then no more: it stays behind what is written after.
    store.subscribeToShard(consumerArn, "shardId-000000000001", StartingPosition.trimHorizon(), new Flow.Subscriber<>() {
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(1);
      }

      public void onNext(SubscribeToShardEvent event) {
        events.add(event);
      }

      public void onError(Throwable throwable) {}

      public void onComplete() {}
    });
    await(() -> !events.isEmpty(), "the first subscription event");
    for (int i = 0; i < 20; i++) {
      put("orders", "{\"late\":" + i + "}", "late-" + i);
    }

    // A DirectPut delivery stream to S3 whose Lambda fails one record.
    firehoseClient.createDeliveryStream(b -> b.deliveryStreamName("clicks")
        .extendedS3DestinationConfiguration(s3 -> s3.bucketARN("arn:aws:s3:::click-archive")
            .roleARN("arn:aws:iam::000000000000:role/firehose").prefix("raw/")
            .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(0))
            .processingConfiguration(p -> p.enabled(true).processors(Processor.builder().type(ProcessorType.LAMBDA)
                .parameters(ProcessorParameter.builder().parameterName(ProcessorParameterName.LAMBDA_ARN)
                    .parameterValue("arn:aws:lambda:us-east-1:000000000000:function:FailingTransformer").build())
                .build()))));
    await(() -> firehoseClient.describeDeliveryStream(b -> b.deliveryStreamName("clicks")).deliveryStreamDescription()
        .deliveryStreamStatusAsString().equals("ACTIVE"), "clicks ACTIVE");
    firehoseClient.putRecordBatch(b -> b.deliveryStreamName("clicks").records(
        software.amazon.awssdk.services.firehose.model.Record.builder().data(SdkBytes.fromUtf8String("home")).build(),
        software.amazon.awssdk.services.firehose.model.Record.builder().data(SdkBytes.fromUtf8String("fail")).build()));

    // A video stream with the five fragments of a capture.
    assertThat(post(server, "/createStream", "{\"StreamName\":\"cam\",\"MediaType\":\"video/h264\","
        + "\"DataRetentionInHours\":24}").statusCode()).isEqualTo(200);
    HttpRequest put = HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
        .header("x-amzn-stream-name", "cam").header("x-amzn-fragment-timecode-type", "RELATIVE")
        .header("x-amzn-producer-start-timestamp", "1700000000")
        .POST(HttpRequest.BodyPublishers.ofByteArray(capture("output_get_media.mkv"))).build();
    assertThat(HTTP.send(put, BodyHandlers.ofString()).body()).doesNotContain("\"ERROR\"");
  }

  @AfterAll
  static void stop() {
    if (kinesis != null) {
      kinesis.close();
      firehoseClient.close();
    }
    if (sqlServer != null) {
      sqlServer.close();
    }
    if (server != null) {
      server.close();
    }
    if (videos != null) {
      videos.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void pagesAndAssetsAreServedFromTheJar() throws Exception {
    HttpResponse<String> root = get(server, "/console");
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location")).hasValue("/console/");
    for (String page : List.of("/console/", "/console/index.html", "/console/stream.html", "/console/firehose.html",
        "/console/video.html", "/console/sql.html")) {
      HttpResponse<String> response = get(server, page);
      assertThat(response.statusCode()).as(page).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).as(page).hasValue("text/html; charset=utf-8");
      assertThat(response.body()).as(page).contains("console.js").doesNotContain("http://").doesNotContain("https://");
    }
    assertThat(get(server, "/console/console.js").headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get(server, "/console/console.css").body()).contains("--accent");
    assertThat(get(server, "/console/nothing.html").statusCode()).isEqualTo(404);
    assertThat(get(server, "/console/..%2Fpom.xml").statusCode()).isEqualTo(404);
    assertThat(get(server, "/console/api/nothing").statusCode()).isEqualTo(404);
    assertThat(ConsoleService.url(server.endpoint()).toString()).isEqualTo(server.endpoint() + "/console/");
  }

  @Test
  void overviewNamesTheServicesServed() throws Exception {
    JsonNode overview = json(server, "/console/api/overview", 200);
    assertThat(overview.path("firehose").asBoolean()).isTrue();
    assertThat(overview.path("video").asBoolean()).isTrue();
    assertThat(overview.path("sql").asBoolean()).isFalse();
    assertThat(overview.path("videoStreams").asInt()).isEqualTo(1);
    assertThat(overview.path("deliveryStreams").asInt()).isEqualTo(1);
    assertThat(overview.path("s3Endpoint").asText()).isEqualTo(firehose.s3Endpoint().orElseThrow().toString());
  }

  @Test
  void streamsListsEveryStreamWithModeShardsRetentionAndEncryption() throws Exception {
    JsonNode streams = json(server, "/console/api/streams", 200);
    JsonNode orders = find(streams, "name", "orders");
    assertThat(orders.path("mode").asText()).isEqualTo("PROVISIONED");
    assertThat(orders.path("openShards").asInt()).isEqualTo(2);
    assertThat(orders.path("retentionHours").asInt()).isEqualTo(24);
    assertThat(orders.path("encryption").asText()).isEqualTo("NONE");
    assertThat(orders.path("consumers").asInt()).isEqualTo(1);
    assertThat(orders.has("incomingRecordsPerSecond")).isTrue();
    // The store lists no internal streams (a delivery stream's buffer).
    assertThat(streams.findValuesAsText("name")).doesNotContain("__firehose-clicks");
  }

  @Test
  void ratesShowRecordsPerSecondSampledFromTheStoreCounters() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode rates;
    do {
      put("orders", "{\"tick\":true}", "tick");
      Thread.sleep(200);
      rates = json(server, "/console/api/streams/orders/rates", 200);
    } while (!anyPositive(rates.path("points"), "incoming") && System.nanoTime() < deadline);
    assertThat(rates.path("intervalSeconds").asInt()).isEqualTo(1);
    assertThat(anyPositive(rates.path("points"), "incoming")).as("%s", rates).isTrue();
    assertThat(json(server, "/console/api/streams/nothing/rates", 404).path("error").asText()).contains("nothing");
  }

  @Test
  void streamShowsShardLineageRangesAndConsumerLag() throws Exception {
    JsonNode orders = json(server, "/console/api/streams/orders", 200);
    JsonNode shards = orders.path("shards");
    assertThat(shards).hasSize(3);
    JsonNode parent = find(shards, "shardId", "shardId-000000000000");
    assertThat(parent.path("open").asBoolean()).isFalse();
    assertThat(parent.path("startingHashKey").asText()).isEqualTo("0");
    assertThat(parent.path("endingHashKey").asText()).isEqualTo("340282366920938463463374607431768211455");
    assertThat(parent.path("endingSequenceNumber").asText()).isNotEmpty();
    assertThat(parent.path("incomingRecords").asLong()).isEqualTo(10);
    JsonNode low = find(shards, "shardId", "shardId-000000000001");
    JsonNode high = find(shards, "shardId", "shardId-000000000002");
    assertThat(low.path("parentShardId").asText()).isEqualTo("shardId-000000000000");
    assertThat(high.path("parentShardId").asText()).isEqualTo("shardId-000000000000");
    assertThat(low.path("endingHashKey").asText()).isEqualTo("170141183460469231731687303715884105727");
    assertThat(high.path("startingHashKey").asText()).isEqualTo("170141183460469231731687303715884105728");
    assertThat(low.path("open").asBoolean()).isTrue();
    JsonNode billing = find(orders.path("consumerList"), "name", "billing");
    assertThat(billing.path("status").asText()).isEqualTo("ACTIVE");
    JsonNode subscription = billing.path("subscriptions").path(0);
    assertThat(subscription.path("shardId").asText()).isEqualTo("shardId-000000000001");
    // It took one event and no more, so the records written since are behind it.
    assertThat(subscription.path("recordsBehind").asLong()).isPositive();
    assertThat(json(server, "/console/api/streams/nothing", 404).path("error").asText()).contains("nothing");

    JsonNode merged = find(json(server, "/console/api/streams/merged", 200).path("shards"), "shardId",
        "shardId-000000000002");
    assertThat(merged.path("parentShardId").asText()).isEqualTo("shardId-000000000000");
    assertThat(merged.path("adjacentParentShardId").asText()).isEqualTo("shardId-000000000001");
    assertThat(merged.path("startingHashKey").asText()).isEqualTo("0");
    assertThat(merged.path("open").asBoolean()).isTrue();
  }

  @Test
  void recordsReadFromEveryStartingPosition() throws Exception {
    JsonNode all = json(server, "/console/api/streams/orders/records?from=TRIM_HORIZON&limit=1000", 200);
    List<String> texts = texts(all);
    assertThat(texts).contains("{\"order\":0}", "{\"order\":13}", "{\"late\":19}");
    JsonNode first = all.path("records").path(0);
    assertThat(first.path("shardId").asText()).isEqualTo("shardId-000000000000");
    assertThat(first.path("partitionKey").asText()).isEqualTo("key-0");
    assertThat(first.path("size").asInt()).isEqualTo(11);

    JsonNode page = json(server, "/console/api/streams/orders/records?shard=shardId-000000000000&limit=4", 200);
    assertThat(texts(page)).containsExactly("{\"order\":0}", "{\"order\":1}", "{\"order\":2}", "{\"order\":3}");
    JsonNode next = json(server, "/console/api/streams/orders/records?shard=shardId-000000000000&limit=4&iterator="
        + enc(page.path("nextIterator").asText()), 200);
    assertThat(texts(next)).startsWith("{\"order\":4}");

    JsonNode atSequence = json(server, "/console/api/streams/orders/records?shard=shardId-000000000000"
        + "&from=AT_SEQUENCE_NUMBER&at=" + firstSequence + "&limit=1", 200);
    assertThat(texts(atSequence)).containsExactly("{\"order\":0}");
    JsonNode atTime = json(server, "/console/api/streams/orders/records?from=AT_TIMESTAMP&at="
        + enc(beforeSecondBatch.toString()) + "&limit=1000", 200);
    assertThat(texts(atTime)).contains("{\"order\":10}").doesNotContain("{\"order\":9}");
    JsonNode atMillis = json(server, "/console/api/streams/orders/records?from=AT_TIMESTAMP&at="
        + beforeSecondBatch.toEpochMilli() + "&limit=1000", 200);
    assertThat(texts(atMillis)).contains("{\"order\":10}").doesNotContain("{\"order\":9}");
    assertThat(texts(json(server, "/console/api/streams/orders/records?from=LATEST", 200))).isEmpty();

    assertThat(json(server, "/console/api/streams/orders/records?from=SOMEWHERE", 400).path("error").asText())
        .contains("SOMEWHERE");
    assertThat(json(server, "/console/api/streams/orders/records?from=AT_TIMESTAMP&at=yesterday", 400)
        .path("error").asText()).contains("yesterday");
    assertThat(json(server, "/console/api/streams/orders/records?limit=0", 400).path("error").asText())
        .contains("limit");
    json(server, "/console/api/streams/nothing/records", 404);
  }

  @Test
  void deliveryStreamsShowDestinationCountersObjectsAndErrorRecords() throws Exception {
    await(() -> {
      JsonNode clicks = find(jsonUnchecked("/console/api/firehose").path("deliveryStreams"), "name", "clicks");
      return clicks.path("delivery").path("errors").size() > 0 && clicks.path("delivery").path("records").asLong() == 2;
    }, "the delivery of clicks in the console");
    JsonNode result = json(server, "/console/api/firehose", 200);
    assertThat(result.path("available").asBoolean()).isTrue();
    JsonNode clicks = find(result.path("deliveryStreams"), "name", "clicks");
    assertThat(clicks.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(clicks.path("type").asText()).isEqualTo("DirectPut");
    assertThat(clicks.path("source").asText()).isEqualTo("__firehose-clicks");
    assertThat(clicks.path("destinationKind").asText()).isEqualTo("ExtendedS3");
    assertThat(clicks.path("destination").asText()).isEqualTo("s3://click-archive/raw/");
    assertThat(clicks.path("buffering").path("sizeInMBs").asInt()).isEqualTo(1);
    assertThat(clicks.path("buffering").path("intervalInSeconds").asInt()).isEqualTo(0);
    JsonNode delivery = clicks.path("delivery");
    assertThat(delivery.path("deliveries").asLong()).isPositive();
    assertThat(delivery.path("bytes").asLong()).isEqualTo(8);
    assertThat(delivery.path("lastDeliveryMillis").asLong()).isPositive();
    assertThat(delivery.path("errorRecords").asLong()).isEqualTo(1);
    JsonNode error = delivery.path("errors").path(0);
    assertThat(error.path("errorCode").asText()).isEqualTo("Lambda.ProcessingFailed");
    assertThat(error.path("rawData").asText()).isEqualTo(Base64.getEncoder().encodeToString("fail".getBytes()));
    // The objects, fetched through the S3 API from the links the console gives.
    JsonNode data = null;
    for (JsonNode object : delivery.path("objects")) {
      if (!object.path("errorOutput").asBoolean()) {
        data = object;
      }
    }
    assertThat(data).as("%s", delivery).isNotNull();
    assertThat(data.path("key").asText()).startsWith("raw/");
    HttpResponse<String> object = HTTP.send(HttpRequest.newBuilder(URI.create(data.path("url").asText())).build(),
        BodyHandlers.ofString());
    assertThat(object.statusCode()).isEqualTo(200);
    assertThat(object.body()).isEqualTo("home\n");
    HttpResponse<String> listing = HTTP.send(HttpRequest.newBuilder(URI.create(clicks.path("objectsUrl").asText()))
        .build(), BodyHandlers.ofString());
    assertThat(listing.body()).contains(data.path("key").asText());
  }

  @Test
  void videoStreamsFragmentsAndThumbnail() throws Exception {
    JsonNode result = json(server, "/console/api/video", 200);
    assertThat(result.path("available").asBoolean()).isTrue();
    JsonNode cam = find(result.path("videoStreams"), "name", "cam");
    assertThat(cam.path("fragments").asInt()).isEqualTo(5);
    assertThat(cam.path("mediaType").asText()).isEqualTo("video/h264");
    assertThat(cam.path("bytes").asLong()).isPositive();
    JsonNode fragments = json(server, "/console/api/video/cam/fragments", 200);
    assertThat(fragments.path("total").asInt()).isEqualTo(5);
    assertThat(fragments.path("fragments").path(0).path("producerMillis").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(fragments.path("fragments").path(0).path("durationMillis").asLong()).isPositive();
    HttpResponse<byte[]> thumbnail = HTTP.send(HttpRequest.newBuilder(server.endpoint()
        .resolve("/console/api/video/cam/thumbnail?width=160")).build(), BodyHandlers.ofByteArray());
    assertThat(thumbnail.statusCode()).isEqualTo(200);
    assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(thumbnail.body())).getWidth()).isEqualTo(160);
    json(server, "/console/api/video/nothing/fragments", 404);
  }

  @Test
  void sqlSaysNotAvailableWithoutAWorkspace() throws Exception {
    JsonNode answer = json(server, "/console/api/sql/tables", 404);
    assertThat(answer.path("available").asBoolean(true)).isFalse();
    assertThat(answer.path("error").asText()).isEqualTo("SQL not available");
  }

  @Test
  void sqlEndpointsCallTheWorkspace() throws Exception {
    assertThat(json(sqlServer, "/console/api/sql/tables", 200).path(0).path("name").asText()).isEqualTo("clicks");
    assertThat(json(sqlServer, "/console/api/sql/jobs", 200).path(0).path("state").asText()).isEqualTo("RUNNING");
    HttpResponse<String> query = post(sqlServer, "/console/api/sql/query", "{\"sql\":\"SELECT 1\",\"maxRows\":5}");
    assertThat(query.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(query.body()).path("rows").path(0).path(0).asInt()).isEqualTo(5);
    HttpResponse<String> submit = post(sqlServer, "/console/api/sql/jobs", "{\"sql\":\"INSERT INTO a SELECT * FROM b\"}");
    assertThat(JSON.readTree(submit.body()).path("id").asText()).isEqualTo("job-2");
    assertThat(post(sqlServer, "/console/api/sql/jobs/job-1/stop", "{}").statusCode()).isEqualTo(200);
    assertThat(sqlCalls).contains("query SELECT 1 5", "submit INSERT INTO a SELECT * FROM b", "stop job-1");
    HttpResponse<String> refused = post(sqlServer, "/console/api/sql/query", "{\"sql\":\"SELEC\"}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("line 1: SELEC is not SQL");
    assertThat(post(sqlServer, "/console/api/sql/query", "not json").statusCode()).isEqualTo(400);
    assertThat(post(sqlServer, "/console/api/sql/query", "{}").statusCode()).isEqualTo(400);
  }

  /** The SQL back end of the second server: answers fixed JSON and records the calls. */
  private static final class RecordingSql implements ConsoleSql {
    @Override
    public JsonNode tables() {
      ArrayNode tables = JSON.createArrayNode();
      tables.addObject().put("name", "clicks").put("type", "kinesis");
      return tables;
    }

    @Override
    public JsonNode jobs() {
      ArrayNode jobs = JSON.createArrayNode();
      jobs.addObject().put("id", "job-1").put("sql", "INSERT INTO x SELECT * FROM clicks").put("state", "RUNNING");
      return jobs;
    }

    @Override
    public JsonNode query(String sql, int maxRows) {
      sqlCalls.add("query " + sql + " " + maxRows);
      if (!sql.startsWith("SELECT ")) {
        throw new IllegalArgumentException("line 1: " + sql + " is not SQL");
      }
      var result = JSON.createObjectNode();
      result.putArray("columns").add("EXPR$0");
      result.putArray("rows").addArray().add(maxRows);
      return result;
    }

    @Override
    public JsonNode submit(String insertSql) {
      sqlCalls.add("submit " + insertSql);
      return JSON.createObjectNode().put("id", "job-2").put("sql", insertSql).put("state", "RUNNING");
    }

    @Override
    public void stop(String jobId) {
      sqlCalls.add("stop " + jobId);
    }
  }

  // ---- helpers ----

  private static String put(String stream, String data, String key) {
    return kinesis.putRecord(b -> b.streamName(stream).partitionKey(key).data(SdkBytes.fromUtf8String(data)))
        .sequenceNumber();
  }

  private static HttpResponse<String> get(KinesisServer on, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(on.endpoint().resolve(path)).build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(KinesisServer on, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(on.endpoint().resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  private static JsonNode json(KinesisServer on, String path, int status) throws Exception {
    HttpResponse<String> response = get(on, path);
    assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    return JSON.readTree(response.body());
  }

  private static JsonNode jsonUnchecked(String path) {
    try {
      return json(server, path, 200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode node : array) {
      if (node.path(field).asText().equals(value)) {
        return node;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  private static List<String> texts(JsonNode result) {
    List<String> texts = new ArrayList<>();
    for (JsonNode record : result.path("records")) {
      texts.add(new String(Base64.getDecoder().decode(record.path("data").asText()), StandardCharsets.UTF_8));
    }
    return texts;
  }

  private static boolean anyPositive(JsonNode points, String field) {
    for (JsonNode point : points) {
      if (point.path(field).asDouble() > 0) {
        return true;
      }
    }
    return false;
  }

  private static String enc(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static byte[] capture(String name) throws Exception {
    Path path = CAPTURES.resolve(name);
    if (!Files.exists(path)) {
      path = Path.of("/work/shared/testdata/kvs").resolve(name);
    }
    return Files.readAllBytes(path);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException | AssertionError notYet) {
        // Not there yet.
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
