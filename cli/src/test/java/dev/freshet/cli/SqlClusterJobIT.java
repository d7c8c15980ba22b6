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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code INSERT INTO} typed in {@code freshet sql} with {@code SET runner = flink} and {@code SET
 * flinkMaster} runs on the local cluster of {@code freshet flink start}: the shell stages Beam SQL
 * and Freshet with the job and shows its Flink job id; the job, on the cluster's TaskManager after
 * the shell has exited, reads the clicks written before it started ({@code startingPosition:
 * trim_horizon}) through {@code freshet server} and writes exactly the four closed windows to the
 * {@code views} stream; {@code STOP JOB <flink job id>} in a later shell cancels it. Streams are
 * served by {@code freshet server} in this JVM, as TaskManagers are other processes.
 *
 * <p>The rows check fails when the job on the cluster reads nothing (a read that starts at the
 * stream's end, a TaskManager that cannot reach the server or lacks Freshet's classes) or writes
 * other windows; its message then shows each vertex's records in and out (Flink's REST API) and
 * the cluster's logs are kept in {@code target/SqlClusterJobIT-cluster-logs}.
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
    // from the staged jars, are deployed and running on the TaskManager, reading from the server,
    // and write the windows that close: the watermark follows the clicks' event times, then the
    // clock once the shard is idle, so all four windows close.
    await(() -> rest.tasksRunning(flinkJobId), () -> "the tasks of job " + flinkJobId + " run on the cluster");
    List<String> expected = List.of(
        "{\"page\":\"home\",\"window_start\":\"2026-01-01T10:00:00.000Z\",\"views\":2}",
        "{\"page\":\"cart\",\"window_start\":\"2026-01-01T10:00:00.000Z\",\"views\":1}",
        "{\"page\":\"home\",\"window_start\":\"2026-01-01T10:01:00.000Z\",\"views\":1}",
        "{\"page\":\"cart\",\"window_start\":\"2026-01-01T10:02:00.000Z\",\"views\":1}");
    await(() -> StreamContents.payloads(server.store(), "views").size() >= expected.size(),
        () -> "the job on the cluster writes the " + expected.size() + " closed windows; views holds "
            + StreamContents.payloads(server.store(), "views") + "; records in/out per vertex: "
            + rest.vertexRecords(flinkJobId));
    assertThat(StreamContents.payloads(server.store(), "views")).containsExactlyInAnyOrderElementsOf(expected);

    Cli.Result stopped = fixture.cli().run("sql", "--outputformat", "csv", "-e",
        "SET flinkMaster = '" + master + "'; STOP JOB " + flinkJobId + ";");
    assertThat(stopped.exitCode()).as(stopped.err()).isZero();
    assertThat(stopped.lines()).contains("'" + flinkJobId + "','CANCELLED'");
    assertThat(rest.jobs()).anyMatch(j -> j.id().equals(flinkJobId) && j.state().equals("CANCELED"));
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + AWAIT + ": " + what.get());
      }
      Thread.sleep(250);
    }
  }
}
