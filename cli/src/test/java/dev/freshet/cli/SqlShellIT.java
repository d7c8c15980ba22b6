package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell in a pseudo-terminal: tmux runs the packaged {@code freshet-cli.jar}
 * (failsafe runs after {@code package}), the test types statements as a person would and reads the
 * screen. One shell session for all the checks: tables, a windowed SELECT over a followed stream
 * that prints rows and is stopped with Ctrl-C (the prompt comes back and the next statement
 * works), INSERT INTO as a background job with SHOW JOBS and STOP JOB, a parse error as one
 * line, and a {@code GROUP BY CUMULATE(...)} over a snapshot table, which Beam's driver runs. Needs tmux (see .ci/run); without it the test fails.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SqlShellIT {
  private static final Duration SCREEN_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dataDir;
  private final String session = "freshet-sql-it-" + ProcessHandle.current().pid();

  @Test
  void aPersonTypesStatementsAndReadsTheScreen() throws Exception {
    Path jar = Path.of("target/freshet-cli.jar").toAbsolutePath();
    assertThat(jar).as("the cli jar, built by package").exists();
    Cli cli = new Cli(dataDir);
    assertThat(cli.run("streams", "create", "meters").exitCode()).isZero();
    assertThat(cli.run("streams", "create", "clicks").exitCode()).isZero();
    assertThat(cli.run("streams", "create", "views").exitCode()).isZero();
    Path clicks = dataDir.resolveSibling(dataDir.getFileName() + "-clicks.json");
    Files.write(clicks, List.of(
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:10Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:00:20Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:00:30Z\"}",
        "{\"page\": \"home\", \"event_time\": \"2026-01-01T10:01:10Z\"}",
        "{\"page\": \"cart\", \"event_time\": \"2026-01-01T10:02:30Z\"}"));
    Cli.Result put = cli.run("put", "clicks", "--key-field", "page", "--file", clicks);
    assertThat(put.exitCode()).as(put.err()).isZero();

    tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "50",
        "java -jar " + jar + " sql --data-dir " + dataDir);
    try {
      awaitScreen(screen -> screen.contains("freshet>"));
      type("CREATE EXTERNAL TABLE meters (meter VARCHAR, kwh DOUBLE) TYPE kinesis LOCATION 'meters';");
      awaitScreen(screen -> screen.contains("No rows affected"));
      type("!tables");
      String screen = awaitScreen(s -> s.lines().anyMatch(line -> line.contains("| beam") && line.contains("| meters")));
      assertThat(screen).contains("TABLE_NAME");

      type("CREATE EXTERNAL TABLE clicks (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks' "
          + "TBLPROPERTIES '{\"timestampField\": \"event_time\", \"startingPosition\": \"trim_horizon\"}';");
      type("CREATE EXTERNAL TABLE views (page VARCHAR, window_start TIMESTAMP, views BIGINT) TYPE kinesis "
          + "LOCATION 'views';");
      awaitScreen(s -> s.split("No rows affected", -1).length == 4);

      // A windowed SELECT over the followed stream: the closed windows' rows show while it runs
      // (cart's 10:02 window closes too once the shard is idle, maybe before the screen is read).
      String windowed = "SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, COUNT(*) AS views "
          + "FROM clicks GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE)";
      type(windowed + ";");
      awaitScreen(s -> s.contains("| home ") && s.contains("2026-01-01 10:00:00 ")
          && s.contains("2026-01-01 10:01:00 ") && s.lines().anyMatch(l -> l.contains("| cart ")));
      assertThat(lastLine(screen())).as("the query still runs").doesNotContain("freshet>");
      tmux("send-keys", "-t", session, "C-c");
      awaitScreen(s -> s.contains("rows selected") && lastLine(s).equals("0: freshet>"));

      // The shell goes on: INSERT INTO starts a job in the background and returns its id.
      type("INSERT INTO views " + windowed + ";");
      awaitScreen(s -> s.contains("| job-1 ") && lastLine(s).equals("0: freshet>"));
      type("SHOW JOBS;");
      awaitScreen(s -> s.lines().anyMatch(l -> l.contains("| job-1 ") && l.contains("| RUNNING ")
          && l.contains("INSERT INTO views SELECT page")));
      type("STOP JOB job-1;");
      awaitScreen(s -> s.lines().anyMatch(l -> l.contains("| job-1 ") && l.contains("| CANCELLED ")));

      type("SELECT page FROMM clicks;");
      String errorScreen = awaitScreen(s -> s.contains("Error: parse error at line 1, column 19: Encountered \"clicks\""));
      assertThat(errorScreen.substring(errorScreen.lastIndexOf("FROMM clicks")))
          .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("Was expecting");
      // CUMULATE over a snapshot table, which Beam's driver runs with Freshet's rules installed.
      type("CREATE EXTERNAL TABLE history (page VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'clicks' "
          + "TBLPROPERTIES '{\"timestampField\": \"event_time\", \"read\": \"snapshot\"}';");
      type("SELECT page, CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) AS window_end, COUNT(*) AS views "
          + "FROM history GROUP BY page, CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE);");
      String cumulated = awaitScreen(s -> s.contains("6 rows selected") && lastLine(s).equals("0: freshet>"));
      assertThat(cumulated.lines().filter(l -> l.strip().matches("\\| (home|cart) .*\\| 2026-01-01 10:0[1-4]:00.0 .*")).toList())
          .as(cumulated).hasSize(6)
          .anyMatch(l -> l.strip().matches("\\| home .*\\| 2026-01-01 10:02:00.0 +\\| 3 +\\|"))
          .anyMatch(l -> l.strip().matches("\\| cart .*\\| 2026-01-01 10:04:00.0 +\\| 1 +\\|"));
      type("!quit");
    } finally {
      tmux("kill-session", "-t", session);
    }
    assertThat(dataDir.resolve("sql/catalog/meters.json")).exists();
  }

  private String screen() throws IOException, InterruptedException {
    return tmux("capture-pane", "-p", "-t", session);
  }

  private static String lastLine(String screen) {
    List<String> lines = screen.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private void type(String line) throws IOException, InterruptedException {
    // tmux reads an argument's trailing ';' as the end of its command; "\\;" is a literal one.
    boolean semicolon = line.endsWith(";");
    tmux("send-keys", "-t", session, "-l", semicolon ? line.substring(0, line.length() - 1) : line);
    if (semicolon) {
      tmux("send-keys", "-t", session, "\\;");
    }
    tmux("send-keys", "-t", session, "Enter");
  }

  private String awaitScreen(Predicate<String> shows) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + SCREEN_TIMEOUT.toNanos();
    String screen = "";
    while (System.nanoTime() < deadline) {
      screen = tmux("capture-pane", "-p", "-t", session);
      if (shows.test(screen)) {
        return screen;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the screen did not show what was expected within " + SCREEN_TIMEOUT + ":\n" + screen);
  }

  /** Runs tmux; a missing tmux fails the test (IOException from ProcessBuilder). */
  private static String tmux(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0 && !args[0].equals("kill-session")) {
      throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }
}
