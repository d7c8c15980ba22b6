package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.FlinkRestClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
  private static final long PREFILLED = 20_000;

  @TempDir Path dataDir;
  @TempDir Path serverDir;
  @RegisterExtension final LocalClusterFixture fixture = new LocalClusterFixture("SavepointResumeIT");

  @Test
  void aRelayResumedFromItsSavepointLosesAndRepeatsNothing() throws Exception {
    InProcessServer server = fixture.startServer(serverDir, 4, 2, PREFILLED);
    FlinkRestClient rest = fixture.startCluster(dataDir, 1, 2).rest();
    Cli cli = fixture.cli();
    StreamTail output = new StreamTail(server.store(), "output");

    fixture.startProducer(PREFILLED, 2_000);
    String first = fixture.submitRelay();

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

    String resumed = fixture.submitRelay("--savepointPath", savepoint);
    Await.until("resumed relay running", Duration.ofSeconds(120), () -> rest.tasksRunning(resumed));
    Await.until("resumed relay writing", Duration.ofSeconds(120), () -> output.poll() > outputAtStop);
    long produced = fixture.stopProducer();
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
}
