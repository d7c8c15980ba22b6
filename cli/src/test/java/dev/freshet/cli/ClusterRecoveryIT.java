package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.ClusterProcess;
import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import dev.freshet.sdk.stream.ShardMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager killed with SIGKILL under a running job: the {@code relay} example, submitted with
 * {@code freshet run} to a cluster of 2 TaskManagers x 2 slots at parallelism 2 (one subtask on
 * each, as the cluster spreads slots), copies a 16-shard stream through {@code freshet server} to
 * another stream, checkpointing every second, while input keeps arriving. One TaskManager is
 * killed; the job restarts by itself from its last checkpoint in the free slots of the other (the
 * killed one is not replaced), and the output, compared with the input as it is (no deduplication),
 * holds every input record exactly once: same count, same records, no duplicates.
 *
 * <p>The source is exactly-once (it resumes after the last record of the checkpoint) and the relay
 * writes idempotently (ids from each record's source position), so what the restarted job writes
 * again, the server's store recognises and does not store. The test checks that the job restarted
 * from a checkpoint (Flink's REST API names the restored checkpoint, no older than the last one
 * completed before the kill) and not from the start of the stream (each input shard served fewer
 * records a second time than it had served before the kill, as a task starting over would read all
 * of those again). It prints the recovery time (kill to the job running again and its output
 * growing).
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
    // A checkpoint that holds a good part of the input, so that resuming from it and starting over
    // read clearly different amounts again.
    Await.until("a fifth of the prefilled input copied", Duration.ofSeconds(180),
        () -> output.poll() >= PREFILLED / 5);
    long checkpointsThen = rest.completedCheckpoints(jobId);
    Await.until("a checkpoint after that", Duration.ofSeconds(60),
        () -> rest.completedCheckpoints(jobId) > checkpointsThen);

    ClusterProcess victim = cluster.processes().stream()
        .filter(process -> process.role().equals("taskmanager-1")).findFirst().orElseThrow();
    long outputAtKill = output.poll();
    long checkpointBeforeKill = rest.latestCompletedCheckpointId(jobId).orElseThrow();
    long killed = System.nanoTime();
    assertThat(victim.handle().orElseThrow().destroyForcibly()).isTrue(); // SIGKILL
    victim.handle().orElseThrow().onExit().get(30, TimeUnit.SECONDS);
    // What each input shard had served when the victim died, before anything was read again.
    Map<String, ShardMetrics> servedAtKill = server.store().metrics("input").shards();
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
    FlinkRestClient.RestoredCheckpoint restored = rest.restoredCheckpoint(jobId)
        .orElseThrow(() -> new AssertionError("the job restarted without restoring a checkpoint"));
    System.out.printf("restored checkpoint %d (the last completed before the kill was %d), from %s%n",
        restored.id(), checkpointBeforeKill, restored.externalPath());
    assertThat(restored.savepoint()).isFalse();
    assertThat(restored.id()).as("restored checkpoint id").isGreaterThanOrEqualTo(checkpointBeforeKill);

    Thread.sleep(3000); // input keeps arriving for a while after the recovery
    long produced = fixture.stopProducer();
    Await.until("every input record in the output", Duration.ofSeconds(300), () -> {
      output.poll();
      return output.distinct() >= produced;
    });
    // Every input record was read at least once; whatever a shard served beyond that was read again
    // after the restart. Started over, a restarted task would read again at least everything its
    // shards had served before the kill; resumed from the checkpoint, only what they served after
    // it. Per shard, since Flink restarts only the failed region (the tasks of the killed TaskManager).
    long readAgainInAll = 0;
    long held = 0;
    for (Map.Entry<String, ShardMetrics> shard : server.store().metrics("input").shards().entrySet()) {
      long readAgain = shard.getValue().outgoingRecords() - shard.getValue().incomingRecords();
      long before = servedAtKill.get(shard.getKey()).outgoingRecords();
      assertThat(readAgain).as("records of %s read again; it had served %,d before the kill", shard.getKey(), before)
          .isNotNegative().isLessThan(Math.max(before, 1));
      readAgainInAll += readAgain;
      held += shard.getValue().incomingRecords();
    }
    long servedBefore = servedAtKill.values().stream().mapToLong(ShardMetrics::outgoingRecords).sum();
    System.out.printf("input records read again after the restart: %,d, of %,d in the stream; %,d had been "
        + "served before the kill, %,d copied%n", readAgainInAll, held, servedBefore, outputAtKill);
    assertThat(readAgainInAll).as("records read again").isLessThan(held);
    Cli.Result cancel = cli.run("flink", "cancel", jobId);
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    Await.until("job cancelled", Duration.ofSeconds(60), () -> rest.jobs().stream()
        .anyMatch(job -> job.id().equals(jobId) && job.state().equals("CANCELED")));
    output.poll();

    // No deduplication: the output as it is, against the input.
    Map<String, Integer> occurrences = output.occurrences();
    long duplicates = output.records() - occurrences.size();
    System.out.printf("input %,d records; output %,d records, %,d distinct, %,d duplicates%n",
        produced, output.records(), occurrences.size(), duplicates);
    assertThat(duplicates).as("duplicates in the output").isZero();
    assertThat(occurrences.values()).as("occurrences per record").allMatch(count -> count == 1);
    assertThat(output.records()).as("output records").isEqualTo(produced);
    StreamContents.assertSameSet(occurrences.keySet(), produced);
    assertThat(cli.run("flink", "stop").exitCode()).isZero();
    assertThat(FlinkCluster.find(dataDir)).isEmpty();
  }
}
