package dev.freshet.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sql.shell.JobJournal;
import dev.freshet.sql.shell.ShellJobs;
import dev.freshet.sql.workspace.SqlWorkspace;
import dev.freshet.sql.workspace.SqlWorkspace.Column;
import dev.freshet.sql.workspace.SqlWorkspace.JobInfo;
import dev.freshet.sql.workspace.SqlWorkspace.QueryResult;
import dev.freshet.sql.workspace.SqlWorkspace.TableInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SqlWorkspace} (the SQL side of the server's console) over the real embedded store, registered
 * as a server registers its open store, with the Direct runner: the catalog's tables, snapshot
 * queries with exact rows, errors with line and column, refusals, and an {@code INSERT INTO} job
 * followed from RUNNING to CANCELLED.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SqlWorkspaceIT {
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static SqlTesting store;
  static SqlWorkspace workspace;

  @BeforeAll
  static void open() {
    store = SqlTesting.open(dir);
    FreshetSql sql = FreshetSql.open(dir);
    store.createStream("orders", 2);
    sql.execute("CREATE EXTERNAL TABLE orders (order_id VARCHAR, amount DOUBLE, qty BIGINT, placed TIMESTAMP) "
        + "TYPE kinesis LOCATION 'orders' TBLPROPERTIES '{\"timestampField\": \"placed\", \"watermarkDelay\": \"5s\"}'");
    store.put("orders", List.of(
        new String[] {"a", "{\"order_id\":\"o1\",\"amount\":9.5,\"qty\":1,\"placed\":\"2026-01-01T10:00:00Z\"}"},
        new String[] {"b", "{\"order_id\":\"o2\",\"amount\":20.0,\"qty\":2,\"placed\":\"2026-01-01T10:01:00Z\"}"},
        new String[] {"c", "{\"order_id\":\"o3\",\"amount\":4.25,\"qty\":3,\"placed\":\"2026-01-01T10:02:30Z\"}"}));
    workspace = SqlWorkspace.open(dir, store.endpoint);
  }

  @AfterAll
  static void close() {
    if (workspace != null) {
      workspace.close();
    }
    store.close();
  }

  @Test
  void listsTheCatalogsTablesWithColumnsAndPropertiesIncludingOnesCreatedLater() {
    TableInfo orders = table("orders");
    assertThat(orders.type()).isEqualTo("kinesis");
    assertThat(orders.location()).isEqualTo("orders");
    assertThat(orders.columns()).containsExactly(new Column("order_id", "VARCHAR"), new Column("amount", "DOUBLE"),
        new Column("qty", "BIGINT"), new Column("placed", "TIMESTAMP"));
    assertThat(orders.properties()).isEqualTo(Map.of("timestampField", "placed", "watermarkDelay", "5s"));

    // A table another FreshetSql (a shell) creates after the workspace opened is listed too.
    FreshetSql.open(dir).execute("CREATE EXTERNAL TABLE refunds (order_id VARCHAR, tags ARRAY<VARCHAR>) "
        + "TYPE kinesis LOCATION 'refunds-stream' TBLPROPERTIES '{\"format\": \"json\"}'");
    TableInfo refunds = table("refunds");
    assertThat(refunds.location()).isEqualTo("refunds-stream");
    assertThat(refunds.columns()).containsExactly(new Column("order_id", "VARCHAR"), new Column("tags", "ARRAY<VARCHAR>"));
  }

  @Test
  void snapshotQueryOverAFollowedTableReturnsTheRowsTheStreamHoldsNow() {
    QueryResult rows = workspace.query("SELECT order_id, amount, qty, placed FROM orders WHERE qty >= 2", 100,
        QUERY_TIMEOUT);
    assertThat(rows.columns()).containsExactly(new Column("order_id", "VARCHAR"), new Column("amount", "DOUBLE"),
        new Column("qty", "BIGINT"), new Column("placed", "TIMESTAMP"));
    assertThat(rows.rows()).containsExactlyInAnyOrder(
        List.of("o2", 20.0, 2L, "2026-01-01T10:01:00.000Z"),
        List.of("o3", 4.25, 3L, "2026-01-01T10:02:30.000Z"));
    assertThat(rows.truncated()).isFalse();

    // An aggregate without a window: only a bounded (snapshot) read allows it.
    QueryResult totals = workspace.query("SELECT COUNT(*) AS n, SUM(qty) AS items FROM orders;", 100, QUERY_TIMEOUT);
    assertThat(totals.columns()).extracting(Column::name).containsExactly("n", "items");
    assertThat(totals.rows()).containsExactly(List.of(3L, 6L));
  }

  @Test
  void moreRowsThanMaxRowsAreCutAndMarkedTruncated() {
    QueryResult rows = workspace.query("SELECT order_id FROM orders", 2, QUERY_TIMEOUT);
    assertThat(rows.rows()).hasSize(2);
    assertThat(rows.truncated()).isTrue();
  }

  @Test
  void badQueriesNameLineAndColumn() {
    assertThatThrownBy(() -> workspace.query("SELECT order_id\nFROM orders\nWHERE qtty > 1", 10, QUERY_TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("error at line 3, column 7: Column 'qtty' not found in any table");
    assertThatThrownBy(() -> workspace.query("SELECT order_id\nFROMM orders", 10, QUERY_TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("parse error at line 2, column 7: Encountered \"orders\"");

    // A table type that cannot be read says so (not a timeout).
    FreshetSql.open(dir).execute("CREATE EXTERNAL TABLE archive (order_id VARCHAR) TYPE firehose LOCATION 'archive' "
        + "TBLPROPERTIES '{\"destination\": \"" + dir.resolve("lake").toUri() + "\"}'");
    assertThat(table("archive").type()).isEqualTo("firehose");
    assertThatThrownBy(() -> workspace.query("SELECT * FROM archive", 10, QUERY_TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("firehose table archive is a delivery sink: INSERT INTO it");
  }

  @Test
  void statementsThatAreNotQueriesAreRefusedByName() {
    assertThatThrownBy(() -> workspace.query("INSERT INTO refunds SELECT order_id, ARRAY['x'] FROM orders", 10,
        QUERY_TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("INSERT statements are not queries: run INSERT INTO ... SELECT as a job");
    assertThatThrownBy(() -> workspace.query("-- tidy up\nDROP TABLE orders", 10, QUERY_TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("DROP statements change the catalog, which the console only reads");
    assertThatThrownBy(() -> workspace.query("CREATE EXTERNAL TABLE t (a VARCHAR) TYPE kinesis LOCATION 't'", 10,
        QUERY_TIMEOUT))
        .hasMessageStartingWith("CREATE statements change the catalog");
    assertThat(table("orders")).isNotNull();
    assertThatThrownBy(() -> workspace.submit("SELECT order_id FROM orders"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SELECT statements are not jobs: a job is an INSERT INTO ... SELECT; run a SELECT as a query");
  }

  @Test
  void insertJobWritesRowsWhileRunningAndStopsCancelled() {
    store.createStream("events", 1);
    store.createStream("event-copies", 1);
    FreshetSql sql = FreshetSql.open(dir);
    sql.execute("CREATE EXTERNAL TABLE events (id VARCHAR, n BIGINT) TYPE kinesis LOCATION 'events' "
        + "TBLPROPERTIES '{\"startingPosition\": \"trim_horizon\"}'");
    sql.execute("CREATE EXTERNAL TABLE event_copies (id VARCHAR, n BIGINT) TYPE kinesis LOCATION 'event-copies'");
    store.put("events", List.of(new String[] {"k", "{\"id\":\"e1\",\"n\":1}"}, new String[] {"k", "{\"id\":\"e2\",\"n\":2}"},
        new String[] {"k", "{\"id\":\"e3\",\"n\":3}"}));

    String id = workspace.submit("INSERT INTO event_copies\nSELECT id, n * 10 AS n FROM events;");
    JobInfo first = await(() -> job(id), job -> job.rowsWritten() != null && job.rowsWritten() == 3);
    assertThat(first.state()).isEqualTo("RUNNING");
    assertThat(first.statement()).isEqualTo("INSERT INTO event_copies SELECT id, n * 10 AS n FROM events");
    assertThat(first.runner()).isEqualTo("direct");
    assertThat(first.failure()).isNull();

    // Rows put while it runs are written too: the count grows, and the rate is seen.
    store.put("events", List.of(new String[] {"k", "{\"id\":\"e4\",\"n\":4}"}, new String[] {"k", "{\"id\":\"e5\",\"n\":5}"}));
    await(() -> job(id), job -> job.rowsWritten() != null && job.rowsWritten() == 5 && job.rowsPerSecond() != null && job.rowsPerSecond() > 0);
    List<String> written = await(() -> store.records("event-copies"), records -> records.size() >= 5);
    assertThat(written).extracting(line -> line.substring(line.indexOf(' ') + 1)).containsExactly(
        "{\"id\":\"e1\",\"n\":10}", "{\"id\":\"e2\",\"n\":20}", "{\"id\":\"e3\",\"n\":30}",
        "{\"id\":\"e4\",\"n\":40}", "{\"id\":\"e5\",\"n\":50}");

    JobInfo stopped = workspace.stop(id);
    assertThat(stopped.state()).isEqualTo("CANCELLED");
    assertThat(stopped.rowsPerSecond()).isEqualTo(0.0);
    assertThat(job(id).state()).isEqualTo("CANCELLED");
    assertThatThrownBy(() -> workspace.stop("job-99")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("no job job-99; the jobs are: [");
  }

  @Test
  void jobsOfShellsAreListedFromTheirJournal() throws Exception {
    store.createStream("clicks-in", 1);
    store.createStream("clicks-out", 1);
    FreshetSql sql = FreshetSql.open(dir);
    sql.execute("CREATE EXTERNAL TABLE clicks_in (page VARCHAR) TYPE kinesis LOCATION 'clicks-in' "
        + "TBLPROPERTIES '{\"startingPosition\": \"trim_horizon\"}'");
    sql.execute("CREATE EXTERNAL TABLE clicks_out (page VARCHAR) TYPE kinesis LOCATION 'clicks-out'");
    store.put("clicks-in", List.of(new String[] {"k", "{\"page\":\"/a\"}"}, new String[] {"k", "{\"page\":\"/b\"}"}));

    // A shell's jobs, as freshet sql runs them: recorded in <data-dir>/sql/jobs.
    ShellJobs shell = new ShellJobs(JobJournal.folder(dir));
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--blockOnRun=false").create();
    String statement = "INSERT INTO clicks_out SELECT UPPER(page) AS page FROM clicks_in";
    BeamRelNode insert = sql.env(options).parseQuery(statement);
    String shellId = shell.submit(statement, insert, options, "direct");

    JobInfo running = await(() -> shellJob(shellId), job -> job != null && job.rowsWritten() != null
        && job.rowsWritten() == 2);
    assertThat(running.id()).startsWith(shellId + "@" + ProcessHandle.current().pid() + "-");
    assertThat(running.state()).isEqualTo("RUNNING");
    assertThat(running.statement()).isEqualTo(statement);
    assertThat(running.process()).isEqualTo("freshet sql (pid " + ProcessHandle.current().pid() + ")");
    assertThatThrownBy(() -> workspace.stop(running.id())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job " + running.id() + " runs in the freshet sql process " + ProcessHandle.current().pid()
            + ", which alone can stop it: STOP JOB " + shellId + " there");

    shell.close();
    assertThat(await(() -> shellJob(shellId), job -> !job.state().equals("RUNNING")).state()).isEqualTo("CANCELLED");

    // A job of a shell that is gone and did not record its end (killed): its state is not guessed.
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(JobJournal.folder(dir).resolve(gone.pid() + "-abcd-job-7.json"), "{\"session\": \""
        + gone.pid() + "-abcd\", \"id\": \"job-7\", \"statement\": \"INSERT INTO clicks_out SELECT page FROM "
        + "clicks_in\", \"runner\": \"direct\", \"started\": \"2026-01-01T10:00:00Z\", \"pid\": " + gone.pid()
        + ", \"state\": \"RUNNING\", \"recordsOut\": 12, \"updated\": \"2026-01-01T10:00:05Z\"}",
        StandardCharsets.UTF_8);
    JobInfo lost = workspace.jobs().stream().filter(j -> j.id().equals("job-7@" + gone.pid() + "-abcd"))
        .findFirst().orElseThrow();
    assertThat(lost.state()).isEqualTo("UNKNOWN");
    assertThat(lost.failure()).isEqualTo("the freshet sql process " + gone.pid()
        + " that ran it ended without recording how the job ended");
    assertThat(lost.rowsWritten()).isEqualTo(12L);
  }

  private static JobInfo shellJob(String shellId) {
    return workspace.jobs().stream().filter(j -> j.id().startsWith(shellId + "@")).findFirst().orElse(null);
  }

  private static TableInfo table(String name) {
    return workspace.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  private static JobInfo job(String id) {
    return workspace.jobs().stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
  }

  /** Polls {@code value} until {@code done} holds, for at most a minute; fails with the last value. */
  private static <T> T await(Supplier<T> value, Predicate<T> done) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    T last = value.get();
    while (!done.test(last)) {
      assertThat(System.nanoTime() - deadline).as("waiting, last seen: %s", last).isNegative();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = value.get();
    }
    return last;
  }
}
