package dev.freshet.examples.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.ExampleRun;
import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.firehose.FirehoseServiceConfig;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * log-delivery end to end: a real server with the Firehose API in process, the example run twice
 * with the real {@code Agent} (the first run appends 120 generated lines, then this test appends
 * 80 lines of its own and runs it again). The delivered gzip objects then hold, once each, the
 * LOGTOJSON form of every line of the log, computed here from the lines with a regular expression
 * of the combined log format.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LogDeliveryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COMBINED = Pattern.compile(
      "^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] \"([^\"]*)\" (\\d{3}) (\\S+) \"([^\"]*)\" \"([^\"]*)\"$");
  private static final String[] FIELDS = {
    "host", "ident", "authuser", "datetime", "request", "response", "bytes", "referer", "agent"
  };

  @TempDir Path dir;

  @Test
  void everyLineOfTheLogIsDeliveredOnceAsGzipJson() throws Exception {
    Path data = dir.resolve("data");
    Path work = dir.resolve("work");
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(data).build());
        FirehoseService firehose = FirehoseService.open(FirehoseServiceConfig.builder(data).build(), store);
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store, List.of(firehose))) {
      String first = ExampleRun.run("log-delivery", "--endpoint=" + server.endpoint(), "--workDir=" + work,
          "--lines=120", "--bufferIntervalSeconds=0");
      assertThat(first).contains("created delivery stream access-logs: bucket logs, prefix access/, GZIP, 1 MiB or 0 s")
          .contains("appended 120 lines to " + work.resolve("logs/access.log"))
          .containsPattern("flow firehose:access-logs:.*: 120 records parsed, 0 skipped, 120 sent, 0 failed");
      assertThat(work.resolve("agent.yaml")).hasContent(new String(
          LogDelivery.class.getClassLoader().getResourceAsStream(LogDelivery.AGENT_CONFIG).readAllBytes(), UTF_8));

      StringBuilder mine = new StringBuilder();
      AccessLogGenerator.requests(5, 80, Instant.parse("2026-01-01T12:00:00Z"))
          .forEach(request -> mine.append(request.line()).append('\n'));
      Files.writeString(work.resolve("logs/access.log"), mine, UTF_8, StandardOpenOption.APPEND);
      String second = ExampleRun.run("log-delivery", "--endpoint=" + server.endpoint(), "--workDir=" + work,
          "--lines=0");
      assertThat(second).doesNotContain("created delivery stream")
          .containsPattern(": 80 records parsed, 0 skipped, 80 sent, 0 failed");

      List<Map<String, Object>> expected = new ArrayList<>();
      for (String line : Files.readAllLines(work.resolve("logs/access.log"), UTF_8)) {
        Matcher m = COMBINED.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i < FIELDS.length; i++) {
          fields.put(FIELDS[i], m.group(i + 1).equals("-") ? null : m.group(i + 1));
        }
        expected.add(fields);
      }
      assertThat(expected).hasSize(200);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<Map<String, Object>> delivered = delivered(data.resolve("s3/logs"));
      while (delivered.size() < expected.size() && System.nanoTime() < deadline) {
        Thread.sleep(200);
        delivered = delivered(data.resolve("s3/logs"));
      }
      assertThat(delivered).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  /** The JSON records of every object in the bucket's folder; checks the objects' names. */
  private static List<Map<String, Object>> delivered(Path bucket) throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    if (!Files.isDirectory(bucket)) {
      return records;
    }
    List<Path> objects;
    try (Stream<Path> files = Files.walk(bucket)) {
      objects = files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
    for (Path object : objects) {
      String key = bucket.relativize(object).toString();
      assertThat(key).matches("access/\\d{4}/\\d\\d/\\d\\d/\\d\\d/access-logs-1-\\d{4}(-\\d\\d){5}-[0-9a-f-]{36}\\.gz");
      try (InputStream in = new GZIPInputStream(Files.newInputStream(object))) {
        for (String line : new String(in.readAllBytes(), UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            records.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
          }
        }
      }
    }
    return records;
  }
}
