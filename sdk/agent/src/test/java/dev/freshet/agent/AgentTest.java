package dev.freshet.agent;

import static dev.freshet.agent.StreamContents.assertExactlyOnceInOrder;
import static dev.freshet.agent.StreamContents.await;
import static dev.freshet.agent.StreamContents.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in this JVM over the real embedded store on a temporary folder: files rotated by
 * rename and by copy-truncate while it runs, a replay from an older checkpoint, and the processing
 * options end to end. Streams have one shard, so the stream's order is the order of delivery.
 */
class AgentTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path logs;
  private StreamClients.Lease lease;
  private StreamClient client;
  private String endpoint;

  @BeforeEach
  void openStore() throws Exception {
    logs = Files.createDirectories(dir.resolve("logs"));
    endpoint = StreamClients.endpointOf(dir.resolve("data")).toString();
    lease = StreamClients.acquire(StreamClients.endpointOf(dir.resolve("data")));
    client = lease.client();
    client.createStream(CreateStreamRequest.provisioned("logs", 1));
  }

  @AfterEach
  void closeStore() {
    lease.close();
  }

  private AgentConfig config(String flowExtras) {
    return AgentConfig.parse("checkpointFile: checkpoints.json\n"
        + "kinesis.endpoint: " + endpoint + "\n"
        + "statusIntervalMillis: 50\n"
        + "flows:\n"
        + "  - filePattern: logs/app.log*\n"
        + "    kinesisStream: logs\n"
        + "    initialPosition: START_OF_FILE\n"
        + "    maxBufferAgeMillis: 20\n"
        + "    maxBufferSizeRecords: 50\n"
        + "    minTimeBetweenFilePollsMillis: 10\n"
        + flowExtras, dir, "agent.yaml");
  }

  private void awaitRecords(int count) throws InterruptedException {
    await(() -> read(client, "logs").size() >= count, WAIT, () -> read(client, "logs").size() + " of " + count + " records");
  }

  @Test
  void followsRenameAndCopyTruncateRotationWhileRunning() throws Exception {
    List<String> written = new ArrayList<>();
    ByteArrayOutputStream status = new ByteArrayOutputStream();
    try (Agent agent = Agent.start(config(""), new PrintStream(status, true, StandardCharsets.UTF_8))) {
      Path live = logs.resolve("app.log");
      LogWriter first = new LogWriter(live, "g1", written);
      first.write(200);
      awaitRecords(100);

      // Rename rotation: the application keeps writing to the renamed file for a while.
      Files.move(live, logs.resolve("app.log.1"));
      first.write(100);
      first.close();
      LogWriter second = new LogWriter(live, "g2", written);
      second.write(300);

      // Copy-truncate rotation once the agent is partway through g2: it must go on from its offset
      // in the copy, under the same producer id, and read the truncated file from its start.
      awaitRecords(300 + 100);
      String producer = checkpointOf(live).get("producerId").asText();
      Files.copy(live, logs.resolve("app.log.2"), StandardCopyOption.COPY_ATTRIBUTES);
      second.truncate();
      second.group("g3");
      second.write(250);
      second.close();

      awaitRecords(written.size());
      await(() -> checkpointOf(logs.resolve("app.log.2")) != null, WAIT, () -> "app.log.2 in the checkpoint");
      assertThat(checkpointOf(logs.resolve("app.log.2")).get("producerId").asText())
          .as("the copy carries on as the file it copies").isEqualTo(producer);
      await(() -> agent.status().get(0).bytesBehind() == 0, WAIT, () -> agent.status().get(0).line());
      assertThat(agent.status().get(0).parsed()).isGreaterThanOrEqualTo(written.size());
    }
    assertExactlyOnceInOrder(read(client, "logs"), written);
    assertThat(status.toString(StandardCharsets.UTF_8))
        .contains("agent: flow kinesis:logs:" + logs.resolve("app.log*") + ": ")
        .contains(written.size() + " sent");
  }

  @Test
  void aRestartFromAnOlderCheckpointStoresNothingTwice() throws Exception {
    List<String> written = new ArrayList<>();
    Path checkpoints = dir.resolve("checkpoints.json");
    Path older = dir.resolve("older-checkpoints.json");
    try (LogWriter writer = new LogWriter(logs.resolve("app.log"), "g1", written)) {
      writer.write(100);
      try (Agent agent = Agent.start(config(""), System.err)) {
        awaitRecords(100);
      }
      Files.copy(checkpoints, older);
      writer.write(400);
      try (Agent agent = Agent.start(config(""), System.err)) {
        awaitRecords(500);
      }
      assertThat(offsetIn(checkpoints)).isGreaterThan(offsetIn(older));

      // A crash between the acknowledgement of the last 400 lines and their checkpoint leaves this.
      Files.copy(older, checkpoints, StandardCopyOption.REPLACE_EXISTING);
      try (Agent agent = Agent.start(config(""), System.err)) {
        writer.write(10);
        awaitRecords(510);
        await(() -> agent.status().get(0).bytesBehind() == 0, WAIT, () -> agent.status().get(0).line());
        assertThat(agent.status().get(0).sent()).as("records sent again, then written").isEqualTo(410);
      }
    }
    assertExactlyOnceInOrder(read(client, "logs"), written);
  }

  @Test
  void processingOptionsMultiLineRecordsAndHeaders() throws Exception {
    String extras = "    multiLineStartPattern: '\\d{4}-\\d{2}-\\d{2} '\n"
        + "    skipHeaderLines: 1\n"
        + "    dataProcessingOptions:\n"
        + "      - optionName: SINGLELINE\n"
        + "      - optionName: CSVTOJSON\n"
        + "        customFieldNames: [date, level, message]\n"
        + "        delimiter: ' '\n";
    Files.writeString(logs.resolve("app.log"), "# written by app 1.0\n"
        + "2024-05-01 ERROR failed\n  at a.B.c(B.java:1)\n"
        + "2024-05-01 INFO ok\n"
        + "2024-05-02 WARN slow\n");
    try (Agent agent = Agent.start(config(extras), System.err)) {
      awaitRecords(3);
      assertThat(agent.status().get(0).skipped()).isEqualTo(1);
    }
    ObjectMapper json = new ObjectMapper();
    List<String> messages = new ArrayList<>();
    for (String record : read(client, "logs")) {
      assertThat(record).endsWith("}\n");
      JsonNode node = json.readTree(record);
      messages.add(node.get("date").asText() + "/" + node.get("level").asText() + "/" + node.get("message").asText());
    }
    assertThat(messages).containsExactly("2024-05-01/ERROR/failedat", "2024-05-01/INFO/ok", "2024-05-02/WARN/slow");
  }

  /** The checkpoint entry of {@code file}, or null. */
  private JsonNode checkpointOf(Path file) {
    try {
      JsonNode flows = new ObjectMapper().readTree(dir.resolve("checkpoints.json").toFile());
      for (JsonNode entry : flows.elements().next()) {
        if (entry.get("path").asText().equals(file.toString())) {
          return entry;
        }
      }
      return null;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void endOfFileStartsAfterTheLastWholeLine() throws Exception {
    Path log = logs.resolve("app.log");
    Files.writeString(log, "old-1\nold-2\nnew-1 writ");
    String config = "checkpointFile: checkpoints.json\n"
        + "kinesis.endpoint: " + endpoint + "\n"
        + "flows:\n"
        + "  - filePattern: logs/app.log*\n"
        + "    kinesisStream: logs\n"
        + "    maxBufferAgeMillis: 20\n"
        + "    minTimeBetweenFilePollsMillis: 10\n";
    try (Agent agent = Agent.start(AgentConfig.parse(config, dir, "agent.yaml"), System.err)) {
      await(() -> dir.resolve("checkpoints.json").toFile().exists(), WAIT, () -> "the first checkpoint");
      Files.writeString(log, "ten\nnew-2\n", java.nio.file.StandardOpenOption.APPEND);
      awaitRecords(2);
    }
    assertThat(read(client, "logs")).containsExactly("new-1 written\n", "new-2\n");
  }

  private static long offsetIn(Path checkpointFile) throws Exception {
    JsonNode flows = new ObjectMapper().readTree(checkpointFile.toFile());
    return flows.elements().next().get(0).get("offset").asLong();
  }
}
