package dev.freshet.sdk.io;

import static dev.freshet.sdk.io.StreamIOTesting.dataOf;
import static dev.freshet.sdk.io.StreamIOTesting.flinkPipeline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming job on Flink in this JVM, checkpointing every second, copies stream A to stream B
 * with {@code StreamIO.read()} and an idempotent {@code StreamIO.writeRecords()} (ids from each
 * record's source position, {@link WriteId#fromSource}) while A is being written; a task fails once
 * in the middle; Flink restarts the job from its last completed checkpoint. Afterwards B holds
 * exactly the records of A: the same count, the same multiset, no duplicates, compared without any
 * deduplication.
 *
 * <p>Why it holds: the source resumes exactly after the last record its checkpoint holds, and the
 * restarted job writes again what it wrote between that checkpoint and the failure, with the same
 * ids; the store answers those repeats with the original records instead of appending them. The
 * test counts those answers (through the store's {@code duplicate} flag), so it also shows that the
 * replay really overlapped what was written, and it checks that the restarted job did not read A
 * again from the start.
 */
class StreamIOFlinkFaultToleranceIT {
  private static final int RECORDS = 30_000;
  private static final int BATCH = 500;
  /** Records the job must have seen (and a checkpoint completed) before the failure. */
  private static final long FAIL_AFTER = 8_000;
  /** How long after the newest completed checkpoint the failure may come. */
  private static final long SINCE_CHECKPOINT_MILLIS = 300;

  /** Records the failing step has seen in this JVM, over both attempts. */
  private static final AtomicLong SEEN = new AtomicLong();
  /** Records it has seen after the failure. */
  private static final AtomicLong SEEN_AFTER_FAILURE = new AtomicLong();

  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void restartsFromItsCheckpointAndStreamBHoldsEveryInputExactlyOnce() throws Exception {
    SEEN.set(0);
    SEEN_AFTER_FAILURE.set(0);
    Path data = dir.resolve("data");
    URI endpoint = StreamClients.endpointOf(data);
    Path failedFlag = dir.resolve("failed-once");
    AtomicLong repeatsAnswered = new AtomicLong();
    try (StreamClients.Lease lease = StreamClients.register(endpoint,
        countingRepeats(LocalStreamStore.open(StoreConfig.builder(data).build()), repeatsAnswered))) {
      StreamClient client = lease.client();
      client.createStream(CreateStreamRequest.provisioned("a", 4));
      client.createStream(CreateStreamRequest.provisioned("b", 2));

      // Production is paced over about 6 s once the job reads; the reader stops at a time safely
      // after it ends. The allowance covers the job's start on a busy machine (it took from 5 to
      // over 17 s on a shared 2-core one), and the test lasts at least that long.
      long productionMillis = 6_000;
      long startupAllowanceMillis = 45_000;
      org.joda.time.Instant stopAt =
          org.joda.time.Instant.now().plus(startupAllowanceMillis + productionMillis + 3_000);
      // Checkpoints go beside the store, where freshet's runners put them for a file: endpoint.
      Path checkpoints = data.resolve("flink").resolve("checkpoints");
      Pipeline pipeline = flinkPipeline(
          "--checkpointingInterval=1000",
          // The heap state backend (Beam calls it "filesystem"), checkpointing to files.
          "--stateBackend=filesystem", "--stateBackendStoragePath=" + checkpoints.toUri(),
          // Restart a failed job (from its last completed checkpoint) up to 3 times, after 200 ms.
          "--numberOfExecutionRetries=3", "--executionRetryDelay=200",
          // With checkpointing, Beam keeps finished sources idle forever unless told otherwise;
          // the job is to end by itself once the reader is past its stop time.
          "--shutdownSourcesAfterIdleMs=0");
      pipeline
          .apply(StreamIO.read().withStream("a").withEndpoint(endpoint)
              .withStartingPosition(StartingPosition.trimHorizon()).withStopReadingAt(stopAt))
          .apply(ParDo.of(new FailOnce(new InjectedFailure(failedFlag, checkpoints,
              Duration.ofMillis(SINCE_CHECKPOINT_MILLIS)))))
          .apply(StreamIO.writeRecords().withStream("b").withEndpoint(endpoint)
              .withIdempotentIds(WriteId::fromSource));
      CompletableFuture<PipelineResult.State> job =
          CompletableFuture.supplyAsync(() -> pipeline.run().waitUntilFinish());

      // The first batch, then the rest paced once the job is reading, so that the job is
      // running (and checkpointing) while A is written and the failure falls mid-stream.
      List<String> ids = new ArrayList<>();
      put(client, ids, BATCH);
      while (SEEN.get() == 0) {
        assertThat(job).isNotDone();
        Thread.sleep(10);
      }
      long started = System.nanoTime();
      int batches = RECORDS / BATCH - 1;
      for (int i = 0; i < batches; i++) {
        put(client, ids, BATCH);
        long due = started + TimeUnit.MILLISECONDS.toNanos(productionMillis * (i + 1) / batches);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      assertThat(org.joda.time.Instant.now()).as("production ended before the stop time").isLessThan(stopAt);

      // The stop time is far enough ahead to allow for a slow start; once A is written, the job
      // is only waiting for it. It ends DONE, after restarting once.
      assertThat(job.get(startupAllowanceMillis + productionMillis + 90_000, TimeUnit.MILLISECONDS))
          .isEqualTo(PipelineResult.State.DONE);
      assertThat(failedFlag).as("the injected failure happened").exists();

      // No deduplication: B as it is, against A.
      List<String> written = dataOf(client, "b");
      System.out.printf("StreamIOFlinkFaultToleranceIT: %d records in A; %d in B; %d repeats written again "
          + "after the restart and answered by the store without appending; %d read after the restart%n",
          ids.size(), written.size(), repeatsAnswered.get(), SEEN_AFTER_FAILURE.get());
      assertThat(written).as("B, not deduplicated").doesNotHaveDuplicates().hasSize(ids.size());
      assertThat(written).containsExactlyInAnyOrderElementsOf(ids);
      // The restarted job did write again some of what the failed one had written: otherwise this
      // run would not have tested the idempotent writes.
      assertThat(repeatsAnswered.get()).as("repeats the store recognised").isPositive();
      // Restored from a checkpoint, not from the start of A: the second attempt read only the rest.
      assertThat(SEEN_AFTER_FAILURE.get()).isPositive().isLessThan(ids.size());
      assertThat(SEEN.get()).isLessThan(2L * ids.size());
    }
  }

  private static void put(StreamClient client, List<String> ids, int count) {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = String.format("id-%06d", ids.size());
      ids.add(id);
      batch.add(PutRecordsEntry.of(id, id.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords("a", batch).failedRecordCount()).isZero();
  }

  /** {@code store}, counting the idempotent entries it answered as repeats of records it held. */
  private static StreamClient countingRepeats(StreamClient store, AtomicLong repeats) {
    InvocationHandler handler = (proxy, method, args) -> {
      Object result;
      try {
        result = method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (result instanceof PutRecordsResult) {
        repeats.addAndGet(((PutRecordsResult) result).records().stream().filter(r -> r.duplicate()).count());
      }
      return result;
    };
    return (StreamClient) Proxy.newProxyInstance(
        StreamClient.class.getClassLoader(), new Class<?>[] {StreamClient.class}, handler);
  }

  /**
   * Passes records through, and throws once: at the first record after {@link #FAIL_AFTER} records
   * and a completed checkpoint (a {@code _metadata} file under the checkpoint folder) at least
   * {@link #SINCE_CHECKPOINT_MILLIS} old, so that the task has written records since that checkpoint
   * and the restart has something to write again. A flag file, created atomically, makes it throw in
   * one task of the first attempt only.
   */
  static final class FailOnce extends DoFn<StreamRecord, StreamRecord> {
    private final InjectedFailure failure;

    FailOnce(InjectedFailure failure) {
      this.failure = failure;
    }

    @ProcessElement
    public void process(@Element StreamRecord record, OutputReceiver<StreamRecord> out) throws IOException {
      long seen = SEEN.incrementAndGet();
      if (failure.hasFailed()) {
        SEEN_AFTER_FAILURE.incrementAndGet();
      } else if (seen >= FAIL_AFTER && failure.checkpointCompleted()) {
        if (!failure.claim()) {
          SEEN_AFTER_FAILURE.incrementAndGet();
          out.output(record);
          return;
        }
        throw new IllegalStateException("injected failure after " + seen + " records");
      }
      out.output(record);
    }
  }
}
