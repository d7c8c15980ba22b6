package dev.freshet.examples.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.examples.clickstream.ClickEvent;
import dev.freshet.examples.clickstream.ClickEventGenerator;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.runners.Runners;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clickstream archive end to end on the Direct runner: clicks written to a stream of the
 * embedded store, read by the example pipeline and delivered as hourly gzip JSON objects, which are
 * read back with {@code java.util.zip}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClickArchiveTest {
  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeAll
  static void registerOptions() {
    org.apache.beam.sdk.options.PipelineOptionsFactory.register(ClickArchive.Options.class);
  }

  @Test
  void archivesEveryClickAsGzipJsonLinesInHourlyFolders() throws IOException {
    Path data = dir.resolve("data");
    URI endpoint = StreamClients.endpointOf(data);
    List<String> clicks = new ArrayList<>();
    Instant before = Instant.now();
    try (StreamClients.Lease lease = StreamClients.register(endpoint,
        LocalStreamStore.open(StoreConfig.builder(data).build()))) {
      StreamClient client = lease.client();
      client.createStream(CreateStreamRequest.provisioned("clickstream", 2));
      ClickEventGenerator generator = ClickEventGenerator.create(7);
      List<PutRecordsEntry> batch = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        ClickEvent click = generator.next(before.plusMillis(i));
        clicks.add(click.toJson());
        batch.add(PutRecordsEntry.of(click.partitionKey(), click.toJsonBytes()));
        if (batch.size() == 500) {
          assertThat(client.putRecords("clickstream", batch).failedRecordCount()).isZero();
          batch.clear();
        }
      }
      Instant after = Instant.now();

      // Reads what arrived until a second from now, then delivers what is buffered and finishes.
      ClickArchive.Options options = Runners.configure("--runner=DirectRunner", "--endpoint=" + endpoint,
              "--outputDir=" + dir.resolve("lake"), "--bufferSeconds=60", "--bufferMiB=1", "--runSeconds=1")
          .as(ClickArchive.Options.class);
      assertThat(ClickArchive.create(options).run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

      List<Path> objects;
      try (Stream<Path> files = Files.walk(dir.resolve("lake"))) {
        objects = files.filter(Files::isRegularFile).toList();
      }
      // The hours the records arrived in: usually one, two when the test straddles an hour.
      DateTimeFormatter hour = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
      List<String> hours = List.of(hour.format(before), hour.format(after));
      assertThat(objects).isNotEmpty().allSatisfy(object -> {
        String key = dir.resolve("lake").relativize(object).toString();
        assertThat(key).matches("clicks/\\d{4}/\\d\\d/\\d\\d/\\d\\d/clickstream-1-\\d{4}(-\\d\\d){5}-[0-9a-f-]{36}\\.gz");
        assertThat(hours).contains(key.substring("clicks/".length(), "clicks/".length() + 13));
      });
      List<String> delivered = new ArrayList<>();
      for (Path object : objects) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(object))) {
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          assertThat(text).endsWith("\n");
          delivered.addAll(List.of(text.substring(0, text.length() - 1).split("\n", -1)));
        }
      }
      // 3,000 clicks of about 200 bytes and a 1 MiB size hint: each object was put by the end of
      // input or the size hint, and nothing was lost or repeated on the Direct runner.
      assertThat(delivered).containsExactlyInAnyOrderElementsOf(clicks);
    }
  }

  @Test
  void refusesABadStartingPosition() {
    ClickArchive.Options options = Runners.configure("--runner=DirectRunner", "--endpoint=file:" + dir,
            "--outputDir=" + dir.resolve("lake"), "--startingPosition=middle")
        .as(ClickArchive.Options.class);
    assertThatThrownBy(() -> ClickArchive.create(options))
        .hasMessageContaining("startingPosition must be trim-horizon or latest, but was: middle");
  }
}
