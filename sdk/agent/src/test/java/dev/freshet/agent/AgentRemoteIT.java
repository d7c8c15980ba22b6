package dev.freshet.agent;

import static dev.freshet.agent.StreamContents.await;
import static dev.freshet.agent.StreamContents.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent through a real {@code freshet server} on a loopback port (the remote client over the
 * Kinesis wire API), into a stream of three shards with RANDOM partition keys: a restart from an
 * older checkpoint sends 300 lines again, and each is stored once, because a repeat carries the
 * same producer id, sequence and partition key (so it reaches the same shard) over the wire.
 */
class AgentRemoteIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aReplayThroughTheServerIsStoredOnce() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir.resolve("data")).build());
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store)) {
      store.createStream(CreateStreamRequest.provisioned("logs", 3));
      Path config = dir.resolve("agent.yaml");
      Files.writeString(config, "kinesis.endpoint: " + server.endpoint() + "\n"
          + "statusIntervalMillis: 0\n"
          + "flows:\n"
          + "  - filePattern: logs/*.log\n"
          + "    kinesisStream: logs\n"
          + "    initialPosition: START_OF_FILE\n"
          + "    maxBufferAgeMillis: 20\n"
          + "    minTimeBetweenFilePollsMillis: 10\n");
      Path checkpoints = dir.resolve("agent-checkpoints.json");
      Path older = dir.resolve("older.json");
      List<String> written = new ArrayList<>();
      try (LogWriter a = new LogWriter(logs.resolve("a.log"), "a", written);
          LogWriter b = new LogWriter(logs.resolve("b.log"), "b", written)) {
        a.write(100);
        b.write(50);
        try (Agent agent = Agent.start(AgentConfig.load(config), System.err)) {
          await(() -> read(store, "logs").size() >= 150, WAIT, () -> read(store, "logs").size() + " records");
        }
        Files.copy(checkpoints, older);
        a.write(200);
        b.write(100);
        try (Agent agent = Agent.start(AgentConfig.load(config), System.err)) {
          await(() -> read(store, "logs").size() >= 450, WAIT, () -> read(store, "logs").size() + " records");
        }
        Files.copy(older, checkpoints, StandardCopyOption.REPLACE_EXISTING);
        try (Agent agent = Agent.start(AgentConfig.load(config), System.err)) {
          a.write(5);
          await(() -> agent.status().get(0).sent() == 305 && read(store, "logs").size() >= 455, WAIT,
              () -> agent.status().get(0).line() + "; " + read(store, "logs").size() + " records");
        }
      }
      List<String> stored = read(store, "logs");
      assertThat(stored).hasSameSizeAs(written).containsExactlyInAnyOrderElementsOf(written);
    }
  }
}
