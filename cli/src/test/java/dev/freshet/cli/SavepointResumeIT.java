package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import dev.freshet.sdk.stream.CreateStreamRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint and resume, over Freshet streams: the {@code relay} example on a local
 * cluster copies a stream through {@code freshet server} while input keeps arriving; {@code freshet
 * flink cancel --savepoint} stops it (sources first, then a savepoint, then the job finishes), input
 * goes on arriving while it is stopped, and the relay resumed with {@code --savepointPath} picks up
 * right after the last record the savepoint holds. The output then holds every input record
 * exactly once, without deduplication: unlike a failure, a stop with a savepoint writes nothing
 * the resumed job writes again.
 */
class SavepointResumeIT {
  private static final Path JOB_JAR = Path.of("target", "freshet-job.jar");
  private static final long PREFILLED = 20_000;

  @TempDir Path dataDir;
  @TempDir Path serverDir;
  private InProcessServer server;
  private NumberedProducer producer;

  @AfterEach
  void stopEverything() throws Exception {
    // Even when an assertion failed midway: never leave JVMs behind on a shared machine.
    FlinkCluster.find(dataDir).ifPresent(cluster -> cluster.stop(Duration.ofSeconds(10)));
    ClusterLogs.keep(dataDir, "SavepointResumeIT");
    if (producer != null) {
      producer.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aRelayResumedFromItsSavepointLosesAndRepeatsNothing() throws Exception {
    assertThat(JOB_JAR).as("the job jar, built by mvn package").exists();
    server = new InProcessServer(serverDir);
    server.store().createStream(CreateStreamRequest.provisioned("input", 4));
    server.store().createStream(CreateStreamRequest.provisioned("output", 2));
    StreamContents.putNumbered(server.store(), "input", 0, PREFILLED);

    Cli cli = new Cli(dataDir);
    int restPort = freePort();
    Cli.Result start = cli.run("flink", "start", "--taskmanagers", 1, "--slots", 2,
        "--rest-port", restPort, "--rpc-port", freePort());
    assertThat(start.exitCode()).as(start.err()).isZero();
    FlinkRestClient rest = FlinkCluster.find(dataDir).orElseThrow().rest();
    StreamTail output = new StreamTail(server.store(), "output");

    producer = new NumberedProducer(server.store(), "input", PREFILLED, 2_000);
    String first = submitRelay(cli, restPort);
    Await.until("relay running", Duration.ofSeconds(120), () -> rest.tasksRunning(first));
    Await.until("a checkpoint and output", Duration.ofSeconds(120), () ->
        rest.completedCheckpoints(first) >= 1 && output.poll() > 0);

    Cli.Result stop = cli.run("flink", "cancel", first, "--savepoint");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    String savepoint = stop.out().lines()
        .filter(line -> line.startsWith("resume with: --savepointPath="))
        .map(line -> line.substring("resume with: --savepointPath=".length()))
        .findFirst().orElseThrow(() -> new AssertionError(stop.out()));
    Await.until("first relay finished", Duration.ofSeconds(60), () -> rest.jobs().stream()
        .anyMatch(job -> job.id().equals(first) && job.state().equals("FINISHED")));
    long outputAtStop = output.poll();
    System.out.printf("stopped with a savepoint after %,d records: %s%n", outputAtStop, savepoint);
    assertThat(output.records()).as("nothing written twice before the stop").isEqualTo(output.distinct());

    String resumed = submitRelay(cli, restPort, "--savepointPath", savepoint);
    Await.until("resumed relay running", Duration.ofSeconds(120), () -> rest.tasksRunning(resumed));
    Await.until("resumed relay writing", Duration.ofSeconds(120), () -> output.poll() > outputAtStop);
    long produced = producer.stop();
    Await.until("every input record in the output", Duration.ofSeconds(300), () -> {
      output.poll();
      return output.distinct() >= produced;
    });
    Cli.Result cancel = cli.run("flink", "cancel", resumed);
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    Await.until("resumed relay cancelled", Duration.ofSeconds(60), () -> rest.jobs().stream()
        .anyMatch(job -> job.id().equals(resumed) && job.state().equals("CANCELED")));
    output.poll();

    System.out.printf("input %,d records; output %,d records, %,d distinct; duplicates: %,d%n",
        produced, output.records(), output.distinct(), output.records() - output.distinct());
    StreamContents.assertSameSet(output.occurrences().keySet(), produced);
    assertThat(output.records()).as("records in the output, duplicates included").isEqualTo(produced);
    assertThat(cli.run("flink", "stop").exitCode()).isZero();
  }

  /** Submits the relay detached and returns its job id. */
  private String submitRelay(Cli cli, int restPort, Object... more) {
    List<Object> args = new ArrayList<>(List.of("run", "relay", "--detached",
        "--jobJar", JOB_JAR.toAbsolutePath(),
        "--runner", "flink", "--flinkMaster", "localhost:" + restPort,
        "--endpoint", server.endpoint(), "--inputStream", "input", "--outputStream", "output",
        "--parallelism", 2, "--checkpointingInterval", 1000));
    args.addAll(List.of(more));
    Cli.Result run = cli.run(args.toArray());
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run.out().lines().filter(line -> line.startsWith("submitted relay as job "))
        .map(line -> line.split(" ")[4]).findFirst().orElseThrow(() -> new AssertionError(run.out()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
