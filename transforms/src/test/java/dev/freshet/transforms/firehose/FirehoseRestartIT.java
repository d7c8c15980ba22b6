package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.io.InjectedFailure;
import dev.freshet.sdk.io.StoreFixture;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The at-least-once guarantee under a restart: a streaming job on Flink in this JVM, checkpointing
 * every half second, reads a stream of the embedded store (100,000 records, up to the time they
 * were all written) and delivers it with
 * {@code FirehoseDelivery} as gzip objects; once objects have been put and a checkpoint has
 * completed, a task fails once; Flink restarts the job from its last completed checkpoint.
 * Afterwards every input record is in the delivered objects. Records delivered twice (put before
 * the failure, and again after the restart because the checkpoint still held them) are counted and
 * printed, not asserted: at-least-once allows them.
 */
class FirehoseRestartIT {
  private static final int RECORDS = 100_000;
  private static final int BATCH = 500;
  /** Records the job must have seen before the failure. */
  private static final long FAIL_AFTER = 20_000;
  /** How long after the newest completed checkpoint the failure may come. */
  private static final long SINCE_CHECKPOINT_MILLIS = 300;

  private static final AtomicLong SEEN = new AtomicLong();
  private static final AtomicLong SEEN_AFTER_FAILURE = new AtomicLong();

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyInputRecordIsDeliveredAfterAFailureAndRestart() throws Exception {
    SEEN.set(0);
    SEEN_AFTER_FAILURE.set(0);
    StreamClient client = store.open(dir.resolve("data"));
    client.createStream(CreateStreamRequest.provisioned("clicks", 2));
    Path out = dir.resolve("out");
    Path failedFlag = dir.resolve("failed-once");
    Path checkpoints = dir.resolve("checkpoints");

    // The whole stream is written first, and the reader stops once it has read every record that
    // arrived before stopAt: the job ends by itself, however long it takes to start. It takes long
    // enough to read that checkpoints complete and objects are put before the failure.
    List<String> ids = new ArrayList<>();
    while (ids.size() < RECORDS) {
      put(client, ids, BATCH);
    }
    Instant stopAt = Instant.now().plus(1);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(
            "--runner=FlinkRunner", "--flinkMaster=[local]", "--streaming=true", "--parallelism=2",
            "--checkpointingInterval=500",
            "--stateBackend=filesystem", "--stateBackendStoragePath=" + checkpoints.toUri(),
            "--numberOfExecutionRetries=3", "--executionRetryDelay=200",
            "--shutdownSourcesAfterIdleMs=0")
        .withValidation().as(FlinkPipelineOptions.class));
    pipeline
        .apply(StreamIO.read().withStream("clicks").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withStopReadingAt(stopAt))
        .apply(ParDo.of(new FailOnce(new InjectedFailure(failedFlag, checkpoints,
            java.time.Duration.ofMillis(SINCE_CHECKPOINT_MILLIS)), out.toString())))
        .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(out))
            .withDeliveryStreamName("clicks")
            .withBufferingHints(1, Duration.standardSeconds(1))
            .withCompression(CompressionFormat.GZIP)
            .withAppendDelimiter(true)
            .forStreamRecords());
    CompletableFuture<PipelineResult.State> job = CompletableFuture.supplyAsync(() -> pipeline.run().waitUntilFinish());

    assertThat(job.get(3, TimeUnit.MINUTES)).isEqualTo(PipelineResult.State.DONE);
    assertThat(failedFlag).as("the injected failure happened").exists();

    Map<String, Integer> delivered = new HashMap<>();
    long objects = 0;
    for (Map.Entry<String, byte[]> object : Objects.read(out).entrySet()) {
      assertThat(object.getKey()).endsWith(".gz").doesNotContain("failed");
      objects++;
      for (String line : Objects.lines(new java.util.TreeMap<>(Map.of(object.getKey(), object.getValue())))) {
        delivered.merge(idOf(line), 1, Integer::sum);
      }
    }
    long duplicates = delivered.values().stream().mapToLong(n -> n - 1).sum();
    List<String> missing = ids.stream().filter(id -> !delivered.containsKey(id)).toList();
    System.out.printf("FirehoseRestartIT: %d records in the stream; %d objects; %d distinct records delivered; "
            + "%d delivered more than once (%d extra copies); %d missing; %d read after the restart%n",
        ids.size(), objects, delivered.size(), delivered.values().stream().filter(n -> n > 1).count(), duplicates,
        missing.size(), SEEN_AFTER_FAILURE.get());
    assertThat(missing).as("input records missing from the delivered objects").isEmpty();
    // Sets: AssertJ's in-any-order comparison of 100,000 elements is quadratic.
    assertThat(new java.util.HashSet<>(ids)).as("nothing delivered that was not put").isEqualTo(delivered.keySet());
    // Restored from a checkpoint, not from the start of the stream.
    assertThat(SEEN_AFTER_FAILURE.get()).isPositive().isLessThan(ids.size());
  }

  private static String idOf(String line) {
    // {"id":"id-000123","page":"/p/…"}
    return line.substring(7, 16);
  }

  private static void put(StreamClient client, List<String> ids, int count) {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = String.format("id-%06d", ids.size());
      ids.add(id);
      String json = "{\"id\":\"" + id + "\",\"page\":\"/p/" + (ids.size() % 97) + "\",\"pad\":\"" + "x".repeat(100) + "\"}";
      batch.add(PutRecordsEntry.of(id, json.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords("clicks", batch).failedRecordCount()).isZero();
  }

  /**
   * Passes records through, and throws once: at the first record after {@link #FAIL_AFTER} records,
   * once at least one object has been delivered and a checkpoint (a {@code _metadata} file) completed
   * at least {@link #SINCE_CHECKPOINT_MILLIS} ago, so that the restart has buffered records to
   * restore and delivered ones to put again. A flag file makes it throw in one task only.
   */
  static final class FailOnce extends DoFn<StreamRecord, StreamRecord> {
    private final InjectedFailure failure;
    private final String out;

    FailOnce(InjectedFailure failure, String out) {
      this.failure = failure;
      this.out = out;
    }

    @ProcessElement
    public void process(@Element StreamRecord record, OutputReceiver<StreamRecord> receiver) throws IOException {
      long seen = SEEN.incrementAndGet();
      if (failure.hasFailed()) {
        SEEN_AFTER_FAILURE.incrementAndGet();
      } else if (seen >= FAIL_AFTER && seen % 100 == 0 && objectDelivered() && failure.checkpointCompleted()) {
        if (!failure.claim()) {
          SEEN_AFTER_FAILURE.incrementAndGet();
          receiver.output(record);
          return;
        }
        throw new IllegalStateException("injected failure after " + seen + " records");
      }
      receiver.output(record);
    }

    private boolean objectDelivered() {
      Path folder = Path.of(out);
      if (!Files.isDirectory(folder)) {
        return false;
      }
      try (Stream<Path> files = Files.walk(folder)) {
        return files.anyMatch(f -> f.getFileName().toString().endsWith(".gz"));
      } catch (IOException | UncheckedIOException e) {
        return false;
      }
    }
  }
}
