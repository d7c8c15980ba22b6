package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshet sql} as a person uses it: a stream with records put by {@code freshet put}, a
 * script run with {@code -f} and csv output, the catalog across two runs, and one-line errors.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SqlCommandTest {
  private static final String CREATE_METERS = "CREATE EXTERNAL TABLE meters (meter VARCHAR, kwh DOUBLE)\n"
      + "  TYPE kinesis LOCATION 'meters'\n"
      + "  TBLPROPERTIES '{\"read\": \"snapshot\"}';\n";

  @TempDir Path dataDir;
  @TempDir Path files;
  private Cli cli;

  @BeforeEach
  void streamWithRecords() throws IOException {
    cli = new Cli(dataDir);
    assertThat(cli.run("streams", "create", "meters", "--shards", "2").exitCode()).isZero();
    Cli.Result put = cli.run("put", "meters", "--key-field", "meter", "--file", file("records.json",
        "{\"meter\": \"m1\", \"kwh\": 1.5}",
        "{\"meter\": \"m2\", \"kwh\": 2.0}",
        "{\"meter\": \"m1\", \"kwh\": 3.0}",
        "{\"meter\": \"m3\", \"kwh\": 0.25}"));
    assertThat(put.exitCode()).as(put.err()).isZero();
  }

  private Path file(String name, String... lines) throws IOException {
    Path file = files.resolve(name);
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  /** The lines of the output that are rows (or the header) of csv output. */
  private static List<String> csvRows(Cli.Result result) {
    return result.lines().stream().filter(line -> line.startsWith("'")).toList();
  }

  @Test
  void scriptWithCsvOutputPrintsTheRowsOfAGroupBy() throws IOException {
    Path script = file("report.sql",
        CREATE_METERS,
        "SELECT meter, SUM(kwh) AS total, COUNT(*) AS readings",
        "FROM meters",
        "GROUP BY meter",
        "ORDER BY meter",
        "LIMIT 10;");

    Cli.Result result = cli.run("sql", "-f", script, "--outputformat", "csv");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(csvRows(result)).containsExactly(
        "'meter','total','readings'",
        "'m1','4.5','2'",
        "'m2','2.0','1'",
        "'m3','0.25','1'");
    assertThat(dataDir.resolve("sql/catalog/meters.json")).exists();
  }

  @Test
  void aScriptWithOutputformatCsvPrintsTheClosedWindowsOfAFollowedStreamUpToItsLimit() throws IOException {
    assertThat(cli.run("streams", "create", "clicks").exitCode()).isZero();
    Cli.Result put = cli.run("put", "clicks", "--key-field", "page", "--file", file("clicks.json",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:10Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:20Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:00:30Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:01:10Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:02:30Z\"}"));
    assertThat(put.exitCode()).as(put.err()).isZero();
    Path script = file("windows.sql",
        "!outputformat csv",
        "CREATE EXTERNAL TABLE clicks (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks'",
        "  TBLPROPERTIES '{\"timestampField\": \"event_time\", \"startingPosition\": \"trim_horizon\"}';",
        "SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, COUNT(*) AS views",
        "FROM clicks GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE)",
        "LIMIT 3;");

    // The stream is followed: the query ends at its LIMIT, with the three windows that closed.
    Cli.Result result = cli.run("sql", "-f", script);

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> rows = csvRows(result);
    assertThat(rows).first().isEqualTo("'page','window_start','views'");
    assertThat(rows.subList(1, rows.size())).containsExactlyInAnyOrder(
        "'home','2026-01-01 10:00:00','2'",
        "'cart','2026-01-01 10:00:00','1'",
        "'home','2026-01-01 10:01:00','1'");
  }

  /**
   * CUMULATE and Top-N per window in a {@code -f} script: over a snapshot table (run by Beam's JDBC
   * driver, with Freshet's rules installed in it) and over a followed table (run by the shell),
   * with the same rows as through {@code FreshetSql}. Fails when the shell's JDBC path plans
   * {@code GROUP BY CUMULATE(...)} without Freshet's rules ("CUMULATE ... is a window").
   */
  @Test
  void aScriptWithCsvOutputPrintsCumulateWindowsAndTheTopPageOfEachMinute() throws IOException {
    assertThat(cli.run("streams", "create", "clicks").exitCode()).isZero();
    Cli.Result put = cli.run("put", "clicks", "--key-field", "page", "--file", file("clicks.json",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:10Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:20Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:00:30Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:01:10Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:02:30Z\"}"));
    assertThat(put.exitCode()).as(put.err()).isZero();
    String cumulate = "SELECT page, CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) AS window_end, "
        + "COUNT(*) AS views FROM %s GROUP BY page, CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)";
    Path script = file("cumulate.sql",
        "!outputformat csv",
        "CREATE EXTERNAL TABLE history (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks'",
        "  TBLPROPERTIES '{\"timestampField\": \"event_time\", \"read\": \"snapshot\"}';",
        "CREATE EXTERNAL TABLE live (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks'",
        "  TBLPROPERTIES '{\"timestampField\": \"event_time\", \"startingPosition\": \"trim_horizon\"}';",
        String.format(cumulate, "history") + ";",
        "SELECT window_start, page, views FROM (SELECT page, window_start, views,",
        "  ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC) AS rn FROM (",
        "  SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, COUNT(*) AS views",
        "  FROM history GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE))) WHERE rn <= 1;",
        String.format(cumulate, "live"),
        "LIMIT 6;");

    Cli.Result result = cli.run("sql", "-f", script);

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    List<String> rows = csvRows(result);
    String[] cumulated = {
        "'home','2026-01-01 10:01:00','2'", "'home','2026-01-01 10:02:00','3'",
        "'cart','2026-01-01 10:01:00','1'", "'cart','2026-01-01 10:02:00','1'",
        "'cart','2026-01-01 10:03:00','1'", "'cart','2026-01-01 10:04:00','1'"};
    // Beam's driver hands sqlline a TIMESTAMP as java.sql.Timestamp, printed with a fraction.
    String[] cumulatedByBeamsDriver = Arrays.stream(cumulated).map(row -> row.replaceAll(":00'", ":00.0'"))
        .toArray(String[]::new);
    assertThat(rows).as(result.out() + result.err()).hasSize(3 + 6 + 3 + 6);
    assertThat(rows.get(0)).isEqualTo("'page','window_end','views'");
    assertThat(rows.subList(1, 7)).as("CUMULATE over the snapshot table")
        .containsExactlyInAnyOrder(cumulatedByBeamsDriver);
    assertThat(rows.get(7)).isEqualTo("'window_start','page','views'");
    assertThat(rows.subList(8, 11)).as("the top page of each minute").containsExactlyInAnyOrder(
        "'2026-01-01 10:00:00.0','home','2'", "'2026-01-01 10:01:00.0','home','1'",
        "'2026-01-01 10:02:00.0','cart','1'");
    assertThat(rows.get(11)).isEqualTo("'page','window_end','views'");
    assertThat(rows.subList(12, 18)).as("CUMULATE over the followed table").containsExactlyInAnyOrder(cumulated);
  }

  @Test
  void tablesCreatedInOneRunAreThereInTheNext() {
    Cli.Result first = cli.run("sql", "-e", CREATE_METERS);
    assertThat(first.exitCode()).as(first.err()).isZero();

    Cli.Result tables = cli.run("sql", "-e", "!tables", "--outputformat", "csv");
    assertThat(tables.exitCode()).as(tables.err()).isZero();
    assertThat(tables.out()).contains("'beam','meters','TABLE'");

    Cli.Result count = cli.run("sql", "-e", "SELECT COUNT(*) AS n FROM meters;", "--outputformat", "csv");
    assertThat(count.exitCode()).as(count.err()).isZero();
    assertThat(csvRows(count)).containsExactly("'n'", "'4'");
  }

  @Test
  void aStatementThatDoesNotParseIsOneLineNamingLineAndColumn() {
    Cli.Result result = cli.run("sql", "-e", CREATE_METERS + "SELECT meter\nFROMM meters;");

    assertThat(result.exitCode()).isEqualTo(1);
    List<String> errors = result.err().lines().filter(line -> line.startsWith("Error:")).toList();
    assertThat(errors).containsExactly("Error: parse error at line 2, column 7: Encountered \"meters\"");
    assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Was expecting");
  }

  @Test
  void anUnknownColumnIsOneLineNamingLineAndColumn() {
    Cli.Result result = cli.run("sql", "-e", CREATE_METERS + "SELECT metre FROM meters;");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("Error: error at line 1, column 8: Column 'metre' not found in any table")
        .doesNotContain("\tat ");
  }

  @Test
  void setShowsTheSettingsAndChangesThem() {
    Cli.Result result = cli.run("sql", "-e",
        "SET runner = flink; SET endpoint = 'http://localhost:4567'; SET parallelism = 3; SET;",
        "--outputformat", "csv");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(csvRows(result)).contains(
        "'setting','value'",
        "'runner','FlinkRunner'",
        "'endpoint','http://localhost:4567'",
        "'verbose','false'",
        "'parallelism','3'");
  }

  @Test
  void theStoreOptionsReachTheStoreTheShellReads() throws IOException {
    // An encrypted stream whose keys live outside the data folder: only a store opened with
    // --key-store can read it.
    Path keys = files.resolve("keys.json");
    Cli.Result created = cli.run("--key-store", keys, "--durability", "fsync", "streams", "create", "secret");
    assertThat(created.exitCode()).as(created.err()).isZero();
    picocli.CommandLine commandLine = Freshet.commandLine();
    commandLine.parseArgs("--key-store", keys.toString(), "--data-dir", dataDir.toString(), "streams", "list");
    Freshet root = commandLine.getCommand();
    try (var store = root.openStore()) {
      store.startStreamEncryption("secret", "alias/aws/kinesis");
    }
    Cli.Result put = cli.run("--key-store", keys, "put", "secret", "--key-field", "meter", "--file",
        file("secret.json", "{\"meter\": \"m1\", \"kwh\": 1.5}", "{\"meter\": \"m2\", \"kwh\": 2.5}"));
    assertThat(put.exitCode()).as(put.err()).isZero();

    Cli.Result result = cli.run("--key-store", keys, "--durability", "fsync", "sql", "--outputformat", "csv", "-e",
        "CREATE EXTERNAL TABLE secret (meter VARCHAR, kwh DOUBLE) TYPE kinesis LOCATION 'secret' "
            + "TBLPROPERTIES '{\"read\": \"snapshot\"}'; SELECT SUM(kwh) AS total FROM secret;");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(csvRows(result)).containsExactly("'total'", "'4.0'");
    assertThat(dataDir.resolve("keys").resolve("keystore.json")).doesNotExist();
  }

  @Test
  void aBadRunnerIsRefused() {
    Cli.Result result = cli.run("sql", "-e", "SET runner = spark;");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("Error: runner must be direct or flink, but was: spark");
  }
}
