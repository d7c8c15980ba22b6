package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code sh} block of {@code docs/getting-started.md}, in order, against the packaged
 * distribution, so that the page cannot drift from the CLI.
 *
 * <p>Each block is one {@code bash} script ({@code set -euo pipefail}) run in one temporary folder
 * shared by all blocks, so a block sees the streams and files the blocks before it made. In that
 * folder {@code ./freshet} is a shim that runs {@code java -jar target/freshet-cli.jar} with this
 * JVM's {@code java}: the repository's {@code ./freshet} launcher rebuilds the distribution when a
 * source is newer than its stamp, which a test running inside {@code mvn verify} must not trigger.
 * Failsafe runs after {@code package}, so the jar and its {@code lib/} exist.
 *
 * <p>A command exiting non-zero fails the test with the block, the failing command (bash's ERR
 * trap) and everything the block printed. Background jobs a block leaves behind (a server it did
 * not stop) are killed when it exits. A block preceded by {@code <!-- not run: reason -->} is
 * skipped; there may be at most {@link #MAX_SKIPPED} of them and each must give a reason.
 */
class GettingStartedDocsIT {
  private static final Path PAGE = Path.of("..", "docs", "getting-started.md");
  private static final Path JAR = Path.of("target", "freshet-cli.jar");
  private static final int MAX_SKIPPED = 2;
  private static final long BLOCK_TIMEOUT_SECONDS = 180;
  private static final String FAILED = "docs-test: command failed: ";

  /** An {@code sh} block: its first line in the page, its text, and why it is not run (or null). */
  record Block(int line, String text, String notRun) {}

  /** The blocks of a Markdown page fenced by {@code ```sh}, with their not-run markers. */
  static List<Block> shBlocks(List<String> lines) {
    Pattern marker = Pattern.compile("^<!--\\s*not run:(.*)-->\\s*$");
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String fence = lines.get(i).strip();
      if (!fence.startsWith("```")) {
        continue;
      }
      int start = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      if (!fence.equals("```sh")) {
        continue;
      }
      String notRun = null;
      if (start > 0) {
        Matcher m = marker.matcher(lines.get(start - 1).strip());
        if (m.matches()) {
          notRun = m.group(1).strip();
        }
      }
      blocks.add(new Block(start + 1, text.toString(), notRun));
    }
    return blocks;
  }

  @TempDir Path work;

  @Test
  void everyShBlockOfGettingStartedRuns() throws Exception {
    assertThat(JAR).as("the distribution (run after package)").isRegularFile();
    List<Block> blocks = shBlocks(Files.readAllLines(PAGE, StandardCharsets.UTF_8));
    assertThat(blocks).as("sh blocks of " + PAGE).hasSizeGreaterThanOrEqualTo(5);
    List<Block> skipped = blocks.stream().filter(b -> b.notRun() != null).toList();
    assertThat(skipped).as("blocks marked <!-- not run: reason -->").hasSizeLessThanOrEqualTo(MAX_SKIPPED)
        .allSatisfy(b -> assertThat(b.notRun()).as("reason of the block at line " + b.line()).isNotBlank());

    writeShim();
    for (Block block : blocks) {
      if (block.notRun() == null) {
        run(block);
      }
    }
  }

  @Test
  void findsBlocksAndMarkers() {
    List<Block> blocks = shBlocks(List.of(
        "text", "```sh", "echo a", "```", "<!-- not run: too slow -->", "```sh", "sleep 1d", "```",
        "```java", "int x;", "```", "```", "plain", "```"));
    assertThat(blocks).containsExactly(new Block(2, "echo a\n", null), new Block(6, "sleep 1d\n", "too slow"));
  }

  private void writeShim() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path shim = work.resolve("freshet");
    Files.writeString(shim, "#!/usr/bin/env bash\n"
        + "# The docs test's freshet: the packaged distribution under test, never rebuilt.\n"
        + "exec '" + java + "' ${JAVA_OPTS:-} -jar '" + JAR.toAbsolutePath() + "' \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void run(Block block) throws Exception {
    Path script = work.resolve(".block-" + block.line() + ".sh");
    Files.writeString(script, "set -euo pipefail\n"
        + "trap 'echo \"" + FAILED + "$BASH_COMMAND\" >&2' ERR\n"
        + "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
        + block.text());
    Path output = work.resolve(".block-" + block.line() + ".out");
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    long start = System.nanoTime();
    Process process = builder.start();
    boolean ended = process.waitFor(BLOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    System.out.printf("sh block at line %d: %.1f s%n", block.line(), (System.nanoTime() - start) / 1e9);
    if (!ended) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    String failedCommand = printed.lines().filter(l -> l.startsWith(FAILED))
        .map(l -> l.substring(FAILED.length())).reduce((a, b) -> b).orElse("(see the output)");
    assertThat(ended ? process.exitValue() : -1)
        .as("the sh block at line %d of %s %s%nblock:%n%s%nfailed command: %s%noutput:%n%s",
            block.line(), PAGE, ended ? "failed" : "did not end within " + BLOCK_TIMEOUT_SECONDS + " s",
            block.text(), failedCommand, printed)
        .isZero();
  }
}
