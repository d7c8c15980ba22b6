package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code INSERT INTO} typed in {@code freshet sql} with {@code SET runner = flink} and {@code SET
 * flinkMaster} runs on the local cluster of {@code freshet flink start}: the shell stages Beam SQL
 * and Freshet with the job, shows its Flink job id, the job's tasks run after the shell exits, and
 * {@code STOP JOB <flink job id>} in a later shell cancels it. Streams are served by {@code freshet
 * server} in this JVM, as TaskManagers are other processes.
 *
 * <p>Not checked here: the rows the job writes. In this test's runs the job's source emitted no
 * record within minutes while its watermark followed the clock (see docs/sql.md, "Not in the shell
 * yet"); the same statement writes its windows on Flink in the shell's process
 * ({@code ShellStreamingTest}).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SqlClusterJobIT {
  private static final Duration AWAIT = Duration.ofSeconds(180);

  @RegisterExtension final LocalClusterFixture fixture = new LocalClusterFixture("SqlClusterJobIT");
  @TempDir Path serverDir;
  @TempDir Path dataDir;

  @Test
  void anInsertFromTheShellRunsOnTheClusterUnderItsFlinkJobIdUntilStopped() throws Exception {
    InProcessServer server = fixture.startServer(serverDir, 1, 1, 0);
    server.store().createStream(CreateStreamRequest.provisioned("clicks", 1));
    server.store().createStream(CreateStreamRequest.provisioned("views", 1));
    List<PutRecordsEntry> clicks = new ArrayList<>();
    for (String[] click : new String[][] {
        {"home", "2026-01-01T10:00:10Z"}, {"home", "2026-01-01T10:00:20Z"}, {"cart", "2026-01-01T10:00:30Z"},
        {"home", "2026-01-01T10:01:10Z"}, {"cart", "2026-01-01T10:02:30Z"}}) {
      clicks.add(PutRecordsEntry.of(click[0], ("{\"page\": \"" + click[0] + "\", \"event_time\": \"" + click[1] + "\"}")
          .getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(server.store().putRecords("clicks", clicks).failedRecordCount()).isZero();
    FlinkCluster cluster = fixture.startCluster(dataDir, 1, 2);
    FlinkRestClient rest = cluster.rest();
    URI base = rest.base();
    String master = base.getHost() + ":" + base.getPort();

    Cli.Result submitted = fixture.cli().run("sql", "--outputformat", "csv", "-e",
        "SET runner = flink; SET flinkMaster = '" + master + "'; SET parallelism = 1; "
            + "SET endpoint = '" + server.endpoint() + "';\n"
            + "CREATE EXTERNAL TABLE clicks (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks' "
            + "TBLPROPERTIES '{\"timestampField\": \"event_time\", \"startingPosition\": \"trim_horizon\"}';\n"
            + "CREATE EXTERNAL TABLE views (page VARCHAR, window_start TIMESTAMP, views BIGINT) TYPE kinesis "
            + "LOCATION 'views';\n"
            + "INSERT INTO views SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE), COUNT(*) "
            + "FROM clicks GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE);\n"
            + "SHOW JOBS;");
    assertThat(submitted.exitCode()).as(submitted.out() + submitted.err()).isZero();
    String job = submitted.lines().stream().filter(line -> line.startsWith("'job-1','INSERT INTO views"))
        .findFirst().orElseThrow(() -> new AssertionError(submitted.out() + submitted.err()));
    assertThat(job).contains("'flink " + master + "'");
    String flinkJobId = job.replaceAll(".*'([0-9a-f]{32})'$", "$1");
    assertThat(flinkJobId).matches("[0-9a-f]{32}");

    // The shell has exited; the job runs on the cluster: its tasks, Beam SQL's and Freshet's code
    // from the staged jars, are deployed and running on the TaskManager, reading from the server.
    await(() -> rest.tasksRunning(flinkJobId), "the tasks of job " + flinkJobId + " run on the cluster");

    Cli.Result stopped = fixture.cli().run("sql", "--outputformat", "csv", "-e",
        "SET flinkMaster = '" + master + "'; STOP JOB " + flinkJobId + ";");
    assertThat(stopped.exitCode()).as(stopped.err()).isZero();
    assertThat(stopped.lines()).contains("'" + flinkJobId + "','CANCELLED'");
    assertThat(rest.jobs()).anyMatch(j -> j.id().equals(flinkJobId) && j.state().equals("CANCELED"));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + AWAIT + ": " + what);
      }
      Thread.sleep(250);
    }
  }
}
