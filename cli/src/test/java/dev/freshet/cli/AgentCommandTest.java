package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code freshet agent}: configuration errors, and tailing into the --data-dir store until stopped. */
class AgentCommandTest {
  @TempDir Path dataDir;
  @TempDir Path files;

  @Test
  void aBadConfigurationIsOneLineNamingTheKey() throws Exception {
    Path config = files.resolve("agent.yaml");
    Files.writeString(config, "flows:\n  - filePatern: /var/log/app.log\n    kinesisStream: logs\n");
    Cli.Result result = new Cli(dataDir).run("agent", "--config", config);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: ").contains("flows[0]: unknown key 'filePatern'");
    assertThat(result.err().lines().count()).isEqualTo(1);

    Cli.Result missing = new Cli(dataDir).run("agent", "--config", files.resolve("nope.yaml"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("nope.yaml does not exist or is not a file");
  }

  @Test
  void tailsIntoTheDataDirStoreUntilStopped() throws Exception {
    assertThat(new Cli(dataDir).run("streams", "create", "logs", "--shards", "1").exitCode()).isZero();
    Path log = files.resolve("app.log");
    Files.writeString(log, "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326\n"
        + "not an access log line\n"
        + "10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] \"POST /b HTTP/1.1\" 201 -\n");
    Path config = files.resolve("agent.json");
    Files.writeString(config, "{\"checkpointFile\": \"cp.json\", \"statusIntervalMillis\": 0,\n"
        + " \"flows\": [{\"filePattern\": \"app.log*\", \"kinesisStream\": \"logs\", \"initialPosition\": \"START_OF_FILE\",\n"
        + "  \"maxBufferAgeMillis\": 20, \"dataProcessingOptions\": [{\"optionName\": \"LOGTOJSON\", \"logFormat\": \"COMMONAPACHELOG\"}]}]}\n");

    StringWriter out = new StringWriter();
    CommandLine commandLine = Freshet.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread command = new Thread(() -> exit.set(commandLine.execute("--data-dir", dataDir.toString(), "agent",
        "--config", config.toString())), "freshet-agent-command");
    List<String> records = new ArrayList<>();
    try (StreamClients.Lease lease = StreamClients.acquire(StreamClients.endpointOf(dataDir))) {
      command.start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (records.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
        records.clear();
        String iterator = lease.client().getShardIterator("logs", "shardId-000000000000", StartingPosition.trimHorizon());
        GetRecordsResult result = lease.client().getRecords(iterator, 100);
        for (Record r : result.records()) {
          records.add(new String(r.data(), StandardCharsets.UTF_8));
        }
      }
      command.interrupt();
      command.join(60_000);
    }
    assertThat(exit.get()).isZero();
    assertThat(out.toString()).contains("freshet agent running 1 flow (checkpoints in " + files.resolve("cp.json"));
    assertThat(records).containsExactly(
        "{\"host\":\"127.0.0.1\",\"ident\":null,\"authuser\":\"frank\",\"datetime\":\"10/Oct/2000:13:55:36 -0700\","
            + "\"request\":\"GET /a.gif HTTP/1.0\",\"response\":\"200\",\"bytes\":\"2326\"}\n",
        "{\"host\":\"10.0.0.2\",\"ident\":null,\"authuser\":null,\"datetime\":\"10/Oct/2000:13:55:37 -0700\","
            + "\"request\":\"POST /b HTTP/1.1\",\"response\":\"201\",\"bytes\":null}\n");
  }
}
