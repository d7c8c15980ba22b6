package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end: events in, the Beam pipeline reads every one and closes its windows. */
class DemoCommandTest {
  private static final Pattern WROTE = Pattern.compile("wrote ([\\d,]+) click events");
  private static final Pattern SHARD = Pattern.compile("^\\s+(shardId\\S+)\\s+([\\d,]+)$", Pattern.MULTILINE);
  private static final Pattern READ = Pattern.compile("pipeline read ([\\d,]+) of ([\\d,]+) click events and closed (\\d+) windows");
  private static final Pattern WINDOW = Pattern.compile("\\d\\d:\\d\\d:\\d\\d–\\d\\d:\\d\\d:\\d\\d\\s+([\\d,]+) views  /");

  @TempDir Path dataDir;

  private static long number(String grouped) {
    return Long.parseLong(grouped.replace(",", ""));
  }

  /** Runs the demo; returns {written, sum of per-shard counts, read, windows, views in printed windows}. */
  private long[] run(Cli cli, String... extra) {
    String[] args = java.util.stream.Stream.concat(
        java.util.stream.Stream.of("demo", "--seconds", "3", "--rate", "1000"), java.util.Arrays.stream(extra))
        .toArray(String[]::new);
    Cli.Result result = cli.run(args);
    assertThat(result.exitCode()).as(result.err()).isZero();
    String out = result.out();
    Matcher wrote = WROTE.matcher(out);
    assertThat(wrote.find()).as(out).isTrue();
    long sum = 0;
    Matcher shard = SHARD.matcher(out);
    while (shard.find()) {
      sum += number(shard.group(2));
    }
    Matcher read = READ.matcher(out);
    assertThat(read.find()).as(out).isTrue();
    long views = 0;
    Matcher window = WINDOW.matcher(out);
    while (window.find()) {
      views += number(window.group(1));
    }
    assertThat(out).contains("records/s", "data folder: " + dataDir.toAbsolutePath().normalize());
    return new long[] {number(wrote.group(1)), sum, number(read.group(1)), Long.parseLong(read.group(3)), views};
  }

  @Test
  void thePipelineReadsEveryEventAndEveryWindowCloses() {
    Cli cli = new Cli(dataDir);
    long[] first = run(cli);
    assertThat(first[0]).isGreaterThan(0);
    assertThat(first[1]).as("per-shard counts").isEqualTo(first[0]);
    assertThat(first[2]).as("read by the pipeline").isEqualTo(first[0]);
    assertThat(first[3]).as("windows").isPositive();
    assertThat(first[4]).as("views in the printed windows").isEqualTo(first[0]);

    // A second run reuses the stream and its pipeline counts only the new events.
    long[] second = run(cli);
    assertThat(second[2]).isEqualTo(second[0]);
    assertThat(second[4]).isEqualTo(second[0]);
    assertThat(cli.run("streams", "list").out()).contains("clickstream");
  }

  @Test
  void runsTheSamePipelineOnEmbeddedFlink() {
    Cli cli = new Cli(dataDir);
    long[] flink = run(cli, "--runner", "flink");
    assertThat(flink[0]).isGreaterThan(0);
    assertThat(flink[1]).as("per-shard counts").isEqualTo(flink[0]);
    assertThat(flink[2]).as("read by the pipeline").isEqualTo(flink[0]);
    assertThat(flink[3]).as("windows").isPositive();
    assertThat(flink[4]).as("views in the printed windows").isEqualTo(flink[0]);
  }

  @Test
  void refusesAnUnknownRunner() {
    Cli.Result result = new Cli(dataDir).run("demo", "--runner", "spark");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.err()).contains("--runner", "spark", "direct", "flink");
  }
}
