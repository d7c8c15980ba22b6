package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsCommandTest {
  @TempDir Path dataDir;

  @Test
  void createListDescribeDelete() {
    Cli cli = new Cli(dataDir);

    Cli.Result created = cli.run("streams", "create", "orders", "--shards", "3", "--retention-hours", "48",
        "--tag", "team=web", "--tag", "tier=gold");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).contains("created orders", "provisioned", "3 open shards", "retention 48 h",
        "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
    assertThat(cli.run("streams", "create", "events", "--on-demand").exitCode()).isZero();

    Cli.Result listed = cli.run("streams", "list");
    assertThat(listed.exitCode()).isZero();
    assertThat(listed.lines()).hasSize(3);
    assertThat(listed.lines().get(1)).startsWith("events").contains("ACTIVE", "on-demand");
    assertThat(listed.lines().get(2)).startsWith("orders").contains("ACTIVE", "provisioned", "48 h");

    Cli.Result described = cli.run("streams", "describe", "orders");
    assertThat(described.exitCode()).as(described.err()).isZero();
    assertThat(described.out())
        .contains("arn:aws:kinesis:us-east-1:000000000000:stream/orders", "ACTIVE", "48 h", "NONE",
            "team=web, tier=gold", "SHARD", "HASH KEYS", "SEQUENCE NUMBERS")
        .contains("0..")
        .contains("..340282366920938463463374607431768211455");
    assertThat(described.lines().stream().filter(line -> line.contains(" open ")).count()).isEqualTo(3);

    Cli.Result deleted = cli.run("streams", "delete", "orders");
    assertThat(deleted.exitCode()).isZero();
    assertThat(deleted.out()).contains("deleted orders");
    assertThat(cli.run("streams", "list").out()).doesNotContain("orders");
  }

  @Test
  void storeErrorsAreOneLineWithTheServiceErrorName() {
    Cli cli = new Cli(dataDir);
    Cli.Result missing = cli.run("streams", "describe", "nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).startsWith("error: ResourceNotFoundException: ").doesNotContain("\tat ");
    assertThat(missing.err().strip().lines()).hasSize(1);

    assertThat(cli.run("streams", "create", "twice").exitCode()).isZero();
    Cli.Result again = cli.run("streams", "create", "twice");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).startsWith("error: ResourceInUseException: ");

    assertThat(cli.run("streams", "delete", "nope").err()).startsWith("error: ResourceNotFoundException: ");
  }

  @Test
  void usageErrorsExitWithTwo() {
    Cli cli = new Cli(dataDir);
    assertThat(cli.run("streams", "create", "s", "--shards", "0").exitCode()).isEqualTo(2);
    assertThat(cli.run("streams", "create", "s", "--retention-hours", "10").err()).contains("--retention-hours must be between 24 and 8760, but was: 10");
    assertThat(cli.run("streams", "create", "s", "--shards", "2", "--on-demand").exitCode()).isEqualTo(2);
    assertThat(cli.run("streams", "frobnicate").exitCode()).isEqualTo(2);
    assertThat(cli.run("streams", "list", "--throttling", "sometimes").exitCode()).isEqualTo(2);
    assertThat(cli.run("streams", "list").out()).contains("no streams in");
  }

  @Test
  void storeOptionsWorkBeforeTheSubcommandToo() {
    StringWriter out = new StringWriter();
    int exitCode = Freshet.commandLine().setOut(new PrintWriter(out, true))
        .execute("--data-dir", dataDir.toString(), "--durability", "fsync", "streams", "create", "early");
    assertThat(exitCode).isZero();
    assertThat(new Cli(dataDir).run("streams", "list", "--durability", "fsync").out()).contains("early");
  }
}
