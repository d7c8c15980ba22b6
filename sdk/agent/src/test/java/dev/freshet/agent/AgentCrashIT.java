package dev.freshet.agent;

import static dev.freshet.agent.StreamContents.assertExactlyOnceInOrder;
import static dev.freshet.agent.StreamContents.await;
import static dev.freshet.agent.StreamContents.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a separate JVM, on the embedded store ({@code file:} endpoint), SIGKILLed several
 * times while an application writes its log and rotates it, alternately by rename and by
 * copy-truncate, then restarted; at the end one last agent drains everything and is stopped.
 *
 * <p>What it proves: the stream then holds every line written exactly once, and each file
 * generation's lines in the order written. A kill can fall anywhere: mid-read, with a buffer sent
 * but not acknowledged, or between the acknowledgement and the checkpoint; then the restarted
 * agent sends the lines after its checkpoint again, and the store's idempotent writes (producer id
 * per file content, sequence = file offset) keep them from being stored twice; that needs each
 * file's content to keep its producer id through every rotation and restart. Nothing is skipped
 * because the checkpoint is written only after the acknowledgement. The application writes
 * nothing between the copy and the truncation of a copy-truncate (lines written there are lost by
 * any tailer). The agents' WARN lines and files dropped are printed, to tell a failure's path.
 */
class AgentCrashIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int KILLS = 4;

  @TempDir Path dir;

  @Test
  void killedAndRestartedWhileFilesRotateEveryLineIsStoredOnceInOrder() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path data = dir.resolve("data");
    Path checkpoints = dir.resolve("checkpoints.json");
    try (StreamClients.Lease lease = StreamClients.acquire(StreamClients.endpointOf(data))) {
      lease.client().createStream(CreateStreamRequest.provisioned("logs", 1));
    }
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "checkpointFile: checkpoints.json\n"
        + "kinesis.endpoint: " + StreamClients.endpointOf(data) + "\n"
        + "statusIntervalMillis: 500\n"
        + "flows:\n"
        + "  - filePattern: logs/app.log*\n"
        + "    kinesisStream: logs\n"
        + "    initialPosition: START_OF_FILE\n"
        + "    maxBufferAgeMillis: 20\n"
        + "    maxBufferSizeRecords: 100\n"
        + "    minTimeBetweenFilePollsMillis: 10\n");

    List<String> written = new ArrayList<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Thread application = new Thread(() -> {
      try {
        writeAndRotate(logs, written, writing);
      } catch (Throwable e) {
        writerFailure.set(e);
      }
    }, "application");
    application.start();
    try {
      for (int round = 0; round < KILLS; round++) {
        Process agent = startAgent(config, round);
        long before = delivered(checkpoints);
        await(() -> delivered(checkpoints) > before + 60_000, WAIT,
            () -> "agent progress past " + before + " bytes, at " + delivered(checkpoints));
        agent.toHandle().destroyForcibly();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).as("exit status of the killed agent").isEqualTo(137);
      }
    } finally {
      writing.set(false);
      application.join();
    }
    assertThat(writerFailure.get()).isNull();

    Process last = startAgent(config, KILLS);
    await(() -> caughtUp(logs, checkpoints), WAIT, () -> "checkpoint " + readJson(checkpoints) + " covering " + sizes(logs));
    last.destroy();
    assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<String> stored;
    try (StreamClients.Lease lease = StreamClients.acquire(StreamClients.endpointOf(data))) {
      stored = read(lease.client(), "logs");
    }
    int resumed = 0;
    int copies = 0;
    int restoredCopies = 0;
    for (int round = 0; round <= KILLS; round++) {
      String log = Files.readString(dir.resolve("agent-" + round + ".log"));
      resumed += count(log, ": resuming ");
      copies += count(log, " was truncated; continuing from offset ");
      restoredCopies += count(log, " changed while the agent was stopped; resuming at offset ");
      log.lines().filter(l -> l.contains(" WARN ") || l.contains("; dropped"))
          .forEach(l -> System.out.println("AgentCrashIT agent-" + l));
    }
    System.out.printf("AgentCrashIT: %d lines written, %d records stored, %d distinct%n", written.size(), stored.size(),
        new java.util.HashSet<>(stored).size());
    assertExactlyOnceInOrder(stored, written);
    assertThat(written.size()).as("lines written during the run").isGreaterThan(KILLS * 100);
    assertThat(resumed + restoredCopies).as("files resumed from the checkpoint by the restarted agents")
        .isGreaterThanOrEqualTo(KILLS);
    System.out.printf("AgentCrashIT: %d lines in %d file generations, %d SIGKILLs, %d files resumed from checkpoints, "
        + "%d copy-truncate copies taken over mid-run and %d after a restart; every line stored once%n",
        written.size(), written.stream().map(l -> l.substring(0, l.indexOf('-'))).distinct().count(), KILLS, resumed,
        copies, restoredCopies);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  /** Writes lines, rotating every 200 lines by rename, then by copy-truncate, until told to stop. */
  private static void writeAndRotate(Path logs, List<String> written, AtomicBoolean writing) throws Exception {
    Path live = logs.resolve("app.log");
    int generation = 0;
    LogWriter writer = new LogWriter(live, String.format("g%03d", generation), written);
    while (writing.get()) {
      for (int i = 0; i < 20 && writing.get(); i++) {
        writer.write(10);
        Thread.sleep(20); // an application's pace, not a wait for the agent
      }
      generation++;
      Path rotated = logs.resolve("app.log." + generation);
      if (generation % 2 == 1) {
        Files.move(live, rotated);
        writer.write(20); // still writing to the renamed file
        writer.close();
        writer = new LogWriter(live, String.format("g%03d", generation), written);
      } else {
        Files.copy(live, rotated);
        writer.truncate();
        writer.group(String.format("g%03d", generation));
      }
    }
    writer.close();
  }

  private Process startAgent(Path config, int round) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), AgentProcess.class.getName(), config.toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(dir.resolve("agent-" + round + ".log").toFile());
    return builder.start();
  }

  /** The sum of the checkpointed offsets, 0 before the first checkpoint. */
  private static long delivered(Path checkpoints) {
    JsonNode root = readJson(checkpoints);
    long sum = 0;
    if (root != null) {
      for (JsonNode flow : root) {
        for (JsonNode file : flow) {
          sum += file.get("offset").asLong();
        }
      }
    }
    return sum;
  }

  /** Whether every file under logs has a checkpoint entry at its full size. */
  private static boolean caughtUp(Path logs, Path checkpoints) {
    JsonNode root = readJson(checkpoints);
    if (root == null) {
      return false;
    }
    Map<String, Long> offsets = new HashMap<>();
    for (JsonNode flow : root) {
      for (JsonNode file : flow) {
        offsets.put(file.get("path").asText(), file.get("offset").asLong());
      }
    }
    return sizes(logs).entrySet().stream().allMatch(e -> e.getValue().equals(offsets.get(e.getKey())));
  }

  private static Map<String, Long> sizes(Path logs) {
    Map<String, Long> sizes = new HashMap<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        sizes.put(p.toString(), Files.size(p));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return sizes;
  }

  private static JsonNode readJson(Path checkpoints) {
    try {
      return Files.exists(checkpoints) ? new ObjectMapper().readTree(checkpoints.toFile()) : null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
