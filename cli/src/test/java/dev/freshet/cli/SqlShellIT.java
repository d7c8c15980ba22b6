package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * (failsafe runs after {@code package}), the test types a statement and {@code !tables} and reads
 * the screen. Needs tmux (see .ci/run); without it the test fails.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SqlShellIT {
  private static final Duration SCREEN_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dataDir;
  private final String session = "freshet-sql-it-" + ProcessHandle.current().pid();

  @Test
  void typingAStatementAndTablesShowsTheTableOnTheScreen() throws Exception {
    Path jar = Path.of("target/freshet-cli.jar").toAbsolutePath();
    assertThat(jar).as("the cli jar, built by package").exists();
    assertThat(new Cli(dataDir).run("streams", "create", "meters").exitCode()).isZero();

    tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "50",
        "java -jar " + jar + " sql --data-dir " + dataDir);
    try {
      awaitScreen(screen -> screen.contains("freshet>"));
      type("CREATE EXTERNAL TABLE meters (meter VARCHAR, kwh DOUBLE) TYPE kinesis LOCATION 'meters';");
      awaitScreen(screen -> screen.contains("No rows affected"));
      type("!tables");
      String screen = awaitScreen(s -> s.lines().anyMatch(line -> line.contains("| beam") && line.contains("| meters")));
      assertThat(screen).contains("TABLE_NAME");
      type("!quit");
    } finally {
      tmux("kill-session", "-t", session);
    }
    assertThat(dataDir.resolve("sql/catalog/meters.json")).exists();
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
