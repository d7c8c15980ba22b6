package dev.freshet.sql.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.FreshetSql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell's own execution of statements over a followed (unbounded) table, through the JDBC
 * connection sqlline uses: a windowed {@code SELECT} hands rows over as windows close and ends at
 * {@code LIMIT}; {@code Statement.cancel()} (what sqlline's Ctrl-C handler calls) ends a query that
 * waits for rows and stops its pipeline's threads; {@code INSERT INTO} starts a background job that
 * {@code SHOW JOBS} lists and {@code STOP JOB} cancels. One store and one connection for all.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ShellStreamingTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final String WINDOWED = "SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, "
      + "COUNT(*) AS views FROM clicks GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE)";

  @TempDir static Path dataDir;
  private static StreamClients.Lease store;
  private static ShellSession session;
  private static Connection connection;
  private static final AtomicBoolean incremental = new AtomicBoolean();

  @BeforeAll
  static void tableOverAStreamWithThreeClosedWindows() throws SQLException {
    store = StreamClients.register(StreamClients.endpointOf(dataDir),
        LocalStreamStore.open(StoreConfig.builder(dataDir).build()));
    StreamClient client = store.client();
    client.createStream(CreateStreamRequest.provisioned("clicks", 1));
    client.createStream(CreateStreamRequest.provisioned("views", 1));
    client.createStream(CreateStreamRequest.provisioned("flink_views", 1));
    List<PutRecordsEntry> clicks = new ArrayList<>();
    for (String[] click : new String[][] {
        {"home", "2026-01-01T10:00:10Z"}, {"home", "2026-01-01T10:00:20Z"}, {"cart", "2026-01-01T10:00:30Z"},
        {"home", "2026-01-01T10:01:10Z"}, {"home", "2026-01-01T10:02:30Z"}, {"cart", "2026-01-01T10:03:05Z"}}) {
      clicks.add(PutRecordsEntry.of(click[0], ("{\"page\": \"" + click[0] + "\", \"event_time\": \"" + click[1] + "\"}")
          .getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords("clicks", clicks).failedRecordCount()).isZero();

    session = new ShellSession(FreshetSql.open(dataDir), dataDir, () -> false, on -> { }, incremental::set, List.of());
    connection = session.connect();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE EXTERNAL TABLE clicks (page VARCHAR, event_time TIMESTAMP) TYPE kinesis "
          + "LOCATION 'clicks' TBLPROPERTIES '{\"timestampField\": \"event_time\", \"startingPosition\": \"trim_horizon\"}'");
      statement.execute("CREATE EXTERNAL TABLE views (page VARCHAR, window_start TIMESTAMP, views BIGINT) TYPE kinesis "
          + "LOCATION 'views' TBLPROPERTIES '{\"partitionKey\": \"page\"}'");
      statement.execute("CREATE EXTERNAL TABLE flink_views (page VARCHAR, window_start TIMESTAMP, views BIGINT) "
          + "TYPE kinesis LOCATION 'flink_views' TBLPROPERTIES '{\"partitionKey\": \"page\"}'");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    if (session != null) {
      session.close();
      connection.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private static List<String> read(ResultSet rows, int count) throws SQLException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count && rows.next(); i++) {
      lines.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
    }
    return lines;
  }

  @Test
  void aWindowedSelectWithLimitPrintsRowsAsWindowsCloseAndEnds() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      assertThat(statement.execute(WINDOWED + " LIMIT 2")).isTrue();
      assertThat(incremental).as("sqlline prints rows as they come").isTrue();
      ResultSet rows = statement.getResultSet();
      assertThat(rows.getMetaData().getColumnLabel(2)).isEqualToIgnoringCase("window_start");
      List<String> lines = read(rows, 10);
      // Two of the closed windows (10:00 home and cart, 10:01 home, 10:02 home): LIMIT 2 ends the query.
      assertThat(lines).hasSize(2).allMatch(line -> line.matches("(home|cart) 2026-01-01 10:0[0-2]:00 [12]"));
      assertThat(rows.next()).isFalse();
    }
  }

  @Test
  void cancelEndsAQueryWaitingForRowsAndStopsItsPipeline() throws Exception {
    Statement statement = connection.createStatement();
    assertThat(statement.execute(WINDOWED)).isTrue();
    ResultSet rows = statement.getResultSet();
    // The windows before the newest event close; the 10:03 window waits for events that never come.
    List<String> lines = read(rows, 4);
    assertThat(lines).containsExactlyInAnyOrder(
        "home 2026-01-01 10:00:00 2", "cart 2026-01-01 10:00:00 1", "home 2026-01-01 10:01:00 1",
        "home 2026-01-01 10:02:00 1");
    assertThat(directRunnerThreads()).as("the query's pipeline runs").isNotEmpty();
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return rows.next();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    statement.cancel();   // what sqlline's Ctrl-C handler does
    assertThat(waiting.get(AWAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
    statement.close();
    await(() -> directRunnerThreads().isEmpty(), "the cancelled pipeline's threads end: " + directRunnerThreads());
  }

  @Test
  void insertIntoStartsABackgroundJobThatShowJobsListsAndStopJobCancels() throws Exception {
    String jobId;
    try (Statement statement = connection.createStatement()) {
      assertThat(statement.execute("INSERT INTO views " + WINDOWED)).isTrue();
      ResultSet started = statement.getResultSet();
      assertThat(started.next()).isTrue();
      jobId = started.getString("job_id");
      assertThat(started.getString("runner")).isEqualTo("direct");
    }
    assertThat(jobId).matches("job-\\d+");
    await(() -> store.client().getShardIterator("views", "shardId-000000000000",
        dev.freshet.sdk.stream.StartingPosition.trimHorizon()) != null && countRecords("views") == 4,
        "the job writes the four closed windows to the views stream");
    await(() -> showJobs(jobId).equals(List.of(jobId, "RUNNING", "4")), "SHOW JOBS: " + showJobs(jobId));

    try (Statement statement = connection.createStatement()) {
      assertThat(statement.execute("STOP JOB " + jobId)).isTrue();
      ResultSet stopped = statement.getResultSet();
      assertThat(stopped.next()).isTrue();
      assertThat(stopped.getString("state")).isEqualTo("CANCELLED");
    }
    assertThat(showJobs(jobId).get(1)).isEqualTo("CANCELLED");
    try (Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute("STOP JOB job-99")).hasMessageContaining("no job job-99");
    }
  }

  @Test
  void anInsertOnFlinkRunsDetachedUnderItsFlinkJobIdUntilStopped() throws Exception {
    String jobId;
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET runner = flink");
      try (Statement select = connection.createStatement()) {
        assertThatThrownBy(() -> select.execute(WINDOWED)).hasMessageContaining("on the Direct runner");
      }
      try {
        assertThat(statement.execute("INSERT INTO flink_views " + WINDOWED)).isTrue();
      } finally {
        try (Statement reset = connection.createStatement()) {
          reset.execute("SET runner = direct");
        }
      }
      ResultSet started = statement.getResultSet();
      assertThat(started.next()).isTrue();
      jobId = started.getString("job_id");
      assertThat(started.getString("runner")).isEqualTo("flink");
      assertThat(started.getString("flink_job_id")).matches("[0-9a-f]{32}");
    }
    await(() -> countRecords("flink_views") == 4, "the Flink job writes the four closed windows");
    assertThat(showJobs(jobId).get(1)).isEqualTo("RUNNING");
    try (Statement statement = connection.createStatement()) {
      assertThat(statement.execute("STOP JOB " + jobId)).isTrue();
      ResultSet stopped = statement.getResultSet();
      assertThat(stopped.next()).isTrue();
      assertThat(stopped.getString("state")).isEqualTo("CANCELLED");
    }
  }

  /**
   * A job for a Flink cluster whose tables reach a stream through a {@code file:} endpoint is
   * refused before anything is submitted, naming the table: the shell's default endpoint (the data
   * folder) and, once the default is a server, a table whose own {@code endpoint} property is a
   * data folder. The TaskManagers would open the store of that folder in another process.
   */
  @Test
  void aClusterJobOverAFileEndpointIsRefusedNamingTheTable() throws Exception {
    Path beamJar = Path.of(org.apache.beam.sdk.Pipeline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ShellSession cluster = new ShellSession(FreshetSql.open(dataDir), dataDir, () -> false, on -> { }, on -> { },
        List.of(beamJar));
    try (Connection shell = cluster.connect(); Statement statement = shell.createStatement()) {
      statement.execute("SET runner = flink");
      statement.execute("SET flinkMaster = 'localhost:1'");
      assertThatThrownBy(() -> statement.execute("INSERT INTO views " + WINDOWED))
          .hasMessageContaining("a Flink cluster's TaskManagers reach streams through a server, but table views has "
              + "the endpoint " + StreamClients.endpointOf(dataDir));

      statement.execute("SET endpoint = 'http://127.0.0.1:1'");
      statement.execute("CREATE EXTERNAL TABLE folder_clicks (page VARCHAR, event_time TIMESTAMP) TYPE kinesis "
          + "LOCATION 'clicks' TBLPROPERTIES '{\"timestampField\": \"event_time\", \"endpoint\": \""
          + StreamClients.endpointOf(dataDir) + "\"}'");
      assertThatThrownBy(() -> statement.execute("INSERT INTO views " + WINDOWED.replace("FROM clicks", "FROM folder_clicks")))
          .hasMessageContaining("but table folder_clicks has the endpoint " + StreamClients.endpointOf(dataDir)
              + " (its endpoint property)");
    } finally {
      cluster.close();
    }
  }

  private static List<String> showJobs(String jobId) {
    try (Statement statement = connection.createStatement()) {
      assertThat(statement.execute("SHOW JOBS")).isTrue();
      ResultSet jobs = statement.getResultSet();
      while (jobs.next()) {
        if (jobs.getString("id").equals(jobId)) {
          assertThat(jobs.getString("statement")).matches("INSERT INTO (flink_)?views SELECT page.*");
          return List.of(jobId, jobs.getString("state"), jobs.getString("records_out"));
        }
      }
      return List.of();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int countRecords(String stream) {
    String iterator = store.client().getShardIterator(stream, "shardId-000000000000",
        dev.freshet.sdk.stream.StartingPosition.trimHorizon());
    return store.client().getRecords(iterator, 1000).records().size();
  }

  private static List<String> directRunnerThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("direct-runner-worker")).toList();
  }

  private static void await(BooleanSupplier condition, Object what) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + AWAIT + ": " + what);
      }
      Thread.sleep(100);
    }
  }
}
