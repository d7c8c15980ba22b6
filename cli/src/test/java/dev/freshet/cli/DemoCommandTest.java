package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  private static final Pattern WROTE = Pattern.compile("wrote ([\\d,]+) click events");
  private static final Pattern SHARD = Pattern.compile("^\\s+(shardId\\S+)\\s+([\\d,]+)$", Pattern.MULTILINE);
  private static final Pattern TOTAL = Pattern.compile("^\\s+total\\s+([\\d,]+)$", Pattern.MULTILINE);

  @TempDir Path dataDir;

  private static long number(String grouped) {
    return Long.parseLong(grouped.replace(",", ""));
  }

  private long[] run(Cli cli) {
    Cli.Result result = cli.run("demo", "--seconds", "2", "--rate", "5000");
    assertThat(result.exitCode()).as(result.err()).isZero();
    Matcher wrote = WROTE.matcher(result.out());
    assertThat(wrote.find()).as(result.out()).isTrue();
    long sum = 0;
    int shards = 0;
    Matcher shard = SHARD.matcher(result.out());
    while (shard.find()) {
      sum += number(shard.group(2));
      shards++;
    }
    Matcher total = TOTAL.matcher(result.out());
    assertThat(total.find()).isTrue();
    assertThat(result.out()).contains("records/s", "MB/s", "data folder: " + dataDir.toAbsolutePath().normalize());
    return new long[] {number(wrote.group(1)), sum, number(total.group(1)), shards};
  }

  @Test
  void perShardCountsAddUpToWhatWasProduced() {
    Cli cli = new Cli(dataDir);
    long[] first = run(cli);
    assertThat(first[0]).isGreaterThan(0);
    assertThat(first[1]).isEqualTo(first[0]);
    assertThat(first[2]).isEqualTo(first[0]);
    assertThat(first[3]).isEqualTo(4);

    // A second run reuses the stream and counts only its own events.
    long[] second = run(cli);
    assertThat(second[1]).isEqualTo(second[0]);
    assertThat(cli.run("streams", "list").out()).contains("clickstream");
  }
}
