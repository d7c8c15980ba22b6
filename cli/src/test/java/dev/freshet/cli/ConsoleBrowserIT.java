package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The console of {@code freshet server} in a real browser: the command runs in this JVM on a free
 * port, data is created through the AWS SDK (a Kinesis stream with a split and a merge, records and
 * an EFO consumer; a Firehose delivery stream with deliveries), the Kinesis Video REST API (a stream with
 * the fragments of a capture) and the console's SQL endpoints (a table of the catalog, a snapshot
 * query, an {@code INSERT INTO} job), and each page is rendered by headless Chromium ({@code
 * --dump-dom} after the page's scripts ran). The rendered DOM must name what was created;
 * screenshots go to {@code target/console-screenshots/} for people to look at.
 */
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SCREENSHOTS = Path.of("target/console-screenshots");
  private static final Path CAPTURES = Path.of(System.getProperty("kvs.testdata", "../../shared/testdata/kvs"));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static Thread serverThread;
  static StringWriter serverOut = new StringWriter();
  static URI endpoint;
  static URI console;
  static KinesisClient kinesis;
  static FirehoseClient firehose;
  static JsonNode queryResult;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM).as("chromium (apt-get install chromium; .ci/run installs it)").exists();
    Path data = dir.resolve("data");
    // The catalog's tables, made the way users make them: freshet sql, before the server runs.
    Cli.Result created = new Cli(data).run("sql", "-e",
        "CREATE EXTERNAL TABLE clicks (page VARCHAR, user_id VARCHAR) TYPE kinesis LOCATION 'clickstream';"
        + "CREATE EXTERNAL TABLE page_copy (page VARCHAR, user_id VARCHAR) TYPE kinesis LOCATION 'page-copy';");
    assertThat(created.exitCode()).as(created.err()).isZero();

    serverThread = new Thread(() -> Freshet.commandLine().setOut(new PrintWriter(serverOut, true))
        .setErr(new PrintWriter(serverOut, true))
        .execute("server", "--port", "0", "--data-dir", data.toString()), "console-it-server");
    serverThread.start();
    await(() -> serverOut.toString().contains("console on "), "the server's ready output");
    Matcher ready = Pattern.compile("freshet server listening on (\\S+)").matcher(serverOut.toString());
    assertThat(ready.find()).as(serverOut.toString()).isTrue();
    endpoint = URI.create(ready.group(1));
    console = URI.create(endpoint + "/console/");
    assertThat(serverOut.toString()).contains("console on " + console);

    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
    kinesis = KinesisClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    firehose = FirehoseClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();

    // Kinesis: a stream split into two children, records, an EFO consumer; the job's output stream.
    kinesis.createStream(b -> b.streamName("clickstream").shardCount(1));
    kinesis.createStream(b -> b.streamName("page-copy").shardCount(1));
    await(() -> active("clickstream") && active("page-copy"), "the streams ACTIVE");
    for (int i = 0; i < 12; i++) {
      String page = i % 3 == 0 ? "/home" : "/cart";
      kinesis.putRecord(b -> b.streamName("clickstream").partitionKey("user-" + System.nanoTime())
          .data(SdkBytes.fromUtf8String("{\"page\":\"" + page + "\",\"user_id\":\"u1\"}")));
    }
    kinesis.splitShard(b -> b.streamName("clickstream").shardToSplit("shardId-000000000000")
        .newStartingHashKey("170141183460469231731687303715884105728"));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("clickstream")).streamDescriptionSummary()
        .openShardCount() == 2, "the split");
    // ... and merged again: the picture shows a fork and a join.
    kinesis.mergeShards(b -> b.streamName("clickstream").shardToMerge("shardId-000000000001")
        .adjacentShardToMerge("shardId-000000000002"));
    await(() -> kinesis.describeStreamSummary(b -> b.streamName("clickstream")).streamDescriptionSummary()
        .openShardCount() == 1, "the merge");
    String streamArn = kinesis.describeStreamSummary(b -> b.streamName("clickstream")).streamDescriptionSummary()
        .streamARN();
    kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName("dashboard"));

    // Firehose: a DirectPut delivery stream to the S3 API, delivering at once.
    firehose.createDeliveryStream(b -> b.deliveryStreamName("click-archive")
        .extendedS3DestinationConfiguration(s3 -> s3.bucketARN("arn:aws:s3:::archive")
            .roleARN("arn:aws:iam::000000000000:role/firehose").prefix("clicks/")
            .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(0))));
    await(() -> firehose.describeDeliveryStream(b -> b.deliveryStreamName("click-archive"))
        .deliveryStreamDescription().deliveryStreamStatusAsString().equals("ACTIVE"), "click-archive ACTIVE");
    firehose.putRecordBatch(b -> b.deliveryStreamName("click-archive").records(
        Record.builder().data(SdkBytes.fromUtf8String("{\"page\":\"/home\"}\n")).build(),
        Record.builder().data(SdkBytes.fromUtf8String("{\"page\":\"/cart\"}\n")).build()));

    // Kinesis Video: a stream with the five fragments of a capture.
    assertThat(post("/createStream", "{\"StreamName\":\"doorbell\",\"MediaType\":\"video/h264\","
        + "\"DataRetentionInHours\":24}")).contains("StreamARN");
    HttpRequest put = HttpRequest.newBuilder(endpoint.resolve("/putMedia"))
        .header("x-amzn-stream-name", "doorbell").header("x-amzn-fragment-timecode-type", "RELATIVE")
        .header("x-amzn-producer-start-timestamp", String.valueOf(System.currentTimeMillis() / 1000 - 60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(capture("output_get_media.mkv"))).build();
    assertThat(HTTP.send(put, BodyHandlers.ofString()).body()).doesNotContain("\"ERROR\"");

    // SQL through the console's endpoints: a snapshot query and a background INSERT INTO job.
    queryResult = JSON.readTree(post("/console/api/sql/query",
        "{\"sql\":\"SELECT page, COUNT(*) AS views FROM clicks GROUP BY page\",\"maxRows\":10}"));
    JsonNode job = JSON.readTree(post("/console/api/sql/jobs",
        "{\"sql\":\"INSERT INTO page_copy SELECT page, user_id FROM clicks\"}"));
    assertThat(job.path("id").asText()).as("%s", job).isEqualTo("job-1");

    await(() -> get("/console/api/firehose").contains("\"lastDeliveryMillis\""), "a delivery of click-archive");
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (kinesis != null) {
      kinesis.close();
      firehose.close();
    }
    if (serverThread != null) {
      serverThread.interrupt();
      serverThread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(serverOut.toString()).contains("freshet server stopped");
    }
  }

  @Test
  void snapshotQueryCountsTheRecordsOfTheStream() {
    assertThat(queryResult.path("columns").toString()).isEqualTo("[\"page\",\"views\"]");
    List<String> rows = new ArrayList<>();
    queryResult.path("rows").forEach(row -> rows.add(row.path(0).asText() + "=" + row.path(1).asLong()));
    assertThat(rows).containsExactlyInAnyOrder("/home=4", "/cart=8");
  }

  @Test
  void streamsPageListsTheStreams() throws Exception {
    String dom = render("index.html", "streams");
    assertThat(dom).contains("data-stream=\"clickstream\"", "data-stream=\"page-copy\"", "PROVISIONED")
        .doesNotContain("__firehose-");
  }

  @Test
  void streamPageShowsShardsLineageConsumerAndRecords() throws Exception {
    String dom = render("stream.html?name=clickstream", "stream-clickstream");
    assertThat(dom).contains("Stream clickstream",
        "data-shard=\"shardId-000000000000\"", "data-shard=\"shardId-000000000001\"",
        "data-shard=\"shardId-000000000002\"", "data-shard=\"shardId-000000000003\"", "data-consumer=\"dashboard\"",
        "170141183460469231731687303715884105728");
    // The key-space picture: a box per shard, and the lineage: the parent to its two children, and
    // both children to the shard they were merged into.
    for (String shard : List.of("0", "1", "2", "3")) {
      assertThat(Pattern.compile("<rect[^>]*><title>shardId-00000000000" + shard).matcher(dom).find()).as(shard).isTrue();
    }
    assertThat(dom.split("<path ", -1)).hasSize(5);
    // The record browser, from the trim horizon, shows the records as text.
    assertThat(dom).contains("{\"page\":\"/home\",\"user_id\":\"u1\"}");
  }

  @Test
  void deliveryStreamsPageShowsTheDeliveries() throws Exception {
    String dom = render("firehose.html", "firehose");
    assertThat(dom).contains("data-delivery-stream=\"click-archive\"", "s3://archive/clicks/", "__firehose-click-archive",
        "list bucket archive through the S3 API", "clicks/");
    assertThat(dom).doesNotContain("none yet");
  }

  @Test
  void videoPageShowsTheStreamAThumbnailAndPlaysIt() throws Exception {
    String dom = render("video.html?play=doorbell", "video");
    assertThat(dom).contains("data-video-stream=\"doorbell\"", "video/h264", "alt=\"newest picture of doorbell\"");
    assertThat(dom).contains("5 of 5 fragments loaded").doesNotContain("Cannot play");
  }

  @Test
  void sqlPageShowsTablesAndJobs() throws Exception {
    // The job follows clicks from LATEST: clicks written now reach page_copy, and the job's output
    // count (the sink's counter, as the workspace reports it) becomes a number.
    long[] lastPut = {0};
    await(() -> {
      if (System.nanoTime() - lastPut[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
        kinesis.putRecord(b -> b.streamName("clickstream").partitionKey("user-late")
            .data(SdkBytes.fromUtf8String("{\"page\":\"/late\",\"user_id\":\"u2\"}")));
        lastPut[0] = System.nanoTime();
      }
      try {
        return JSON.readTree(get("/console/api/sql/jobs")).findValues("outputRecords").stream()
            .anyMatch(count -> count.asLong() > 0);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }, "job-1 writing rows");
    String dom = render("sql.html", "sql");
    assertThat(dom).contains("data-table=\"clicks\"", "data-table=\"page_copy\"", "data-job=\"job-1\"",
        "INSERT INTO page_copy", "id=\"unavailable\" hidden");
    // The job's row shows its output: a count of at least 1 in its last number cell, not a dash.
    Matcher jobRow = Pattern.compile("data-job=\"job-1\".*?</tr>", Pattern.DOTALL).matcher(dom);
    assertThat(jobRow.find()).as(dom).isTrue();
    assertThat(jobRow.group()).as("job-1's row").containsPattern("<td class=\"num\">[1-9][0-9,]*</td>");
  }

  @Test
  void sqlPageRunsASnapshotQueryAndShowsItsRows() throws Exception {
    String dom = render("sql.html?query=" + java.net.URLEncoder.encode(
        // Only the set-up's pages: the job test adds /late clicks, in whichever order the tests run.
        "SELECT page, COUNT(*) AS views FROM clicks WHERE page IN ('/home', '/cart') GROUP BY page",
        StandardCharsets.UTF_8), "sql-query");
    assertThat(dom).contains("<th>page</th><th>views</th>", "<tr class=\"row\"><td class=\"mono\">/cart</td><td class=\"mono\">8</td></tr>",
        "<tr class=\"row\"><td class=\"mono\">/home</td><td class=\"mono\">4</td></tr>", "2 rows");
  }

  /** The page's DOM after its scripts ran, without the scripts, and a screenshot of it as {@code NAME.png}. */
  private static String render(String page, String name) throws Exception {
    String url = console.resolve(page).toString();
    Path profile = Files.createTempDirectory(dir, "chromium-" + name + "-");
    List<String> common = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--mute-audio", "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars",
        "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--window-size=1280,1800");
    List<String> dump = new ArrayList<>(common);
    dump.add("--dump-dom");
    dump.add(url);
    String dom = run(dump, profile.resolve("dom.html"), profile);
    List<String> shot = new ArrayList<>(common);
    shot.add("--screenshot=" + SCREENSHOTS.resolve(name + ".png").toAbsolutePath());
    shot.add(url);
    run(shot, profile.resolve("screenshot.out"), profile);
    assertThat(SCREENSHOTS.resolve(name + ".png")).isNotEmptyFile();
    Files.writeString(SCREENSHOTS.resolve(name + ".html"), dom);
    // What the page shows, not its scripts' source.
    return dom.replaceAll("(?s)<script.*?</script>", "");
  }

  private static String run(List<String> command, Path out, Path profile) throws Exception {
    Process chromium = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(profile.resolve("chromium.log").toFile()).start();
    try {
      assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished: %s",
          Files.readString(profile.resolve("chromium.log"))).isTrue();
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      chromium.descendants().forEach(ProcessHandle::destroyForcibly);
      chromium.destroyForcibly();
    }
  }

  private static boolean active(String stream) {
    return kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
        .streamStatusAsString().equals("ACTIVE");
  }

  private static String get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(endpoint.resolve(path)).build(), BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String post(String path, String body) throws Exception {
    var response = HTTP.send(HttpRequest.newBuilder(endpoint.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
    return response.body();
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
      } catch (RuntimeException notYet) {
        // Not there yet.
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what + "; server said: " + serverOut);
  }
}
