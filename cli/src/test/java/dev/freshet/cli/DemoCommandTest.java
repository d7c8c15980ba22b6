package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.clickstream.ClickEvent;
import dev.freshet.examples.clickstream.ClickEventGenerator;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Shard;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job end to end: events in; the SQL top pages of every window, checked against a count
 * of the delivered events made here; the Firehose objects, checked against the seeded generator's
 * events; on the Direct runner, on embedded Flink, and with the in-process server.
 */
class DemoCommandTest {
  private static final Pattern WROTE = Pattern.compile("wrote ([\\d,]+) click events");
  private static final Pattern SHARD = Pattern.compile("^\\s+(shardId\\S+)\\s+([\\d,]+)$", Pattern.MULTILINE);
  private static final Pattern READ = Pattern.compile("pipeline read ([\\d,]+) of ([\\d,]+) click events and closed (\\d+) windows");
  private static final Pattern WINDOW = Pattern.compile(
      "^\\r?(\\d\\d:\\d\\d:\\d\\d)–\\d\\d:\\d\\d:\\d\\d\\s+([\\d,]+) views  (.*)$", Pattern.MULTILINE);
  private static final Pattern DELIVERED = Pattern.compile(
      "Firehose delivered ([\\d,]+) click events in (\\d+) GZIP JSON objects");
  private static final Pattern OBJECT = Pattern.compile("^  (/\\S+\\.gz)\\s+([\\d,]+) records", Pattern.MULTILINE);
  private static final Pattern S3 = Pattern.compile("S3 API of the deliveries on (http://\\S+) \\(bucket");
  private static final Pattern CONSOLE = Pattern.compile("console: http://localhost:(\\d+)/console/");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  private static long number(String grouped) {
    return Long.parseLong(grouped.replace(",", ""));
  }

  private String[] args(String... extra) {
    return Stream.concat(Stream.of("demo", "--seconds", "3", "--rate", "1000", "--data-dir", dataDir.toString()),
        Arrays.stream(extra)).toArray(String[]::new);
  }

  /**
   * Checks one run's output and what it delivered; returns the number of events written. Every
   * printed window's total and top pages must equal a count, made here, of the delivered events
   * in that window; the delivered events must be exactly the seeded generator's first events.
   */
  private long check(int exitCode, String out, String err) throws IOException {
    assertThat(exitCode).as(out + err).isZero();
    Matcher wrote = WROTE.matcher(out);
    assertThat(wrote.find()).as(out).isTrue();
    long written = number(wrote.group(1));
    assertThat(written).isPositive();
    long sum = 0;
    Matcher shard = SHARD.matcher(out);
    while (shard.find()) {
      sum += number(shard.group(2));
    }
    assertThat(sum).as("per-shard counts").isEqualTo(written);
    Matcher read = READ.matcher(out);
    assertThat(read.find()).as(out).isTrue();
    assertThat(number(read.group(1))).as("read by the pipeline").isEqualTo(written);

    // The objects: listed, under hourly prefixes of the bucket's folder, GZIP, holding every event.
    Matcher delivered = DELIVERED.matcher(out);
    assertThat(delivered.find()).as(out).isTrue();
    assertThat(number(delivered.group(1))).isEqualTo(written);
    Path archive = dataDir.resolve("s3").resolve(DemoCommand.BUCKET).toAbsolutePath().normalize();
    List<JsonNode> events = new ArrayList<>();
    Matcher object = OBJECT.matcher(out);
    int objects = 0;
    while (object.find()) {
      Path file = Path.of(object.group(1));
      assertThat(file).startsWith(archive).isRegularFile();
      assertThat(archive.relativize(file).toString()).matches("clicks/\\d{4}/\\d\\d/\\d\\d/\\d\\d/clickstream-[^/]+\\.gz");
      List<JsonNode> inFile = readGzipJsonLines(file);
      assertThat((long) inFile.size()).as(file.toString()).isEqualTo(number(object.group(2)));
      events.addAll(inFile);
      objects++;
    }
    assertThat(objects).as(out).isPositive().isEqualTo(Integer.parseInt(delivered.group(2)));
    assertThat((long) events.size()).as("events in the objects").isEqualTo(written);
    ClickEventGenerator generator = ClickEventGenerator.create(42);
    List<String> expected = new ArrayList<>();
    for (long i = 0; i < written; i++) {
      ClickEvent event = generator.next(Instant.EPOCH);
      expected.add(event.userId() + " " + event.sessionId() + " " + event.page() + " " + event.referrer());
    }
    List<String> actual = events.stream().map(e -> e.path("userId").asText() + " " + e.path("sessionId").asText()
        + " " + e.path("page").asText() + " " + e.path("referrer").asText()).collect(Collectors.toList());
    assertThat(actual).as("the delivered events are the generated ones").containsExactlyInAnyOrderElementsOf(expected);

    // The windows: each printed one equals an independent count of the delivered events.
    Map<String, Map<String, Long>> views = new HashMap<>();
    for (JsonNode event : events) {
      Instant time = Instant.parse(event.path("timestamp").asText());
      String start = TIME.format(Instant.ofEpochSecond(time.getEpochSecond() - Math.floorMod(time.getEpochSecond(), 10)));
      views.computeIfAbsent(start, s -> new HashMap<>()).merge(event.path("page").asText(), 1L, Long::sum);
    }
    Matcher window = WINDOW.matcher(out);
    long printedViews = 0;
    int windows = 0;
    while (window.find()) {
      Map<String, Long> pages = views.get(window.group(1));
      assertThat(pages).as("events in window " + window.group(1)).isNotNull();
      long total = number(window.group(2));
      assertThat(total).as("views in " + window.group(1)).isEqualTo(pages.values().stream().mapToLong(Long::longValue).sum());
      assertThat(window.group(3).trim()).as("top pages of " + window.group(1)).isEqualTo(top5(pages));
      printedViews += total;
      windows++;
    }
    assertThat(windows).as(out).isPositive().isEqualTo(Integer.parseInt(read.group(3)));
    assertThat(printedViews).as("views in the printed windows").isEqualTo(written);
    assertThat(out).contains("data folder: " + dataDir.toAbsolutePath().normalize());
    return written;
  }

