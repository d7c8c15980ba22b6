package dev.freshet.agent;

import static dev.freshet.agent.StreamContents.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.firehose.FirehoseServiceConfig;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;

/**
 * A flow into a delivery stream through a real server's Firehose API (AWS SDK v2 Firehose client,
 * PutRecordBatch): every line of the file is in the delivered objects, once.
 */
class AgentFirehoseIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aFlowDeliversEveryLineThroughTheFirehoseApi() throws Exception {
    Path data = dir.resolve("data");
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(data).build());
        FirehoseService firehose = FirehoseService.open(FirehoseServiceConfig.builder(data).build(), store);
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store, List.of(firehose));
        FirehoseClient client = FirehoseClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet")))
            .httpClient(ApacheHttpClient.create()).build()) {
      client.createDeliveryStream(b -> b.deliveryStreamName("app").deliveryStreamType("DirectPut")
          .extendedS3DestinationConfiguration(d -> d.bucketARN("arn:aws:s3:::lake")
              .roleARN("arn:aws:iam::000000000000:role/firehose")
              .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(0))));
      await(() -> client.describeDeliveryStream(b -> b.deliveryStreamName("app")).deliveryStreamDescription()
          .deliveryStreamStatus() == DeliveryStreamStatus.ACTIVE, WAIT, () -> "delivery stream app ACTIVE");

      Path logs = Files.createDirectories(dir.resolve("logs"));
      List<String> written = new ArrayList<>();
      try (LogWriter writer = new LogWriter(logs.resolve("app.log"), "a", written)) {
        writer.write(1234);
      }
      Path config = dir.resolve("agent.yaml");
      Files.writeString(config, "firehose.endpoint: " + server.endpoint() + "\n"
          + "statusIntervalMillis: 0\n"
          + "flows:\n"
          + "  - filePattern: logs/app.log\n"
          + "    deliveryStream: app\n"
          + "    initialPosition: START_OF_FILE\n"
          + "    maxBufferAgeMillis: 20\n"
          + "    maxBufferSizeRecords: 100\n");
      try (Agent agent = Agent.start(AgentConfig.load(config), System.err)) {
        await(() -> agent.status().get(0).sent() == written.size(), WAIT, () -> agent.status().get(0).line());
      }
      await(() -> delivered(data).size() >= written.size(), WAIT, () -> delivered(data).size() + " lines delivered");
      assertThat(delivered(data)).containsExactlyInAnyOrderElementsOf(written);
    }
  }

  /** The lines of every object delivered into bucket {@code lake}, wherever the service keeps it. */
  private static List<String> delivered(Path data) {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(data)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && p.toString().contains("/lake/")) {
          for (String line : Files.readAllLines(p)) {
            lines.add(line + "\n");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }
}
