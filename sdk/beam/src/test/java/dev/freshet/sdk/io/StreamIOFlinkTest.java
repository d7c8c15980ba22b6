package dev.freshet.sdk.io;

import static dev.freshet.sdk.io.StreamIOTesting.dataOf;
import static dev.freshet.sdk.io.StreamIOTesting.flinkPipeline;
import static dev.freshet.sdk.io.StreamIOTesting.putAll;
import static dev.freshet.sdk.io.StreamIOTesting.runOnFlinkAndVerify;
import static dev.freshet.sdk.io.StreamIOTesting.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StreamIO pipelines of the Direct-runner tests, on Beam's Flink runner in this JVM ({@code
 * --runner=flink --flinkMaster=[local]}, streaming, parallelism 2), against the embedded store and
 * through an in-process {@code freshet server}.
 *
 * <p>{@link PAssert} is checked the way {@code TestPipeline} checks it: the job must finish DONE and
 * its success counter must equal the number of assertions in the pipeline, so an assertion that
 * never ran fails the test too.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StreamIOFlinkTest {
  /** What the observing DoFn saw, in the order each source split handed it out. */
  private static final Queue<Seen> SEEN = new ConcurrentLinkedQueue<>();
  /** How many records the observing DoFn has seen so far. */
  private static final AtomicLong SEEN_COUNT = new AtomicLong();

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();
  private StreamClient client;

  @BeforeEach
  void open() {
    SEEN.clear();
    SEEN_COUNT.set(0);
    client = store.open(dir);
  }

  private static StreamIO.Write<String> strings(String stream, URI endpoint) {
    return StreamIO.<String>write()
        .withStream(stream)
        .withEndpoint(endpoint)
        .withPartitionKey(value -> "key-" + value.hashCode() % 10)
        .withSerializer(value -> value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEveryRecordOnceBoundedByCount() {
    client.createStream(CreateStreamRequest.provisioned("clicks", 4));
    List<String> expected = putAll(client, "clicks", 5000, "click-");

    Pipeline pipeline = flinkPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("clicks").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(5000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    runOnFlinkAndVerify(pipeline);
  }

  @Test
  void readsThroughEnhancedFanOut() {
    client.createStream(CreateStreamRequest.provisioned("pushed", 2));
    List<String> expected = putAll(client, "pushed", 1000, "p-");

    Pipeline pipeline = flinkPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("pushed").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withConsumer("flink-app")
            .withMaxNumRecords(1000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    runOnFlinkAndVerify(pipeline);
    assertThat(client.listStreamConsumers("pushed")).extracting(c -> c.consumerName())
        .containsExactly("flink-app");
  }

  @Test
  void keepsReadingAThrottledStore() {
    Path throttledDir = dir.resolve("throttled");
    URI throttled = StreamClients.endpointOf(throttledDir);
    try (StreamClients.Lease slowLease = StreamClients.register(throttled,
        LocalStreamStore.open(StoreConfig.builder(throttledDir).setThrottling(ThrottlingMode.AWS).build()))) {
      StreamClient slow = slowLease.client();
      slow.createStream(CreateStreamRequest.provisioned("slow", 1));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        expected.add("s-" + i);
        slow.putRecord("slow", PutRecordsEntry.of("k", ("s-" + i).getBytes(StandardCharsets.UTF_8)), null);
      }
      Pipeline pipeline = flinkPipeline();
      // 10 records per call and no pause between calls: the store refuses the 6th call in a second.
      PCollection<String> values = pipeline
          .apply(StreamIO.read().withStream("slow").withEndpoint(throttled)
              .withStartingPosition(StartingPosition.trimHorizon()).withRecordsPerRequest(10)
              .withPollInterval(org.joda.time.Duration.millis(1)).withMaxNumRecords(300))
          .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
      PAssert.that(values).containsInAnyOrder(expected);
      runOnFlinkAndVerify(pipeline);
      assertThat(slow.metrics("slow").shards().get("shardId-000000000000").readProvisionedThroughputExceeded())
          .isPositive();
    }
  }

  @Test
  void readsEveryRecordOnceUntilTheStopTimeWithOneSplitPerWorker() {
    client.createStream(CreateStreamRequest.provisioned("clicks", 4));
    List<String> expected = putAll(client, "clicks", 5000, "click-");

    // Unbounded and split over both workers; ends once every shard is read past the stop time.
    Pipeline pipeline = flinkPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("clicks").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon())
            .withStopReadingAt(org.joda.time.Instant.now()))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    values.apply(ParDo.of(new Observe()));
    PAssert.that(values).containsInAnyOrder(expected);
    runOnFlinkAndVerify(pipeline);
    assertThat(SEEN.stream().map(Seen::thread).distinct().count()).as("workers that read").isEqualTo(2);
  }

  @Test
  void writesEveryElementOnce() {
    client.createStream(CreateStreamRequest.provisioned("out", 4));
    List<String> expected = values("v-", 3000);

    Pipeline pipeline = flinkPipeline();
    pipeline.apply(Create.of(expected)).apply(strings("out", store.endpoint()).withMaxBatchRecords(100));
    runOnFlinkAndVerify(pipeline);

    assertThat(dataOf(client, "out")).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void copiesOneStreamToAnother() {
    client.createStream(CreateStreamRequest.provisioned("a", 4));
    client.createStream(CreateStreamRequest.provisioned("b", 2));
    List<String> input = putAll(client, "a", 2000, "a-");

    Pipeline pipeline = flinkPipeline();
    pipeline
        .apply(StreamIO.read().withStream("a").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(2000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> "b" + r.dataAsString()))
        .apply(strings("b", store.endpoint()));
    runOnFlinkAndVerify(pipeline);

    List<String> expected = new ArrayList<>();
    input.forEach(v -> expected.add("b" + v));
    assertThat(dataOf(client, "b")).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * A split of shard 0 and a merge of its two children while the job reads: every record comes out
   * once, and per key in the order written, so a parent's records come before its children's. The
   * reshard starts only once the job has handed out records, so it happens during the read.
   */
  @Test
  void readsAcrossASplitAndAMergeWhileRunningWithParentsBeforeChildren() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("resharded", 2));
    List<String> expected = new ArrayList<>(putAll(client, "resharded", 2000, "a-"));
    expected.addAll(values("b-", 1000));
    expected.addAll(values("c-", 1000));

    Pipeline pipeline = flinkPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("resharded").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(4000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    values.apply(ParDo.of(new Observe()));
    PAssert.that(values).containsInAnyOrder(expected);
    CompletableFuture<Void> job = CompletableFuture.runAsync(() -> runOnFlinkAndVerify(pipeline));

    while (SEEN_COUNT.get() == 0 && !job.isDone()) {
      Thread.sleep(10);
    }
    assertThat(SEEN_COUNT.get()).as("records read before the reshard").isLessThan(4000);
    client.splitShard("resharded", "shardId-000000000000", BigInteger.ONE.shiftLeft(126));
    putAll(client, "resharded", 1000, "b-");
    client.mergeShards("resharded", "shardId-000000000002", "shardId-000000000003");
    putAll(client, "resharded", 1000, "c-");
    job.get(90, TimeUnit.SECONDS);

    assertThat(SEEN).extracting(Seen::value).containsExactlyInAnyOrderElementsOf(expected);
    // Per key, the order written: a- (shard 0 or 1), then b- (children of the split), then c-
    // (the merge's child).
    Map<String, Integer> lastByKey = new HashMap<>();
    for (Seen seen : SEEN) {
      int order = writeOrder(seen.value());
      String key = "key-" + (Integer.parseInt(seen.value().substring(2)) % 97);
      Integer previous = lastByKey.put(key, order);
      assertThat(previous == null || previous < order)
          .as("%s of %s after write #%s", seen.value(), key, previous).isTrue();
    }
  }

  /** The position of a value of the reshard test in the order of writes. */
  private static int writeOrder(String value) {
    int index = Integer.parseInt(value.substring(2));
    return switch (value.charAt(0)) {
      case 'a' -> index;
      case 'b' -> 2000 + index;
      default -> 3000 + index;
    };
  }

  @Test
  void readsAndWritesThroughTheServer() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("remote-in", 2));
    client.createStream(CreateStreamRequest.provisioned("remote-out", 2));
    List<String> input = putAll(client, "remote-in", 2000, "r-");
    try (KinesisServer server = KinesisServer.start(
        ServerConfig.builder().setPort(0).setWorkerThreads(4).build(), client)) {
      Pipeline pipeline = flinkPipeline();
      PCollection<String> values = pipeline
          .apply(StreamIO.read().withStream("remote-in").withEndpoint(server.endpoint())
              .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(2000))
          .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
      PAssert.that(values).containsInAnyOrder(input);
      values.apply(strings("remote-out", server.endpoint()));
      runOnFlinkAndVerify(pipeline);
    }
    assertThat(dataOf(client, "remote-out")).containsExactlyInAnyOrderElementsOf(input);
  }

  /** One element as the observing DoFn saw it, with the thread (the Flink subtask) that saw it. */
  record Seen(String value, String thread) {}

  /** Records every element in {@link #SEEN}; Flink in this JVM runs it chained to the source. */
  static final class Observe extends DoFn<String, Void> {
    @ProcessElement
    public void process(@Element String value) {
      SEEN.add(new Seen(value, Thread.currentThread().getName()));
      SEEN_COUNT.incrementAndGet();
    }
  }
}
