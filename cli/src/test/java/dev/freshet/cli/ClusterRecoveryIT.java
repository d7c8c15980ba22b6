package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.ClusterProcess;
import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager killed with SIGKILL under a running job: the {@code relay} example, submitted with
 * {@code freshet run} to a cluster of 2 TaskManagers x 2 slots at parallelism 2 (one subtask on
 * each, as the cluster spreads slots), copies a 16-shard stream through {@code freshet server} to
 * another stream, checkpointing every second, while input keeps arriving. One TaskManager is
 * killed; the job restarts by itself from its last checkpoint in the free slots of the other (the
 * killed one is not replaced), and the output, deduplicated by the id in each payload, holds every
 * input record exactly once.
 *
 * <p>Prints the recovery time (kill to the job running again and its output growing) and how many
 * duplicates the restart wrote: the source is exactly-once (it resumes after the last record of the
 * checkpoint), the sink at-least-once (what was written after that checkpoint is written again).
 */
class ClusterRecoveryIT {
  private static final int SHARDS = 16;
  private static final long PREFILLED = 50_000;

  @TempDir Path dataDir;
  @TempDir Path serverDir;
  @RegisterExtension final LocalClusterFixture fixture = new LocalClusterFixture("ClusterRecoveryIT");

  @Test
  void aKilledTaskManagerCostsNoRecord() throws Exception {
    InProcessServer server = fixture.startServer(serverDir, SHARDS, 4, PREFILLED);
    FlinkCluster cluster = fixture.startCluster(dataDir, 2, 2);
    FlinkRestClient rest = cluster.rest();
    Cli cli = fixture.cli();

    fixture.startProducer(PREFILLED, 2_000);
    String jobId = fixture.submitRelay("--numberOfExecutionRetries", 100, "--executionRetryDelay", 1000);

    StreamTail output = new StreamTail(server.store(), "output");
    Await.until("relay running", Duration.ofSeconds(120), () -> rest.tasksRunning(jobId));
    Await.until("both TaskManagers busy", Duration.ofSeconds(60), () ->
        rest.taskManagers().stream().allMatch(tm -> tm.freeSlots() < tm.slots()));
    Await.until("two checkpoints and output", Duration.ofSeconds(120), () ->
        rest.completedCheckpoints(jobId) >= 2 && output.poll() > 0);

    ClusterProcess victim = cluster.processes().stream()
        .filter(process -> process.role().equals("taskmanager-1")).findFirst().orElseThrow();
    long outputAtKill = output.poll();
    long killed = System.nanoTime();
    assertThat(victim.handle().orElseThrow().destroyForcibly()).isTrue(); // SIGKILL
    System.out.printf("killed %s (pid %d) with %,d records in the output%n",
        victim.role(), victim.pid(), outputAtKill);

    Await.until("the failure noticed", Duration.ofSeconds(120), () -> rest.failures(jobId) >= 1);
    Await.until("relay running again", Duration.ofSeconds(120), () -> rest.tasksRunning(jobId));
    double running = (System.nanoTime() - killed) / 1e9;
    long outputWhenRunning = output.poll();
    Await.until("output advancing", Duration.ofSeconds(120), () -> output.poll() > outputWhenRunning);
    double recovered = (System.nanoTime() - killed) / 1e9;
    System.out.printf("recovery time: %.1f s (kill to RUNNING again %.1f s, %d failures)%n",
        recovered, running, rest.failures(jobId));
    Await.until("the killed TaskManager deregistered, not replaced", Duration.ofSeconds(60),
        () -> rest.taskManagers().size() == 1);

    Thread.sleep(3000); // input keeps arriving for a while after the recovery
    long produced = fixture.stopProducer();
    Await.until("every input record in the output", Duration.ofSeconds(300), () -> {
      output.poll();
      return output.distinct() >= produced;
    });
    Cli.Result cancel = cli.run("flink", "cancel", jobId);
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    Await.until("job cancelled", Duration.ofSeconds(60), () -> rest.jobs().stream()
        .anyMatch(job -> job.id().equals(jobId) && job.state().equals("CANCELED")));
    output.poll();

    Map<String, Integer> occurrences = output.occurrences();
    long duplicates = output.records() - occurrences.size();
    System.out.printf("input %,d records; output %,d records, %,d distinct; duplicates removed: %,d%n",
        produced, output.records(), occurrences.size(), duplicates);
    StreamContents.assertSameSet(occurrences.keySet(), produced);
    assertThat(cli.run("flink", "stop").exitCode()).isZero();
    assertThat(FlinkCluster.find(dataDir)).isEmpty();
  }
}