  /** The five most viewed pages, ties by page, as the demo prints them. */
  private static String top5(Map<String, Long> pages) {
    return pages.entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).reversed()
            .thenComparing(Map.Entry::getKey))
        .limit(5)
        .map(e -> e.getKey() + String.format(" %,d", e.getValue()))
        .collect(Collectors.joining(" · "));
  }

  private static List<JsonNode> readGzipJsonLines(Path file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private long run(String... extra) throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Freshet.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args(extra));
    return check(exitCode, out.toString(), err.toString());
  }

  @Test
  void sqlTopPagesAndFirehoseObjectsMatchTheEventsAndTheServerAnswers() throws Exception {
    run();

    // A second run reuses the stream, with the server in process: its console URL answers (GET
    // /health at least) while the demo runs, and the run delivers only its own events.
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> Freshet.commandLine()
        .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args("--server", "0")));
    Matcher console = CONSOLE.matcher("");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
    while (!(console = CONSOLE.matcher(out.toString())).find()) {
      assertThat(demo).as(out.toString() + err).isNotDone();
      assertThat(System.nanoTime()).as("console URL printed").isLessThan(deadline);
      Thread.sleep(50);
    }
    int port = Integer.parseInt(console.group(1));
    assertThat(out.toString()).contains("freshet server listening on http://127.0.0.1:" + port);
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    // The S3 API serves the bucket of the deliveries, with the first run's objects in it.
    Matcher s3 = S3.matcher(out.toString());
    assertThat(s3.find()).as(out.toString()).isTrue();
    HttpResponse<String> listing = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(s3.group(1) + "/" + DemoCommand.BUCKET + "?list-type=2&prefix=clicks/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(demo).as("the demo still runs while its server answers").isNotDone();
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
    Matcher key = Pattern.compile("<Key>(clicks/\\d{4}/\\d\\d/\\d\\d/\\d\\d/clickstream-[^<]+\\.gz)</Key>")
        .matcher(listing.body());
    assertThat(key.find()).as(listing.body()).isTrue();
    HttpResponse<InputStream> object = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(s3.group(1) + "/" + DemoCommand.BUCKET + "/" + key.group(1))).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(object.statusCode()).isEqualTo(200);
    try (InputStream body = object.body()) {
      assertThat(new GZIPInputStream(body).readAllBytes()).isEqualTo(new GZIPInputStream(
          Files.newInputStream(dataDir.resolve("s3").resolve(DemoCommand.BUCKET).resolve(key.group(1)))).readAllBytes());
    }
    check(demo.get(), out.toString(), err.toString());
    assertThat(out.toString()).contains("freshet server stopped");
    assertThat(new Cli(dataDir).run("streams", "list").out()).contains("clickstream");
  }

  @Test
  void runsTheSamePipelineOnEmbeddedFlink() throws Exception {
    run("--runner", "flink");
  }

  /**
   * What the demo leaves out of its checks when the machine was too busy to write before the
   * pipeline's stop time: exactly the records that arrived after it, on every shard.
   */
  @Test
  void countsTheEventsStoredAfterTheStopTime() throws Exception {
    try (LocalStreamStore store = LocalStreamStore.open(
        StoreConfig.builder(dataDir).build())) {
      store.createStream(CreateStreamRequest.provisioned(DemoCommand.STREAM, 2));
      List<String> shards = store.listShards(ListShardsRequest.of(DemoCommand.STREAM))
          .shards().stream().map(Shard::shardId).toList();
      List<PutRecordsEntry> batch = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        batch.add(PutRecordsEntry.of("user-" + i, new byte[] {(byte) i}));
      }
      store.putRecords(DemoCommand.STREAM, batch);
      long stop = System.currentTimeMillis();
      Thread.sleep(5);
      store.putRecords(DemoCommand.STREAM, batch.subList(0, 25));
      assertThat(DemoCommand.arrivedAfter(store, shards, stop)).isEqualTo(25);
      assertThat(DemoCommand.arrivedAfter(store, shards, System.currentTimeMillis())).isZero();
    }
  }

  @Test
  void refusesAnUnknownRunner() {
    Cli.Result result = new Cli(dataDir).run("demo", "--runner", "spark");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.err()).contains("--runner", "spark", "direct", "flink");
  }
}
