package dev.freshet.agent;

import static dev.freshet.agent.StreamContents.assertExactlyOnceInOrder;
import static dev.freshet.agent.StreamContents.await;
import static dev.freshet.agent.StreamContents.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow over the real embedded store, "killed" at an exact point and restarted after the log
 * rotated meanwhile. The kill is a copy of the checkpoint file taken as the flow hands a buffer to
 * the stream (what is on disk if the process dies right after that send), put back after the flow
 * stopped. What it proves: records sent under a file's producer id before the kill are recognised
 * as repeats after the restart, wherever the rotation moved their file, and nothing is lost.
 */
class FlowRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path logs;
  private Path checkpointFile;
  private StreamClients.Lease lease;
  private StreamClient client;
  private FlowConfig flow;

  @BeforeEach
  void openStore() throws Exception {
    logs = Files.createDirectories(dir.resolve("logs"));
    checkpointFile = dir.resolve("checkpoints.json");
    lease = StreamClients.acquire(StreamClients.endpointOf(dir.resolve("data")));
    client = lease.client();
    client.createStream(CreateStreamRequest.provisioned("logs", 1));
    flow = AgentConfig.parse("kinesis.endpoint: " + StreamClients.endpointOf(dir.resolve("data")) + "\n"
        + "flows:\n"
        + "  - filePattern: logs/app.log*\n"
        + "    kinesisStream: logs\n"
        + "    initialPosition: START_OF_FILE\n"
        + "    maxBufferAgeMillis: 20\n"
        + "    maxBufferSizeRecords: 50\n"
        + "    minTimeBetweenFilePollsMillis: 10\n", dir, "agent.yaml").flows().get(0);
  }

  @AfterEach
  void closeStore() {
    lease.close();
  }

  /**
   * The file is found empty, so the identity first checkpointed for it has no content to match; 100
   * lines then arrive in one write and the first full buffer is sent before any later scan. Killed
   * right after that send, and the file copy-truncated before the restart: the copy must carry on
   * under the producer id its first records were sent with (they are repeats), and the truncated
   * file's new lines are a new file's, not repeats of the old producer's offsets.
   */
  @Test
  void killedAfterTheFirstSendOfAFileFoundEmptyThenCopyTruncated() throws Exception {
    List<String> written = new ArrayList<>();
    Path live = logs.resolve("app.log");
    Path atKill = dir.resolve("checkpoints-at-kill.json");
    try (LogWriter writer = new LogWriter(live, "g1", written)) {
      Running first = start(atKill);
      await(() -> Files.exists(checkpointFile), WAIT, () -> "the first checkpoint");
      writer.write(100);
      awaitRecords(100);
      first.stop();
      Files.copy(atKill, checkpointFile, StandardCopyOption.REPLACE_EXISTING);

      Files.copy(live, logs.resolve("app.log.1"));
      writer.truncate();
      writer.group("g2");
      writer.write(30);

      Running second = start(null);
      await(this::caughtUp, WAIT, () -> "checkpoint " + readJson() + " covering " + sizes());
      second.stop();
    }
    assertExactlyOnceInOrder(read(client, "logs"), written);
  }

  private void awaitRecords(int count) throws InterruptedException {
    await(() -> read(client, "logs").size() >= count, WAIT, () -> read(client, "logs").size() + " of " + count);
  }

  /** A flow on its own thread; with {@code atKill}, the checkpoint file is copied there at its first send. */
  private Running start(Path atKill) throws IOException {
    Destination stream = new StreamDestination(flow, client);
    Destination destination = atKill == null ? stream : new Destination() {
      private boolean copied;

      @Override
      public void deliver(List<Item> items, FlowStatus status) throws InterruptedException {
        if (!copied) {
          copied = true;
          try {
            Files.copy(checkpointFile, atKill);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        stream.deliver(items, status);
      }

      @Override
      public void close() {
        stream.close();
      }
    };
    Flow running = new Flow(flow, destination, CheckpointStore.open(checkpointFile), new FlowStatus(flow.id()));
    Thread thread = new Thread(running, "flow");
    thread.start();
    return new Running(running, thread, destination);
  }

  private record Running(Flow flow, Thread thread, Destination destination) {
    void stop() throws InterruptedException {
      flow.stop();
      thread.join();
      destination.close();
    }
  }

  /** Whether every file under logs has a checkpoint entry at its full size. */
  private boolean caughtUp() {
    JsonNode root = readJson();
    if (root == null) {
      return false;
    }
    Map<String, Long> offsets = new HashMap<>();
    for (JsonNode f : root) {
      for (JsonNode file : f) {
        offsets.put(file.get("path").asText(), file.get("offset").asLong());
      }
    }
    return sizes().entrySet().stream().allMatch(e -> e.getValue().equals(offsets.get(e.getKey())));
  }

  private Map<String, Long> sizes() {
    Map<String, Long> sizes = new HashMap<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        sizes.put(p.toString(), Files.size(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sizes;
  }

  private JsonNode readJson() {
    try {
      return Files.exists(checkpointFile) ? new ObjectMapper().readTree(checkpointFile.toFile()) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
