package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.examples.Examples;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code freshet run}: its flags, its errors, and a relay on the Direct runner over the embedded store. */
class RunCommandTest {
  @TempDir Path dataDir;

  @Test
  void pipelineFlagsAreHandedToBeamInItsForm() {
    assertThat(RunCommand.beamArgs(List.of(
            "--runner", "flink", "--flinkMaster=localhost:8081", "--streaming", "--parallelism", "2")))
        .containsExactly("--runner=flink", "--flinkMaster=localhost:8081", "--streaming", "--parallelism=2");
    assertThat(RunCommand.beamArgs(List.of("--streaming"))).containsExactly("--streaming");
    assertThatThrownBy(() -> RunCommand.beamArgs(List.of("relay-too")))
        .hasMessage("expected a --flag, but got: relay-too");
  }

  @Test
  void anUnknownExampleIsAUsageErrorListingTheExamples() {
    Cli.Result result = new Cli(dataDir).run("run", "top-posts");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("unknown example 'top-posts'; the examples are: top-pages, clickstream-sql, click-archive, "
            + "iot-sensors, log-delivery, fraud-alerts, camera-motion, relay, windowed-count");
  }

  @Test
  void withoutAnExampleOrWithListItListsEveryExampleWithItsDescription() {
    Cli cli = new Cli(dataDir);
    for (Cli.Result result : List.of(cli.run("run"), cli.run("run", "--list"))) {
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.lines()).hasSize(1 + Examples.all().size());
      for (Examples.Example example : Examples.all()) {
        assertThat(result.lines()).anySatisfy(line ->
            assertThat(line).matches("  " + example.name() + " +" + java.util.regex.Pattern.quote(example.description())));
      }
    }
    Cli.Result help = cli.run("run", "--help");
    // The EXAMPLE parameter names every example (picocli wraps the line).
    assertThat(help.out().replaceAll("\\s+", " ")).contains("The example to run: " + Examples.names() + ".");
  }

  @Test
  void detachedWithoutAClusterIsRefusedBeforeTheExamplePrepares() {
    Cli.Result result = new Cli(dataDir).run("run", "log-delivery", "--detached");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--detached needs a cluster");
  }

  @Test
  void anExampleThatCannotReachItsServerIsAOneLineError() {
    Cli.Result result = new Cli(dataDir).run("run", "log-delivery", "--endpoint", "http://127.0.0.1:1",
        "--workDir", dataDir.resolve("work"));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: log-delivery: cannot create delivery stream access-logs through the "
        + "Firehose API at http://127.0.0.1:1 (is freshet server running there?)").doesNotContain("\tat ");

    Cli.Result noServer = new Cli(dataDir).run("run", "log-delivery");
    assertThat(noServer.exitCode()).isEqualTo(2);
    assertThat(noServer.err()).contains("log-delivery sends to the Firehose API of a freshet server");
  }

  @Test
  void iotSensorsRunsEndToEndAndPrintsItsWindows() {
    Cli.Result result = new Cli(dataDir).run("run", "iot-sensors", "--sensors", 2, "--minutes", 1);

    assertThat(result.exitCode()).as(result.err()).isZero();
    // 2 sensors, a reading every 5 s for a minute: the windows starting at 09:59:30 and 10:00:30
    // hold 6 readings of each, the one at 10:00:00 all 12.
    assertThat(result.out()).contains("wrote 24 readings of 2 sensors")
        .contains("(6 records in stream sensor-stats)")
        .containsPattern("09:59:30-10:00:30  sensor-01   6 readings")
        .containsPattern("10:00:00-10:01:00  sensor-02  12 readings")
        .contains("iot-sensors finished: DONE in ");
  }

  @Test
  void aMissingExampleFlagIsAUsageErrorNamingIt() {
    Cli.Result result = new Cli(dataDir).run("run", "relay", "--outputStream", "out");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err()).contains("--inputStream");
  }

  @Test
  void aClusterNeedsAServerEndpointAndDetachedNeedsACluster() {
    Cli cli = new Cli(dataDir);

    Cli.Result onCluster = cli.run("run", "relay", "--inputStream", "in", "--outputStream", "out",
        "--runner", "flink", "--flinkMaster", "localhost:1");
    assertThat(onCluster.exitCode()).isEqualTo(1);
    assertThat(onCluster.err()).startsWith("error: a cluster's TaskManagers reach streams through a server");

    Cli.Result detached = cli.run("run", "relay", "--detached", "--inputStream", "in", "--outputStream", "out");
    assertThat(detached.exitCode()).isEqualTo(2);
    assertThat(detached.err()).contains("--detached needs a cluster");
  }

  @Test
  void relayOnTheDirectRunnerCopiesEveryRecordOnce() {
    int records = 2_000;
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      store.createStream(CreateStreamRequest.provisioned("in", 4));
      store.createStream(CreateStreamRequest.provisioned("out", 2));
      StreamContents.putNumbered(store, "in", 0, records);
    }

    Cli.Result result = new Cli(dataDir).run("run", "relay",
        "--inputStream", "in", "--outputStream", "out", "--maxRecords", records);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("relay finished: DONE in ");
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      assertThat(StreamContents.payloads(store, "out"))
          .hasSize(records)
          .containsExactlyInAnyOrderElementsOf(
              LongStream.range(0, records).mapToObj(StreamContents::payload).toList());
    }
  }

  @Test
  void windowedCountOnTheDirectRunnerCountsEveryRecord() {
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      store.createStream(CreateStreamRequest.provisioned("in", 2));
      store.createStream(CreateStreamRequest.provisioned("counts", 1));
      for (int i = 0; i < 300; i++) {
        store.putRecord("in", dev.freshet.sdk.stream.PutRecordsEntry.of("user-" + (i % 3), "click " + i), null);
      }
    }

    Cli.Result result = new Cli(dataDir).run("run", "windowed-count", "--inputStream", "in",
        "--outputStream", "counts", "--maxRecords", 300, "--windowSeconds", 3600);

    assertThat(result.exitCode()).as(result.err()).isZero();
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      List<String> counts = StreamContents.payloads(store, "counts");
      // The records arrived within a second or two; an hour's window holds them all unless the
      // put crossed an hour boundary, when a key's 100 records are split over two windows.
      assertThat(counts).allMatch(line -> line.matches("user-[012] \\S+/\\S+ \\d+"));
      for (String user : List.of("user-0", "user-1", "user-2")) {
        assertThat(counts.stream().filter(line -> line.startsWith(user + " "))
                .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).sum())
            .as(user).isEqualTo(100);
      }
    }
  }

  @Test
  void topPagesReadsForItsSecondsThenFinishes() {
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      store.createStream(CreateStreamRequest.provisioned("clicks", 1));
    }

    Cli.Result result = new Cli(dataDir).run("run", "top-pages", "--clickStream", "clicks",
        "--runSeconds", 1, "--windowSeconds", 1);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("top-pages finished: DONE in ");
  }
}
